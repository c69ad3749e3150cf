import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LOG_RETENTION_DAYS } from '../config';

export interface EncryptedLogGroupProps {
  /** Customer-managed key that encrypts the log events (KEY-1); it must allow CloudWatch Logs. */
  readonly encryptionKey: kms.IKey;
  /** Days to keep events (DATA-3); one of the values CloudWatch Logs accepts. */
  readonly retentionDays: number;
  /** What happens to the log group when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** @default a generated name */
  readonly logGroupName?: string;
}

/** A log group that is always KMS-encrypted with a retention period (NET-4, KEY-1, DATA-3). */
export class EncryptedLogGroup extends Construct {
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: EncryptedLogGroupProps) {
    super(scope, id);
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(props.retentionDays)) {
      throw new Error(
        `EncryptedLogGroup ${id}: retentionDays ${props.retentionDays} is not one of ${LOG_RETENTION_DAYS.join(', ')}`,
      );
    }
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: props.logGroupName,
      encryptionKey: props.encryptionKey,
      retention: props.retentionDays as logs.RetentionDays,
      removalPolicy: props.removalPolicy,
    });
  }
}
