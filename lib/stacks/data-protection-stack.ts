import { Stack, StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DATA_BUCKET_PREFIXES, EnvironmentConfig, ProjectSettings, ResourceNames } from '../config';
import { MacieScanning } from '../constructs/macie-scanning';
import { MfaDeleteCheck } from '../constructs/mfa-delete-check';
import { RuntimeSecret } from '../constructs/runtime-secret';
import { FunctionPlacement } from '../constructs/secure-function';

export interface DataProtectionStackProps extends StackProps {
  readonly project: ProjectSettings;
  readonly environment: EnvironmentConfig;
  readonly names: ResourceNames;
  /** Where the functions run and what encrypts their data. */
  readonly placement: FunctionPlacement;
  /** The one alert topic (MON-3). */
  readonly alertTopic: sns.ITopic;
}

/**
 * What watches the data rather than stores it: Macie classification of customer data and captures
 * (DATA-2), the runtime MFA Delete check of the model bucket (MODEL-1), and the runtime secrets the
 * workloads share (SEC-1). Buckets are referenced by their registered names, so this stack can be
 * replaced without touching the buckets' stack.
 */
export class DataProtectionStack extends Stack {
  readonly macie: MacieScanning;
  readonly mfaDeleteCheck: MfaDeleteCheck;
  /** Signs alert webhooks sent to external on-call tooling; readers call `grantRead`. */
  readonly alertWebhookSigningSecret: RuntimeSecret;

  constructor(scope: Construct, id: string, props: DataProtectionStackProps) {
    super(scope, id, props);
    const env = props.environment;
    const { placement } = props;

    this.macie = new MacieScanning(this, 'Macie', {
      enableInAccount: env.macie.enableInAccount,
      scheduleFrequency: env.macie.scheduleFrequency,
      minimumAlertSeverity: env.macie.minimumAlertSeverity,
      customerIdPattern: props.project.customerIdPattern,
      bucketName: props.names.buckets.data,
      prefixes: [DATA_BUCKET_PREFIXES.customerData, DATA_BUCKET_PREFIXES.capture],
      jobNamePrefix: `${props.project.name}-${env.name}-pii`,
      alertTopic: props.alertTopic,
      placement,
    });

    this.mfaDeleteCheck = new MfaDeleteCheck(this, 'MfaDeleteCheck', {
      bucketName: props.names.buckets.model,
      metricNamespace: props.names.metricNamespace,
      placement,
      alertTopic: props.alertTopic,
    });

    this.alertWebhookSigningSecret = new RuntimeSecret(this, 'AlertWebhookSigningSecret', {
      description: `HMAC key that signs alert webhooks to external on-call tooling (${env.name})`,
      encryptionKey: placement.dataKey,
      placement,
    });
  }
}
