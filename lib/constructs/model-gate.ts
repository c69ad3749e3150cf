import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeRule } from '../compliance/acknowledge';
import type { RobustnessThresholds } from '../../src/robustness/thresholds';
import { ModelRegistry } from './model-registry';
import { wildcardResourceFinding } from './nag-finding';
import { FunctionPlacement } from './secure-function';
import { SecureProvider } from './secure-provider';

/** The CloudFormation type of every gate resource; the handler is `lambda/model-gate/handler.ts`. */
export const MODEL_GATE_RESOURCE_TYPE = 'Custom::ModelGate';

export interface ModelGateProps {
  /** The model package group the gate resolves versions in. */
  readonly registry: ModelRegistry;
  /** VPC, security group and keys of the gate function. */
  readonly placement: FunctionPlacement;
  /** The bucket `npm run model -- publish` uploads artifacts to. */
  readonly modelBucket: s3.IBucket;
  /** The key of the model bucket: the gate reads (and so decrypts) every artifact it verifies. */
  readonly modelKey: kms.IKey;
  /** Key prefix of the artifacts; the gate may read nothing else. @default 'models/' */
  readonly artifactPrefix?: string;
  /** Only `Approved` versions pass (MODEL-2); the configuration forces this on in test and prod. */
  readonly requireApproval: boolean;
  /**
   * Image used only when a registered container records none; the registry's image is preferred
   * because it is the one the approver saw. @default none: such a package is refused
   */
  readonly fallbackImage?: string;
  /**
   * How the model is served. In `sagemaker` mode the gate also reads the model inside the artifact and
   * refuses an official SageMaker XGBoost image known not to read it correctly (MODEL-6).
   * @default 'embedded'
   */
  readonly servingMode?: 'sagemaker' | 'embedded';
  /**
   * An image that replaces the one registered with the package (`serving.containerImage`); it goes
   * through the same check. @default the registered image
   */
  readonly imageOverride?: string;
  /**
   * What a version's robustness assessment must show before it serves here (MODEL-7); with enforcement
   * 'refuse' a version without one, or one that misses a threshold, stops the deployment.
   */
  readonly robustness: RobustnessThresholds;
  /** The decision threshold of this environment's API (api.riskThresholds.high); assessments must be measured at it. */
  readonly decisionThreshold: number;
  /**
   * A value that differs on every synth. CloudFormation calls a custom resource only when a property
   * changes; without this, `latest-approved` would be resolved once and never again.
   */
  readonly deployNonce: string;
}

/** What the gate resolved for one version selector, as deploy-time tokens for the model resource. */
export interface ResolvedModel {
  readonly resource: CustomResource;
  readonly modelDataUrl: string;
  readonly image: string;
  readonly modelPackageArn: string;
  readonly modelVersion: string;
  readonly artifactSha256: string;
  readonly approvalStatus: string;
  readonly artifactS3VersionId: string;
  /** 'meets the thresholds', or (enforcement 'warn') what the version misses. */
  readonly robustness: string;
  /** `arn:aws:s3:::<bucket>/<key>` of the verified artifact, or `none`. */
  readonly artifactObjectArn: string;
}

export interface ResolveOptions {
  /**
   * The production model, when this selector resolves a shadow candidate: the candidate is checked only
   * once a production model is served (before that, nothing is shadowed). @default checked always
   */
  readonly servedModel?: ResolvedModel;
}

/**
 * The deploy-time model gate (MODEL-2, MODEL-3): one provider, and one custom resource per version
 * selector (the production model, and a shadow candidate). Each resource resolves its version, refuses
 * one that is not approved where approval is required, re-hashes the artifact against the digest
 * recorded at publish time, and returns the model data location and image, which the served-model record
 * hands to the endpoint and the API: they therefore cannot change before the gate has passed. With
 * `latest-approved` and no Approved version yet (a new account), it resolves to `none` and nothing is
 * served until a version is approved (ENV-4).
 */
export class ModelGate extends Construct {
  readonly provider: SecureProvider;
  /** The gate's registry and artifact permissions, separate from the function's own hardening policy. */
  readonly policy: iam.ManagedPolicy;
  private readonly props: ModelGateProps;

  constructor(scope: Construct, id: string, props: ModelGateProps) {
    super(scope, id);
    const prefix = props.artifactPrefix ?? 'models/';
    if (!/^[\w./-]+\/$/.test(prefix) || prefix.startsWith('/')) {
      throw new Error(
        `ModelGate ${id}: artifactPrefix '${prefix}' must be a relative key prefix ending in '/'`,
      );
    }
    if (props.deployNonce.trim() === '') {
      throw new Error(
        `ModelGate ${id}: deployNonce must not be empty, or latest-approved is never re-resolved`,
      );
    }
    checkRobustnessProps(id, props);
    this.props = props;

    this.provider = new SecureProvider(this, 'Provider', {
      entry: 'lambda/model-gate/handler.ts',
      description: `Model gate: resolve, approve-check and digest-verify the served model (${props.registry.groupName})`,
      placement: props.placement,
      // Hashing streams the whole artifact; time and memory (and with it CPU) leave room for large models.
      timeout: Duration.minutes(10),
      memorySize: 1024,
    });

    this.policy = new iam.ManagedPolicy(this, 'GatePermissions', {
      description: `Model gate: read the registry and artifacts of ${props.registry.groupName}`,
      roles: [this.provider.handler.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'DescribeTheEnvironmentsGroup',
          actions: ['sagemaker:DescribeModelPackageGroup'],
          resources: [props.registry.groupArn],
        }),
        new iam.PolicyStatement({
          sid: 'DescribeVersionsOfTheGroup',
          actions: ['sagemaker:DescribeModelPackage'],
          resources: [props.registry.versionsArn],
        }),
        new iam.PolicyStatement({
          sid: 'ListVersionsToResolveLatestApproved',
          actions: ['sagemaker:ListModelPackages'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'ReadArtifactsToVerifyTheirDigest',
          actions: ['s3:GetObject'],
          resources: [props.modelBucket.arnForObjects(`${prefix}*`)],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptArtifactsThroughS3',
          actions: ['kms:Decrypt'],
          resources: [props.modelKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
        }),
      ],
    });

    acknowledgeRule(
      this.policy,
      'AwsSolutions-IAM5[Resource::*]',
      'sagemaker:ListModelPackages defines no resource type in the Service Authorization Reference, so it can only be granted on "*"; the gate filters by its own group name and every other registry action here is scoped to the group and its versions.',
    );
    acknowledgeRule(
      this.policy,
      wildcardResourceFinding(this.policy, props.registry.versionsArn),
      'Model package versions are numbered as they are published, so the gate reads "<group>/*": every version of this environment\'s group and nothing else; it must be able to resolve versions that do not exist yet.',
    );
    acknowledgeRule(
      this.policy,
      wildcardResourceFinding(this.policy, props.modelBucket.arnForObjects(`${prefix}*`)),
      'Artifacts are stored under content-addressed keys (models/sha256/<digest>/model.tar.gz) that are only known at publish time; the gate reads objects under the artifact prefix only, never other keys of the bucket.',
    );
  }

  /**
   * Adds one gate resource for a version selector and returns what it resolved. `id` is part of the
   * CloudFormation logical id: renaming it replaces the gate resource (harmless: it holds no state).
   */
  resolve(id: string, modelVersion: number | 'latest-approved', options: ResolveOptions = {}): ResolvedModel {
    const properties = this.properties(modelVersion);
    if (options.servedModel) properties.ServedModelVersion = options.servedModel.modelVersion;
    properties.ServingMode = this.props.servingMode ?? 'embedded';
    if (this.props.imageOverride) properties.ImageOverride = this.props.imageOverride;
    const resource = this.provider.resource(this, id, properties, MODEL_GATE_RESOURCE_TYPE);
    // The registry lives in the Data stack, which this stack depends on; the gate's own permissions first.
    resource.node.addDependency(this.policy);
    const att = (name: string) => resource.getAttString(name);
    return {
      resource,
      modelDataUrl: att('ModelDataUrl'),
      image: att('Image'),
      modelPackageArn: att('ModelPackageArn'),
      modelVersion: att('ModelVersion'),
      artifactSha256: att('ArtifactSha256'),
      approvalStatus: att('ApprovalStatus'),
      artifactS3VersionId: att('ArtifactS3VersionId'),
      artifactObjectArn: att('ArtifactObjectArn'),
      robustness: att('Robustness'),
    };
  }

  /** The gate resource's properties for a version selector (lambda/model-gate/core.ts GateResourceProperties). */
  properties(modelVersion: number | 'latest-approved'): Record<string, string> {
    if (modelVersion !== 'latest-approved' && (!Number.isInteger(modelVersion) || modelVersion < 1)) {
      throw new Error(
        `ModelGate ${this.node.id}: modelVersion must be 'latest-approved' or a positive integer`,
      );
    }
    const { robustness } = this.props;
    const properties: Record<string, string> = {
      ModelPackageGroupName: this.props.registry.groupName,
      ModelVersion: String(modelVersion),
      RequireApproval: String(this.props.requireApproval),
      DeployNonce: this.props.deployNonce,
      RobustnessEnforcement: robustness.enforcement,
      DecisionThreshold: String(this.props.decisionThreshold),
      MaxDecisionFlipRate: String(robustness.maxDecisionFlipRate),
      MaxMonotonicityViolations: String(robustness.maxMonotonicityViolations),
    };
    if (robustness.maxProbabilityChange !== undefined) {
      properties.MaxProbabilityChange = String(robustness.maxProbabilityChange);
    }
    if (robustness.minExtractionQueries !== undefined) {
      properties.MinExtractionQueries = String(robustness.minExtractionQueries);
    }
    if (this.props.fallbackImage) properties.FallbackImage = this.props.fallbackImage;
    return properties;
  }
}

function checkRobustnessProps(id: string, props: ModelGateProps): void {
  const { robustness: r, decisionThreshold } = props;
  const fail = (what: string) => {
    throw new Error(`ModelGate ${id}: ${what}`);
  };
  if (!(decisionThreshold > 0 && decisionThreshold < 1))
    fail(`decisionThreshold ${decisionThreshold} must be between 0 and 1`);
  if (r.enforcement !== 'refuse' && r.enforcement !== 'warn')
    fail(`robustness.enforcement must be 'refuse' or 'warn'`);
  if (!(r.maxDecisionFlipRate >= 0 && r.maxDecisionFlipRate <= 1)) {
    fail(`robustness.maxDecisionFlipRate ${r.maxDecisionFlipRate} must be between 0 and 1`);
  }
  if (!(Number.isInteger(r.maxMonotonicityViolations) && r.maxMonotonicityViolations >= 0)) {
    fail(
      `robustness.maxMonotonicityViolations ${r.maxMonotonicityViolations} must be a whole number of at least 0`,
    );
  }
  if (r.maxProbabilityChange !== undefined && !(r.maxProbabilityChange >= 0 && r.maxProbabilityChange <= 1)) {
    fail(`robustness.maxProbabilityChange ${r.maxProbabilityChange} must be between 0 and 1`);
  }
  if (
    r.minExtractionQueries !== undefined &&
    !(Number.isInteger(r.minExtractionQueries) && r.minExtractionQueries >= 0)
  ) {
    fail(`robustness.minExtractionQueries ${r.minExtractionQueries} must be a whole number of at least 0`);
  }
}
