import { CfnResource } from 'aws-cdk-lib';
import { NagPack, NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { CHURN_PACK_NAME } from './pack-names';
import { ChurnRule } from './rule';
import { InterfaceEndpointPolicy } from './rules/interface-endpoint-policy';
import { LambdaInVpcWithCmk } from './rules/lambda-in-vpc-with-cmk';
import { ModelBucketLockedAndMfaGuarded } from './rules/model-bucket-locked';
import { RetrySafeFixedNames } from './rules/retry-safe-fixed-names';
import { SageMakerEndpointAutoRollback } from './rules/sagemaker-endpoint-auto-rollback';
import { SageMakerEndpointConfigEncrypted } from './rules/sagemaker-endpoint-config-encrypted';
import { SageMakerModelIsolated } from './rules/sagemaker-model-isolated';
import { WafWebAclLogging } from './rules/waf-web-acl-logging';
import { WafWebAclRateLimit } from './rules/waf-web-acl-rate-limit';

export { CHURN_PACK_NAME, RULE_PACK_NAMES } from './pack-names';

/** The rules of this project's pack, in the order findings are reported. */
export const CHURN_RULES: readonly ChurnRule[] = [
  SageMakerModelIsolated,
  SageMakerEndpointConfigEncrypted,
  SageMakerEndpointAutoRollback,
  LambdaInVpcWithCmk,
  ModelBucketLockedAndMfaGuarded,
  WafWebAclLogging,
  WafWebAclRateLimit,
  InterfaceEndpointPolicy,
  RetrySafeFixedNames,
];

/**
 * The project's own controls as a cdk-nag pack (AUD-2): what AwsSolutions and NIST 800-53 do not
 * check about SageMaker, Object Lock with MFA, WAF, VPC placement and retry-safe first deploys. Findings are acknowledged the
 * same way as the other packs' (acknowledgeRule with `ChurnControls-<rule>`).
 */
export class ChurnControlsChecks extends NagPack {
  readonly name = CHURN_PACK_NAME;

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = CHURN_PACK_NAME;
  }

  protected checkResource(node: CfnResource): void {
    for (const rule of CHURN_RULES) {
      this.applyRule({
        ruleSuffixOverride: rule.id,
        info: rule.info,
        explanation: rule.explanation,
        level: rule.level,
        rule: rule.check,
        node,
      });
    }
  }
}
