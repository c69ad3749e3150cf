import { CfnDeletionPolicy, CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { ChurnRule, field, resolved } from '../rule';

/**
 * Resource types of which an account holds at most one, or one per fixed key (the OIDC provider per
 * issuer URL): creating a second fails with "already exists" whatever the template names it.
 */
export const ACCOUNT_SINGLETON_TYPES: ReadonlySet<string> = new Set([
  'AWS::Macie::Session',
  'AWS::GuardDuty::Detector',
  'AWS::SecurityHub::Hub',
  'AWS::Detective::Graph',
  'AWS::IAM::OIDCProvider',
  'AWS::ApiGateway::Account',
]);

/** The properties that would set a resource's physical name, for a CloudFormation type. */
export function fixedNameProperties(type: string): [string, string] {
  return [`${type.split('::').pop() ?? ''}Name`, 'Name'];
}

/**
 * The property that sets a resource's physical name: `Name`, or `<Type>Name` after the type's last
 * segment (`BucketName` of AWS::S3::Bucket, `LogGroupName` of AWS::Logs::LogGroup,
 * `ModelPackageGroupName` of AWS::SageMaker::ModelPackageGroup, `RoleName`, `TopicName`, ...).
 */
export function fixedNameOf(node: CfnResource): string | undefined {
  for (const name of fixedNameProperties(node.cfnResourceType)) {
    const camel = `${name.charAt(0).toLowerCase()}${name.slice(1)}`;
    // An L1 class exposes the property under its camelCase name; a plain CfnResource keeps it as given.
    const value = resolved(node, field(node, camel) ?? field(rawProperties(node), name));
    if (value !== undefined) return name;
  }
  return undefined;
}

function rawProperties(node: CfnResource): unknown {
  return node.constructor === CfnResource
    ? (node as unknown as { _cfnProperties?: Record<string, unknown> })._cfnProperties
    : undefined;
}

/**
 * ENV-4: a resource that keeps a fixed physical name, or of which the account holds only one, must not
 * outlive a rollback of the deploy that created it. With `DeletionPolicy: Retain` it does, and the retry
 * fails with "already exists" until someone deletes it by hand. `RetainExceptOnCreate`
 * (RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE) keeps the resource on stack deletion and replacement, as
 * ENV-2 asks, yet deletes it when its own creation rolls back.
 */
export const RetrySafeFixedNames: ChurnRule = {
  id: 'RetrySafeFixedNames',
  info: 'A resource with a fixed name (or an account singleton) is retained when the deploy that created it rolls back, so the retry fails with "already exists".',
  explanation:
    'Use RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE (DeletionPolicy RetainExceptOnCreate) instead of RETAIN, or let CloudFormation generate the name. A failed first deploy must leave nothing that blocks its retry (ENV-4); an acknowledgment must say how the retry path clears the leftover.',
  level: NagMessageLevel.ERROR,
  controls: ['ENV-4'],
  check: (node: CfnResource) => {
    if (node.cfnOptions.deletionPolicy !== CfnDeletionPolicy.RETAIN) return NagRuleCompliance.NOT_APPLICABLE;
    const fixed = ACCOUNT_SINGLETON_TYPES.has(node.cfnResourceType) || fixedNameOf(node) !== undefined;
    return fixed ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
};
