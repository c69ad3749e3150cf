import { App, Stack } from 'aws-cdk-lib';
import { ChurnControlsChecks } from '../../../lib/nag/churn-controls-pack';

export function newStack(): Stack {
  return new Stack(new App(), 'Subject', { env: { account: '123456789012', region: 'eu-west-1' } });
}

/** `<rule id> <construct path>` of every unacknowledged finding of the project's pack in the stack. */
export function findings(stack: Stack): string[] {
  return new ChurnControlsChecks()
    .validateScope(stack)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`))
    .sort();
}
