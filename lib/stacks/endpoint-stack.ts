import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DATA_BUCKET_PREFIXES, EnvironmentConfig, ResourceNames } from '../config';
import { InferenceEndpoint } from '../constructs/inference-endpoint';
import { ServedAnswerCheck } from '../constructs/served-answer-check';
import { ServedModelParameters } from '../constructs/served-model-record';
import { FunctionPlacement } from '../constructs/secure-function';
import { projectBuckets } from './project-buckets';
import { ARTIFACT_PREFIX, ServingImage } from './serving-stack';

export interface EndpointStackProps extends StackProps {
  readonly projectName: string;
  readonly environment: EnvironmentConfig;
  readonly names: ResourceNames;
  /** The VPC and keys the endpoint uses, as for the functions. */
  readonly placement: FunctionPlacement;
  readonly modelKey: kms.IKey;
  /** The environment's alert topic (AuditStack); rollback alarms notify it. */
  readonly alertTopic: sns.ITopic;
  /** The serving image and its repository (ServingStack), the only one the model role may pull. */
  readonly image: ServingImage;
}

/**
 * The SageMaker endpoint (MODEL-4, MODEL-5) in `sagemaker` mode. Its model, configuration, endpoint and
 * scaling exist only while the served-model record names a model: on the first deploy of a new account
 * (no Approved version yet) they are not created, and the deploy succeeds; the next deploy after a version
 * is approved creates them (ENV-4). Role, security group, log group and alarms exist either way.
 */
export class EndpointStack extends Stack {
  readonly endpoint: InferenceEndpoint;
  readonly served: ServedModelParameters;
  readonly shadow?: ServedModelParameters;
  /** MODEL-6: the deployment fails, and the endpoint rolls back, unless it answers the golden rows. */
  readonly answerCheck: ServedAnswerCheck;

  constructor(scope: Construct, id: string, props: EndpointStackProps) {
    super(scope, id, props);
    const env = props.environment;
    const buckets = projectBuckets(this, props.names);
    this.served = new ServedModelParameters(this, 'ServedModel', props.names.servedModelParameters);
    if (env.serving.shadowModelVersion !== undefined) {
      this.shadow = new ServedModelParameters(
        this,
        'ShadowModel',
        props.names.servedModelParameters,
        'shadow',
      );
    }
    this.endpoint = new InferenceEndpoint(this, 'Endpoint', {
      endpointName: props.names.endpoint,
      model: { source: this.served, whenServed: this.served.serves },
      shadowModel: this.shadow ? { source: this.shadow, whenServed: this.shadow.serves } : undefined,
      vpc: props.placement.vpc,
      instanceType: env.serving.instanceType,
      instanceCount: env.serving.instanceCount,
      maxInstanceCount: env.serving.maxInstanceCount,
      rollout: env.serving.rollout,
      dataCapturePercent: env.serving.dataCapturePercent,
      modelBucket: buckets.model,
      artifactPrefix: ARTIFACT_PREFIX,
      modelKey: props.modelKey,
      dataBucket: buckets.data,
      capturePrefix: DATA_BUCKET_PREFIXES.capture,
      dataKey: props.placement.dataKey,
      logsKey: props.placement.logsKey,
      logRetentionDays: props.placement.logRetentionDays,
      removalPolicy: props.placement.removalPolicy,
      alertTopic: props.alertTopic,
      imageRepositoryArns: [props.image.repositoryArn],
      executionRoleName: props.names.modelExecutionRole,
    });
    this.answerCheck = new ServedAnswerCheck(this, 'AnswerCheck', {
      placement: props.placement,
      endpoint: this.endpoint.endpoint,
      endpointConfig: this.endpoint.endpointConfig,
      model: this.served,
      modelKey: props.modelKey,
      whenServed: this.served.serves,
    });
    new CfnOutput(this, 'EndpointName', { value: this.endpoint.endpointName });
    new CfnOutput(this, 'ServedModelVersion', { value: this.served.modelVersion });
  }
}
