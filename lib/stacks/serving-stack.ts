import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FunctionPlacement } from '../constructs/secure-function';
import { projectBuckets } from './project-buckets';
import { DATA_BUCKET_PREFIXES, EnvironmentConfig, ResourceNames } from '../config';
import { InferenceEndpoint } from '../constructs/inference-endpoint';
import { ModelGate, ResolvedModel } from '../constructs/model-gate';
import { ModelRegistry } from '../constructs/model-registry';
import { XGBOOST_IMAGE_ACCOUNTS, xgboostImageUri } from '../../src/registry/xgboost-image';

/** Where `npm run model -- publish` puts artifacts (its default `--key-prefix`). */
export const ARTIFACT_PREFIX = 'models/';

export interface ServingStackProps extends StackProps {
  readonly projectName: string;
  readonly environment: EnvironmentConfig;
  readonly names: ResourceNames;
  /** Where the gate function runs and what encrypts its data; the endpoint uses the same VPC and keys. */
  readonly placement: FunctionPlacement;
  readonly modelKey: kms.IKey;
  /** The environment's alert topic (AuditStack); rollback alarms notify it. */
  readonly alertTopic: sns.ITopic;
  /** Differs on every deployment so the gate runs every time (see ModelGateProps.deployNonce). */
  readonly deployNonce: string;
}

/** The container image a model package falls back to, and the ECR repository it lives in. */
export interface ServingImage {
  readonly uri: string;
  readonly repositoryArn: string;
}

/**
 * The configured image, or else the SageMaker built-in XGBoost image of the region. Fails at synth
 * for a region without a known built-in image, naming the setting that fixes it.
 */
export function servingImage(env: Pick<EnvironmentConfig, 'name' | 'region' | 'serving'>): ServingImage {
  let uri = env.serving.containerImage;
  if (!uri) {
    if (!XGBOOST_IMAGE_ACCOUNTS[env.region]) {
      throw new Error(
        `environments.${env.name}.serving.containerImage is required: no SageMaker built-in XGBoost image is known ` +
          `for region '${env.region}' (known: ${Object.keys(XGBOOST_IMAGE_ACCOUNTS).join(', ')})`,
      );
    }
    uri = xgboostImageUri(env.region);
  }
  const match =
    /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([\w./-]+?)(?::[\w.-]+|@sha256:[0-9a-f]{64})$/.exec(
      uri,
    );
  if (!match)
    throw new Error(`environments.${env.name}.serving.containerImage '${uri}' is not an ECR image URI`);
  const [, account, region, repository] = match;
  return { uri, repositoryArn: `arn:aws:ecr:${region}:${account}:repository/${repository}` };
}

/**
 * Model serving (MODEL-2..5): the environment's registry, the deploy-time gate and, in `sagemaker`
 * mode, the secure endpoint with blue/green rollout. In `embedded` mode there is no endpoint; the gate
 * still runs on every deployment and its verified artifact location is exposed for the API function.
 */
export class ServingStack extends Stack {
  readonly registry: ModelRegistry;
  readonly gate: ModelGate;
  /** The verified production model: `modelDataUrl`, `artifactSha256`, `modelVersion`, ... (deploy-time). */
  readonly servedModel: ResolvedModel;
  readonly shadowModel?: ResolvedModel;
  /** Absent in `embedded` mode. */
  readonly endpoint?: InferenceEndpoint;
  readonly mode: EnvironmentConfig['serving']['mode'];
  readonly image: ServingImage;

  constructor(scope: Construct, id: string, props: ServingStackProps) {
    super(scope, id, props);
    const buckets = projectBuckets(this, props.names);
    const env = props.environment;
    this.mode = env.serving.mode;
    this.image = servingImage(env);

    this.registry = new ModelRegistry(this, 'Registry', {
      groupName: props.names.modelPackageGroup,
      description: `Churn model versions for ${env.name}: artifact digest, commit, data version and metrics`,
      removalPolicy: props.placement.removalPolicy,
    });
    this.gate = new ModelGate(this, 'Gate', {
      registry: this.registry,
      placement: props.placement,
      modelBucket: buckets.model,
      modelKey: props.modelKey,
      artifactPrefix: ARTIFACT_PREFIX,
      requireApproval: env.requireModelApproval,
      fallbackImage: this.image.uri,
      deployNonce: props.deployNonce,
    });
    this.servedModel = this.gate.resolve('ServedModel', env.serving.modelVersion);
    // What this deployment serves, for the operator watching it and for the deployment record.
    new CfnOutput(this, 'ServedModelVersion', { value: this.servedModel.modelVersion });
    new CfnOutput(this, 'ServedModelPackageArn', { value: this.servedModel.modelPackageArn });
    new CfnOutput(this, 'ServedArtifactSha256', { value: this.servedModel.artifactSha256 });

    if (env.serving.mode !== 'sagemaker') return;
    if (env.serving.shadowModelVersion !== undefined) {
      // Same approval rule as production: in test and prod a candidate must be Approved even to shadow.
      this.shadowModel = this.gate.resolve('ShadowModel', env.serving.shadowModelVersion);
    }
    this.endpoint = new InferenceEndpoint(this, 'Endpoint', {
      endpointName: `${props.projectName}-${env.name}`,
      model: this.servedModel,
      shadowModel: this.shadowModel,
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
      imageRepositoryArns: [this.image.repositoryArn],
      executionRoleName: props.names.modelExecutionRole,
    });
    new CfnOutput(this, 'EndpointName', { value: this.endpoint.endpointName });
  }
}
