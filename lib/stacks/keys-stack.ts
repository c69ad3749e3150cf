import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config';
import { EncryptionKey } from '../constructs/encryption-key';

export interface KeysStackProps extends StackProps {
  readonly projectName: string;
  readonly environment: EnvironmentConfig;
  readonly removalPolicy: RemovalPolicy;
  /** Name of the environment's trail (`resourceNames().trail`), the only trail the logs key serves. */
  readonly trailName: string;
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
    this.dataKey.key.addToResourcePolicy(macieServiceLinkedRoleDecrypt(this.account, this.region));
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
    this.logsKey.allowSnsPublisher('CloudWatchAlarmsPublishAlerts', 'cloudwatch.amazonaws.com');
    this.logsKey.allowSnsPublisher('EventBridgeRulesPublishAlerts', 'events.amazonaws.com');
    this.logsKey.allowCloudWatchLogs();
    this.logsKey.allowCloudTrail(
      `arn:${this.partition}:cloudtrail:${this.region}:${this.account}:trail/${props.trailName}`,
    );
  }
}

/** Sid of the data key's statement for Macie (DATA-2); tests and the compliance report look it up. */
export const MACIE_DECRYPT_SID = 'MacieServiceLinkedRoleReadsTheDataBucket';

/** The role Macie reads S3 objects with; AWS creates it when Macie is enabled in the account. */
export function macieServiceLinkedRoleArn(account: string): string {
  return `arn:aws:iam::${account}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`;
}

/**
 * Lets Macie's service-linked role decrypt objects of the data bucket (DATA-2); without it a
 * classification job reports every SSE-KMS object as unreadable. The role's AWS-managed policy has no
 * KMS permissions, so the key policy must grant the role itself (delegating to IAM through the account
 * principal would grant nothing). It is named by `aws:PrincipalArn` under a `*` principal rather than
 * as the principal: KMS rejects a key policy whose principal does not exist yet, and the role only
 * appears when Macie is enabled, after this stack. `kms:ViaService` s3 limits it to S3 reading
 * objects for Macie, and `kms:CallerAccount` to this account; decrypt only, never encrypt.
 */
export function macieServiceLinkedRoleDecrypt(account: string, region: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: MACIE_DECRYPT_SID,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:Decrypt'],
    resources: ['*'],
    conditions: {
      ArnEquals: { 'aws:PrincipalArn': macieServiceLinkedRoleArn(account) },
      StringEquals: { 'kms:CallerAccount': account, 'kms:ViaService': `s3.${region}.amazonaws.com` },
    },
  });
}
