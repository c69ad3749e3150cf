import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeRule } from '../compliance/acknowledge';

const S3_LOG_DELIVERY = 'logging.s3.amazonaws.com';

interface PolicyStatementJson {
  readonly Effect?: string;
  readonly Principal?: { readonly Service?: string | string[] };
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown> | undefined>;
}

function servicePrincipals(statement: PolicyStatementJson): string[] {
  const service = statement.Principal?.Service;
  return service === undefined ? [] : ([] as string[]).concat(service);
}

export interface SecureBucketProps {
  /** Physical name, from the naming registry. */
  readonly bucketName: string;
  /**
   * Customer-managed key for default encryption (KEY-1). Only a bucket that receives S3 server access
   * logs may omit it, because log delivery supports SSE-S3 alone.
   * @default none, only for the access-log bucket
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Bucket that receives this bucket's server access logs; required unless this is that bucket. A bucket of
   * another stack is given imported by name, and its own stack grants the delivery with
   * `acceptAccessLogsFrom` (CDK's cross-stack grant would omit the source conditions).
   * @default none, only for the access-log bucket itself
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
  /** What happens to the bucket when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** @default [] */
  readonly lifecycleRules?: s3.LifecycleRule[];
  /**
   * Default Object Lock retention of every object version. Lifecycle rules may accompany it, but none may
   * expire objects before the retention ends (S3 would keep them anyway, so such a rule only misleads).
   * @default no Object Lock
   */
  readonly objectLock?: { readonly mode: 'GOVERNANCE' | 'COMPLIANCE'; readonly retentionDays: number };
  /**
   * Use an S3 Bucket Key for SSE-KMS (fewer KMS requests). Turn it off where a service writes with its own
   * encryption context that the key policy checks, as CloudTrail does.
   * @default true when encryptionKey is set
   */
  readonly bucketKeyEnabled?: boolean;
  /** Marks this bucket as the target of server access logs (SSE-S3, no logs of its own). @default false */
  readonly isAccessLogTarget?: boolean;
}

/**
 * An S3 bucket that cannot be made insecure by a prop: Block Public Access, owner-enforced objects,
 * versioning, TLS 1.2+ only (KEY-4), and a deny for principals outside the account.
 */
export class SecureBucket extends Construct {
  readonly bucket: s3.Bucket;

  private readonly isAccessLogTarget: boolean;

  /**
   * Lets S3 server access logging deliver `sourceBucketName`'s logs under its prefix, only from that bucket
   * in this account. CDK writes this statement itself when both buckets are in one stack, but leaves the
   * source conditions out across stacks, which would let any bucket of any account deliver under that prefix.
   */
  acceptAccessLogsFrom(sourceBucketName: string): void {
    if (!this.isAccessLogTarget) {
      throw new Error(`SecureBucket ${this.node.id}: only an access-log target accepts access logs`);
    }
    const stack = Stack.of(this);
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.ALLOW,
        principals: [new iam.ServicePrincipal(S3_LOG_DELIVERY)],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${sourceBucketName}/*`)],
        conditions: {
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:s3:::${sourceBucketName}` },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
  }

  /** Acknowledges a rule-pack finding on this bucket resource alone (not its policy or children). */
  acknowledge(ruleId: string, reason: string): void {
    acknowledgeRule(this.bucket.node.defaultChild as IConstruct, ruleId, reason);
  }

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    if (props.isAccessLogTarget) {
      if (props.serverAccessLogsBucket)
        throw new Error(`SecureBucket ${id}: an access-log target must not log to another bucket`);
    } else {
      if (!props.encryptionKey) throw new Error(`SecureBucket ${id}: encryptionKey is required (KEY-1)`);
      if (!props.serverAccessLogsBucket)
        throw new Error(`SecureBucket ${id}: serverAccessLogsBucket is required`);
    }
    if (props.objectLock) {
      const retention = props.objectLock.retentionDays;
      if (!Number.isInteger(retention) || retention < 1) {
        throw new Error(`SecureBucket ${id}: objectLock.retentionDays must be a whole number of days >= 1`);
      }
      for (const rule of props.lifecycleRules ?? []) {
        const days = rule.expiration?.toDays();
        if (days !== undefined && days < retention) {
          throw new Error(
            `SecureBucket ${id}: lifecycleRules ${rule.id ?? ''} expires objects after ${days} days, before objectLock.retentionDays (${retention}) ends`,
          );
        }
      }
    }

    const objectLockDefaultRetention = props.objectLock
      ? props.objectLock.mode === 'COMPLIANCE'
        ? s3.ObjectLockRetention.compliance(Duration.days(props.objectLock.retentionDays))
        : s3.ObjectLockRetention.governance(Duration.days(props.objectLock.retentionDays))
      : undefined;

    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: props.encryptionKey !== undefined && (props.bucketKeyEnabled ?? true),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: props.serverAccessLogsBucket ? `${props.bucketName}/` : undefined,
      lifecycleRules: props.lifecycleRules,
      objectLockEnabled: props.objectLock !== undefined,
      objectLockDefaultRetention,
      removalPolicy: props.removalPolicy,
    });

    if (props.serverAccessLogsBucket && !(props.serverAccessLogsBucket instanceof s3.Bucket)) {
      Annotations.of(this.bucket).acknowledgeWarning(
        '@aws-cdk/aws-s3:accessLogsPolicyNotAdded',
        'The access-log bucket is imported by name; its own stack grants this bucket delivery with source conditions (acceptAccessLogsFrom).',
      );
    }
    this.isAccessLogTarget = props.isAccessLogTarget ?? false;
    if (props.isAccessLogTarget) {
      this.node.addValidation({ validate: () => this.unconditionedLogDelivery() });
      this.acknowledge(
        'NIST.800.53.R5-S3DefaultEncryptionKMS',
        'S3 server access log delivery writes only to targets encrypted with SSE-S3; SSE-KMS on this bucket would silently stop access logging.',
      );
    }

    const account = Stack.of(this).account;
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyPrincipalsOutsideTheAccount',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:*'],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
        conditions: {
          StringNotEqualsIfExists: { 'aws:PrincipalAccount': account },
          BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
        },
      }),
    );
  }

  /** Statements that let S3 log delivery write here without naming the source bucket and account. */
  private unconditionedLogDelivery(): string[] {
    const policy = this.bucket.policy;
    if (!policy) return [];
    const document = Stack.of(this).resolve(policy.document) as { Statement?: PolicyStatementJson[] };
    return (document.Statement ?? [])
      .filter(
        (statement) => statement.Effect === 'Allow' && servicePrincipals(statement).includes(S3_LOG_DELIVERY),
      )
      .filter((statement) => {
        const condition = statement.Condition ?? {};
        const sourceArn = condition.ArnLike?.['aws:SourceArn'] ?? condition.ArnEquals?.['aws:SourceArn'];
        return sourceArn === undefined || condition.StringEquals?.['aws:SourceAccount'] === undefined;
      })
      .map(
        (statement) =>
          `${this.node.path}: ${S3_LOG_DELIVERY} may write ${JSON.stringify(statement.Resource)} without aws:SourceArn ` +
          'and aws:SourceAccount (a bucket in another stack logs here: grant it with acceptAccessLogsFrom and ' +
          'give that bucket this one imported by name)',
      );
  }
}
