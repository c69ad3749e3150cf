import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface ManagedPolicyRoleProps {
  /** The principal that assumes the role. */
  readonly assumedBy: iam.IPrincipal;
  /** What the role is for, shown in IAM. */
  readonly description: string;
}

/**
 * A role whose every grant lands in one customer-managed policy of its own instead of an inline
 * default policy (NIST IAMNoInlinePolicy) or an AWS-managed policy (AwsSolutions-IAM4). CDK grant
 * methods (`bucket.grantRead(role)`, ...) keep working unchanged.
 */
export class ManagedPolicyRole extends iam.Role {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ManagedPolicyRoleProps) {
    super(scope, id, { assumedBy: props.assumedBy, description: props.description });
    this.policy = new iam.ManagedPolicy(this, 'Permissions', {
      description: `Permissions of: ${props.description}`,
      roles: [this],
    });
  }

  override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}
