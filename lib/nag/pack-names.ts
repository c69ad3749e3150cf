/**
 * Names of the rule packs the app registers (lib/churn-app.ts). Kept free of CDK imports so the
 * compliance report CLI can list them without loading the construct library.
 */
export const CHURN_PACK_NAME = 'ChurnControls';

export const RULE_PACK_NAMES: readonly string[] = ['AwsSolutions', 'NIST.800.53.R5', CHURN_PACK_NAME];
