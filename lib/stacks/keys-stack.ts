import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config';
import { EncryptionKey } from '../constructs/encryption-key';

export interface KeysStackProps extends StackProps {
  readonly projectName: string;
  readonly environment: EnvironmentConfig;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * One customer-managed key per purpose (KEY-3): disabling one is a kill switch for that data alone.
 * Keys live in their own stack because they outlive everything they encrypt.
 */
export class KeysStack extends Stack {
  readonly dataKey: EncryptionKey;
  readonly modelKey: EncryptionKey;
  readonly logsKey: EncryptionKey;

  constructor(scope: Construct, id: string, props: KeysStackProps) {
    super(scope, id, props);
    const prefix = `${props.projectName}/${props.environment.name}`;

    this.dataKey = new EncryptionKey(this, 'DataKey', {
      aliasName: `${prefix}/data`,
      description: `Customer data, inference capture, reports, function environments and secrets (${props.environment.name})`,
      removalPolicy: props.removalPolicy,
      // s3: the data bucket; sagemaker: endpoint data capture; lambda: function environments;
      // secretsmanager: runtime secrets; sqs: encrypted dead-letter queues.
      viaServices: ['s3', 'sagemaker', 'lambda', 'secretsmanager', 'sqs'],
    });
    this.modelKey = new EncryptionKey(this, 'ModelKey', {
      aliasName: `${prefix}/model`,
      description: `Model artifacts and SageMaker ML storage volumes (${props.environment.name})`,
      removalPolicy: props.removalPolicy,
      // s3: the model bucket; sagemaker and ec2: SageMaker encrypts endpoint volumes through EBS.
      viaServices: ['s3', 'sagemaker', 'ec2'],
    });
    this.logsKey = new EncryptionKey(this, 'LogsKey', {
      aliasName: `${prefix}/logs`,
      description: `CloudWatch log groups, the CloudTrail trail and the alert topic (${props.environment.name})`,
      removalPolicy: props.removalPolicy,
      // s3: reading trail files back from the trail bucket; logs: reading encrypted log groups;
      // sns: subscribers reading alerts.
      viaServices: ['s3', 'logs', 'sns'],
    });
    // Alarms and EventBridge rules publish to the encrypted alert topic as these services.
    for (const [sid, service] of [
      ['CloudWatchAlarmsPublishAlerts', 'cloudwatch.amazonaws.com'],
      ['EventBridgeRulesPublishAlerts', 'events.amazonaws.com'],
    ]) {
      this.logsKey.allowServicePrincipal(sid, service, ['kms:GenerateDataKey*', 'kms:Decrypt']);
    }
    this.logsKey.allowCloudWatchLogs();
    this.logsKey.allowServicePrincipal(
      'CloudTrailEncryptsThisAccountsTrails',
      'cloudtrail.amazonaws.com',
      ['kms:GenerateDataKey*', 'kms:DescribeKey'],
      {
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${this.account}:trail/*`,
        },
      },
    );
  }
}
