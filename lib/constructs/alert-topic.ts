import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertTopicProps {
  /** Encrypts alert messages (KEY-1); its policy must let CloudWatch and EventBridge use it. */
  readonly encryptionKey: kms.IKey;
  /** @default no subscription; subscribe on-call tooling yourself */
  readonly email?: string;
}

/**
 * The one place alarms and security findings go (MON-3): KMS-encrypted, TLS-only, and publishable
 * only by CloudWatch alarms and EventBridge rules of this account.
 */
export class AlertTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    if (props.email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.email)) {
      throw new Error(`AlertTopic ${id}: email '${props.email}' is not an e-mail address`);
    }
    this.topic = new sns.Topic(this, 'Topic', { masterKey: props.encryptionKey, enforceSSL: true });
    const account = Stack.of(this).account;
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      this.topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `PublishBy${service.split('.')[0]}`,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['sns:Publish'],
          resources: [this.topic.topicArn],
          conditions: { StringEquals: { 'aws:SourceAccount': account } },
        }),
      );
    }
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }
}
