import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EnvironmentConfig, ResourceNames } from '../config';
import { AlertTopic } from '../constructs/alert-topic';
import { AuditTrail } from '../constructs/audit-trail';

export interface AuditStackProps extends StackProps {
  readonly environment: EnvironmentConfig;
  readonly names: ResourceNames;
  readonly logsKey: kms.IKey;
  /** Buckets whose object-level reads and writes are recorded (AUD-1). */
  readonly dataEventBuckets: readonly s3.IBucket[];
  readonly removalPolicy: RemovalPolicy;
}

/** What records and reports: the trail (AUD-1) and the alert topic every alarm and finding goes to (MON-3). */
export class AuditStack extends Stack {
  readonly trail: AuditTrail;
  readonly alerts: AlertTopic;

  constructor(scope: Construct, id: string, props: AuditStackProps) {
    super(scope, id, props);
    this.trail = new AuditTrail(this, 'Audit', {
      bucketName: props.names.buckets.trail,
      trailName: props.names.trail,
      encryptionKey: props.logsKey,
      // By name: a reference to the Data stack's bucket would make CDK grant the delivery there without
      // the source conditions; the Data stack grants it with them (acceptAccessLogsFrom).
      accessLogsBucket: s3.Bucket.fromBucketName(this, 'AccessLogsBucket', props.names.buckets.accessLogs),
      logRetentionDays: props.environment.logRetentionDays,
      logFileLock: {
        mode: props.environment.audit.trailObjectLockMode,
        retentionDays: props.environment.audit.trailRetentionDays,
      },
      dataEventBuckets: props.dataEventBuckets,
      removalPolicy: props.removalPolicy,
    });
    this.alerts = new AlertTopic(this, 'Alerts', {
      encryptionKey: props.logsKey,
      email: props.environment.alerts.email,
    });
  }
}
