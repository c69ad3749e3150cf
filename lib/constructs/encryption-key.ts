import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * Key-management actions: the account may administer the key, but not use it, through this statement.
 * No wildcard here may cover kms:CreateGrant (`kms:Create*` would): a grant is a way to use the key, so
 * grants come only from the statement that requires kms:GrantIsForAWSResource (KEY-2).
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

const SYMMETRIC_USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
];

export interface EncryptionKeyProps {
  /** Alias without the `alias/` prefix, e.g. `churn/prod/data`. */
  readonly aliasName: string;
  /** What the key protects; shown in the console and the compliance report. */
  readonly description: string;
  /** RETAIN in prod (ENV-2). */
  readonly removalPolicy: RemovalPolicy;
  /**
   * AWS services (short names such as `s3`, `sagemaker`, `lambda`) through which principals of this
   * account may use the key. Direct calls to KMS are refused unless granted with `grantDirectUse`.
   */
  readonly viaServices: readonly string[];
  /**
   * Key spec. HMAC keys cannot rotate; they are only allowed for pseudonymisation keys, which the
   * construct marks in the description.
   * @default kms.KeySpec.SYMMETRIC_DEFAULT
   */
  readonly keySpec?: kms.KeySpec;
}

/**
 * A customer-managed key for one purpose (KEY-1, KEY-3) with automatic rotation and a key policy
 * that lets the account administer it but use it only through named AWS services, with grants only
 * for AWS resources (KEY-2).
 */
export class EncryptionKey extends Construct {
  readonly key: kms.Key;
  private readonly region: string;
  private readonly account: string;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    if (!/^[a-zA-Z0-9/_-]+$/.test(props.aliasName) || props.aliasName.startsWith('aws/')) {
      throw new Error(
        `EncryptionKey ${id}: aliasName '${props.aliasName}' must use letters, digits, '/', '_' or '-' and not start with 'aws/'`,
      );
    }
    const keySpec = props.keySpec ?? kms.KeySpec.SYMMETRIC_DEFAULT;
    const isHmac = keySpec.startsWith('HMAC');
    if (!isHmac && keySpec !== kms.KeySpec.SYMMETRIC_DEFAULT) {
      throw new Error(
        `EncryptionKey ${id}: keySpec ${keySpec} is not supported; use a symmetric or HMAC key`,
      );
    }
    if (!isHmac && props.viaServices.length === 0) {
      throw new Error(
        `EncryptionKey ${id}: viaServices must name at least one AWS service that uses the key`,
      );
    }
    const stack = Stack.of(this);
    this.region = stack.region;
    this.account = stack.account;

    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'KeyAdministrationByTheAccount',
          principals: [new iam.AccountRootPrincipal()],
          actions: KEY_ADMIN_ACTIONS,
          resources: ['*'],
        }),
      ],
    });
    if (!isHmac) {
      const viaService = props.viaServices.map((svc) => `${svc}.${this.region}.amazonaws.com`);
      policy.addStatements(
        new iam.PolicyStatement({
          sid: 'UseOnlyThroughNamedServicesInThisAccount',
          principals: [new iam.AccountRootPrincipal()],
          actions: SYMMETRIC_USE_ACTIONS,
          resources: ['*'],
          conditions: { StringEquals: { 'kms:CallerAccount': this.account, 'kms:ViaService': viaService } },
        }),
        new iam.PolicyStatement({
          sid: 'GrantsOnlyForAwsResources',
          principals: [new iam.AccountRootPrincipal()],
          actions: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
          resources: ['*'],
          conditions: {
            StringEquals: { 'kms:CallerAccount': this.account, 'kms:ViaService': viaService },
            Bool: { 'kms:GrantIsForAWSResource': 'true' },
          },
        }),
      );
    }

    this.key = new kms.Key(this, 'Key', {
      description: props.description,
      enableKeyRotation: !isHmac,
      keySpec,
      keyUsage: isHmac ? kms.KeyUsage.GENERATE_VERIFY_MAC : kms.KeyUsage.ENCRYPT_DECRYPT,
      pendingWindow: Duration.days(30),
      removalPolicy: props.removalPolicy,
      policy,
      alias: `alias/${props.aliasName}`,
    });
  }

  /** Lets CloudWatch Logs encrypt log groups of this account and region (and nothing else) with the key. */
  allowCloudWatchLogs(): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsForThisAccountsLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Stack.of(this).partition}:logs:${this.region}:${this.account}:log-group:*`,
          },
        },
      }),
    );
  }

  /**
   * Lets CloudTrail encrypt one trail's log files with the key, as CloudTrail's key-policy guidance
   * states it: `kms:GenerateDataKey*` with the trail's encryption context, and `kms:DescribeKey` in a
   * statement of its own, because a DescribeKey request carries no encryption context (a context
   * condition on it would make CreateTrail fail with InsufficientEncryptionPolicyException). Both are
   * limited to the trail by `aws:SourceArn`. The trail bucket must not use an S3 Bucket Key: with one,
   * CloudTrail also needs kms:Decrypt and the data key is requested for the bucket, not the trail (see
   * AuditTrail).
   */
  allowCloudTrail(trailArn: string): void {
    const trailCondition = {
      StringEquals: { 'aws:SourceArn': trailArn, 'aws:SourceAccount': this.account },
    };
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailEncryptsThisEnvironmentsTrail',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          ...trailCondition,
          StringLike: {
            'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${Stack.of(this).partition}:cloudtrail:*:${this.account}:trail/*`,
          },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailDescribesTheKey',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: trailCondition,
      }),
    );
  }

  /**
   * Lets an AWS service principal use the key for this account's resources only: `aws:SourceAccount`
   * stops another account's resource from borrowing the service's access (confused deputy).
   */
  allowServicePrincipal(
    sid: string,
    servicePrincipal: string,
    actions: readonly string[],
    extraConditions: Record<string, Record<string, unknown>> = {},
  ): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals: [new iam.ServicePrincipal(servicePrincipal)],
        actions: [...actions],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account }, ...extraConditions },
      }),
    );
  }

  /**
   * Lets an AWS service publish to this account's SNS topics encrypted with the key (alarms, EventBridge
   * rules). SNS calls KMS as the publishing service, with the topic's ARN as encryption context
   * (`aws:sns:topicArn`); that context, not `aws:SourceAccount`, scopes the grant: the KMS call SNS makes
   * for an EventBridge delivery carries no `aws:SourceAccount`/`aws:SourceArn`, and a statement conditioned
   * on them would drop every event silently. Which sources may publish is the topic policy's business.
   */
  allowSnsPublisher(sid: string, servicePrincipal: string): void {
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals: [new iam.ServicePrincipal(servicePrincipal)],
        // What the SNS guide documents for event sources publishing to an encrypted topic.
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:sns:topicArn': `arn:${stack.partition}:sns:${this.region}:${this.account}:*`,
          },
        },
      }),
    );
  }

  /**
   * Grants a principal direct KMS calls (not through a service), both in the key policy and in the
   * principal's own policy, for APIs such as GenerateMac that no service calls on its behalf.
   */
  grantDirectUse(sid: string, grantee: iam.IRole, actions: readonly string[]): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals: [new iam.ArnPrincipal(grantee.roleArn)],
        actions: [...actions],
        resources: ['*'],
      }),
    );
    grantee.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...actions], resources: [this.key.keyArn] }),
    );
  }
}
