import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { FunctionPlacement } from '../constructs/secure-function';
import { projectBuckets } from './project-buckets';
import { EnvironmentConfig, ResourceNames } from '../config';
import { ModelGate, ResolvedModel } from '../constructs/model-gate';
import { ModelRegistry } from '../constructs/model-registry';
import { ServedModelRecord } from '../constructs/served-model-record';
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
  /** The environment's registry (Data stack), named literally. */
  readonly registry: ModelRegistry;
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
 * The model release (MODEL-2, MODEL-3, MODEL-7): the deploy-time gate, which resolves the configured version in the
 * environment's registry (Data stack), refuses one that may not be served and verifies its artifact, and
 * the served-model record it writes for the stacks deployed after it (the SageMaker endpoint, the API).
 * The gate runs on every deployment; on a new account with no Approved version it records `none`, and the
 * rest of the environment deploys without a model (ENV-4).
 */
export class ServingStack extends Stack {
  readonly gate: ModelGate;
  /** The verified production model: `modelDataUrl`, `artifactSha256`, `modelVersion`, ... (deploy-time). */
  readonly servedModel: ResolvedModel;
  readonly shadowModel?: ResolvedModel;
  readonly record: ServedModelRecord;
  readonly mode: EnvironmentConfig['serving']['mode'];
  readonly image: ServingImage;

  constructor(scope: Construct, id: string, props: ServingStackProps) {
    super(scope, id, props);
    const buckets = projectBuckets(this, props.names);
    const env = props.environment;
    this.mode = env.serving.mode;
    this.image = servingImage(env);

    this.gate = new ModelGate(this, 'Gate', {
      registry: props.registry,
      placement: props.placement,
      modelBucket: buckets.model,
      modelKey: props.modelKey,
      artifactPrefix: ARTIFACT_PREFIX,
      requireApproval: env.requireModelApproval,
      fallbackImage: this.image.uri,
      servingMode: env.serving.mode,
      ...(env.serving.containerImage ? { imageOverride: env.serving.containerImage } : {}),
      deployNonce: props.deployNonce,
      robustness: env.robustness,
      decisionThreshold: env.api.riskThresholds.high,
    });
    this.servedModel = this.gate.resolve('ServedModel', env.serving.modelVersion);
    if (env.serving.mode === 'sagemaker' && env.serving.shadowModelVersion !== undefined) {
      // Same approval rule as production: in test and prod a candidate must be Approved even to shadow.
      this.shadowModel = this.gate.resolve('ShadowModel', env.serving.shadowModelVersion, {
        servedModel: this.servedModel,
      });
    }
    this.record = new ServedModelRecord(this, 'Record', {
      parameterPrefix: props.names.servedModelParameters,
      production: this.servedModel,
      shadow: this.shadowModel,
    });
    // What this deployment serves, for the operator watching it and for the deployment record.
    new CfnOutput(this, 'ServedModelVersion', { value: this.servedModel.modelVersion });
    new CfnOutput(this, 'ServedModelPackageArn', { value: this.servedModel.modelPackageArn });
    new CfnOutput(this, 'ServedArtifactSha256', { value: this.servedModel.artifactSha256 });
    // In dev (enforcement 'warn') this is where a missing or failing robustness assessment shows.
    new CfnOutput(this, 'ServedModelRobustness', { value: this.servedModel.robustness });
  }
}
