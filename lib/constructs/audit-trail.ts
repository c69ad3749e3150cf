import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EncryptedLogGroup } from './encrypted-log-group';
import { SecureBucket } from './secure-bucket';

export interface AuditTrailProps {
  /** Name of the trail bucket, from the naming registry. */
  readonly bucketName: string;
  /** The trail's name; the key policy names this trail (`aws:SourceArn`), so it is fixed. */
  readonly trailName: string;
  /**
   * How long every log file stays immutable (S3 Object Lock) before the lifecycle expires it (AUD-1).
   * The trail bucket is retained on stack deletion whatever `removalPolicy` says (RetainExceptOnCreate):
   * locked objects cannot be deleted, so a teardown would fail on it half-way.
   */
  readonly logFileLock: { readonly mode: 'GOVERNANCE' | 'COMPLIANCE'; readonly retentionDays: number };
  /** Encrypts the trail files and its log group; must allow CloudTrail and CloudWatch Logs. */
  readonly encryptionKey: kms.IKey;
  /** Bucket that receives the trail bucket's server access logs. */
  readonly accessLogsBucket: s3.IBucket;
  /** Retention of the trail log group, in days CloudWatch Logs accepts. */
  readonly logRetentionDays: number;
  /** Buckets whose S3 data events (object reads and writes) the trail records (AUD-1). */
  readonly dataEventBuckets: readonly s3.IBucket[];
  /** What happens to the trail bucket and log group when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * AUD-1: a multi-region trail with log file validation, KMS encryption, delivery to CloudWatch Logs
 * and S3 data events for the buckets that hold models and customer data. Its log files are locked
 * (S3 Object Lock) for the configured retention and expire after it, so nobody can delete or overwrite
 * one before then, and none accumulates forever.
 */
export class AuditTrail extends Construct {
  readonly trail: cloudtrail.Trail;
  readonly bucket: SecureBucket;
  readonly logGroup: EncryptedLogGroup;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    if (props.dataEventBuckets.length === 0) {
      throw new Error(`AuditTrail ${id}: dataEventBuckets must list the model and data buckets (AUD-1)`);
    }
    this.bucket = new SecureBucket(this, 'TrailBucket', {
      bucketName: props.bucketName,
      encryptionKey: props.encryptionKey,
      serverAccessLogsBucket: props.accessLogsBucket,
      // Locked log files cannot be deleted, so neither can the bucket: it is retained on stack deletion in
      // every environment, and deleted only when the operation that created it rolls back (still empty).
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      // With an S3 Bucket Key, KMS is asked for a key of the bucket rather than of the trail, and CloudTrail
      // needs kms:Decrypt as well; without it, the documented trail-scoped key policy is exactly enough.
      // CloudTrail writes a few objects per region every five minutes, so per-object keys cost little.
      bucketKeyEnabled: false,
      objectLock: props.logFileLock,
      lifecycleRules: [
        {
          // Expiring a current version only adds a delete marker; the noncurrent-version rule then removes
          // the log file a day later, by which time its lock (counted from delivery) has ended.
          id: 'expire-log-files-after-their-lock',
          expiration: Duration.days(props.logFileLock.retentionDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    this.bucket.acknowledge(
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'This is the account-local trail; a tamper-proof second copy belongs in an organisation trail delivered to a separate log-archive account, which the README lists as an account-level action.',
    );
    this.logGroup = new EncryptedLogGroup(this, 'TrailLogs', {
      encryptionKey: props.encryptionKey,
      retentionDays: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
    });
    this.trail = new cloudtrail.Trail(this, 'Trail', {
      trailName: props.trailName,
      bucket: this.bucket.bucket,
      encryptionKey: props.encryptionKey,
      enableFileValidation: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
    });
    // The Trail construct can deliver to CloudWatch Logs itself, but only through a role with an inline
    // policy (NIST IAMNoInlinePolicy); this role carries a managed policy scoped to the one log group.
    const account = Stack.of(this).account;
    const deliveryRole = new iam.Role(this, 'LogDeliveryRole', {
      assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
      description: 'CloudTrail delivers events to its encrypted log group',
    });
    new iam.ManagedPolicy(this, 'LogDeliveryPolicy', {
      description: 'Write CloudTrail events to the trail log group only',
      roles: [deliveryRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroup.logGroupArn],
        }),
      ],
    });
    const cfnTrail = this.trail.node.defaultChild as cloudtrail.CfnTrail;
    cfnTrail.cloudWatchLogsLogGroupArn = this.logGroup.logGroup.logGroupArn;
    cfnTrail.cloudWatchLogsRoleArn = deliveryRole.roleArn;
    cfnTrail.node.addDependency(deliveryRole);
    this.trail.addS3EventSelector(
      props.dataEventBuckets.map((bucket) => ({ bucket })),
      { readWriteType: cloudtrail.ReadWriteType.ALL, includeManagementEvents: true },
    );
  }
}
