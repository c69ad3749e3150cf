import { Stack } from 'aws-cdk-lib';
// The function cdk-nag itself uses to name a wildcard resource in an IAM5 finding; using it keeps an
// acknowledgment id equal to the finding id for imported, local and cross-stack ARNs alike.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { IConstruct } from 'constructs';

/** The AwsSolutions-IAM5 finding id of a wildcard resource ARN granted by a policy in `scope`. */
export function wildcardResourceFinding(scope: IConstruct, arn: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(arn))}]`;
}
