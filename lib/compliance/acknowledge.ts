import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** A reason must tell a reviewer why the rule cannot be met here, not merely that it is not. */
export const MIN_REASON_LENGTH = 60;

/**
 * Records a reviewed exception to a rule-pack finding (AUD-2) on one construct. The reason is read
 * by security reviewers in the compliance report, so a short or generic one is refused at synth.
 */
export function acknowledgeRule(construct: IConstruct, ruleId: string, reason: string): void {
  const trimmed = reason.trim();
  if (trimmed.length < MIN_REASON_LENGTH) {
    throw new Error(
      `acknowledgment of ${ruleId} on ${construct.node.path} needs a specific reason of at least ${MIN_REASON_LENGTH} characters, got '${trimmed}'`,
    );
  }
  Validations.of(construct).acknowledge({ id: ruleId, reason: trimmed });
}
