import { Aspects, RemovalPolicy, Stage, StageProps, Tags } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { EnvironmentConfig, ProjectSettings, resourceNames } from '../config';
import { githubRepositoryFrom } from '../constructs/github-oidc-deploy-role';
import { FunctionPlacement } from '../constructs/secure-function';
import { ApiStack } from '../stacks/api-stack';
import { AuditStack } from '../stacks/audit-stack';
import { CicdStack } from '../stacks/cicd-stack';
import { DataProtectionStack } from '../stacks/data-protection-stack';
import { DataStack } from '../stacks/data-stack';
import { EndpointStack } from '../stacks/endpoint-stack';
import { KeysStack } from '../stacks/keys-stack';
import { MonitoringStack } from '../stacks/monitoring-stack';
import { NetworkStack } from '../stacks/network-stack';
import { ServingStack } from '../stacks/serving-stack';
import { TagRawResources } from './tag-raw-resources';

export interface EnvironmentStageProps extends StageProps {
  readonly project: ProjectSettings;
  readonly environment: EnvironmentConfig;
  /** The commit the templates were built from (ENV-3 `source-commit` tag). */
  readonly sourceCommit: string;
}

/** Tag keys every resource carries (ENV-3). */
export const TAG_KEYS = {
  environment: 'environment',
  dataClassification: 'data-classification',
  owner: 'owner',
  sourceCommit: 'source-commit',
  project: 'project',
} as const;

/**
 * ENV-3: the project's tags on every resource under `scope`, through CDK's tagging and, for raw
 * CloudFormation resources CDK does not tag, `TagRawResources`.
 */
export function tagProjectResources(
  scope: IConstruct,
  project: Pick<ProjectSettings, 'name' | 'dataClassification' | 'owner'>,
  environmentName: string,
  sourceCommit: string,
): void {
  const tags: Record<string, string> = {
    [TAG_KEYS.project]: project.name,
    [TAG_KEYS.environment]: environmentName,
    [TAG_KEYS.dataClassification]: project.dataClassification,
    [TAG_KEYS.owner]: project.owner,
    [TAG_KEYS.sourceCommit]: sourceCommit,
  };
  for (const [key, value] of Object.entries(tags)) Tags.of(scope).add(key, value);
  Aspects.of(scope).add(new TagRawResources(tags));
}

/**
 * One environment in its own account (ENV-1): stacks split by lifecycle and wired by passing
 * constructs. Keys outlive everything; the network and buckets come next; the trail records them.
 */
export class EnvironmentStage extends Stage {
  readonly keys: KeysStack;
  readonly network: NetworkStack;
  readonly data: DataStack;
  readonly audit: AuditStack;
  readonly serving: ServingStack;
  /** The SageMaker endpoint, in `sagemaker` mode. */
  readonly endpoint?: EndpointStack;
  readonly api: ApiStack;
  readonly dataProtection: DataProtectionStack;
  readonly cicd: CicdStack;
  readonly monitoring: MonitoringStack;

  constructor(scope: Construct, id: string, props: EnvironmentStageProps) {
    const env = props.environment;
    super(scope, id, { ...props, env: { account: env.account, region: env.region } });
    // 'retain' keeps data-bearing resources when their stack is deleted or they are replaced (ENV-2), but
    // deletes them when the operation that created them rolls back (DeletionPolicy RetainExceptOnCreate):
    // a failed first deploy leaves no named bucket, log group or registry behind to block its retry (ENV-4).
    const removalPolicy =
      env.removalPolicy === 'retain' ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
    const names = resourceNames(props.project.name, env);
    const common = { terminationProtection: env.terminationProtection };
    const describe = (what: string) => `${props.project.name} ${env.name}: ${what}`;

    this.keys = new KeysStack(this, 'Keys', {
      ...common,
      description: describe('customer-managed KMS keys per purpose'),
      projectName: props.project.name,
      environment: env,
      removalPolicy,
      trailName: names.trail,
    });
    this.network = new NetworkStack(this, 'Network', {
      ...common,
      description: describe('isolated VPC, PrivateLink endpoints and flow logs'),
      environment: env,
      names,
      logsKey: this.keys.logsKey.key,
      removalPolicy,
    });
    this.data = new DataStack(this, 'Data', {
      ...common,
      description: describe('model registry, model artifact, data and access-log buckets'),
      environment: env,
      names,
      cdkQualifier: props.project.cdkQualifier,
      dataKey: this.keys.dataKey.key,
      modelKey: this.keys.modelKey.key,
      s3Endpoint: this.network.network.s3Endpoint,
      removalPolicy,
    });
    this.audit = new AuditStack(this, 'Audit', {
      ...common,
      description: describe('CloudTrail with S3 data events'),
      environment: env,
      names,
      logsKey: this.keys.logsKey.key,
      dataEventBuckets: [this.data.modelBucket.bucket, this.data.dataBucket.bucket],
      removalPolicy,
    });
    // The trail bucket logs to the access-log bucket, named rather than referenced: it must exist first.
    this.audit.addStackDependency(this.data);

    // Where every workload function runs and what encrypts its data (NET-1, KEY-1).
    const placement: FunctionPlacement = {
      vpc: this.network.network.vpc,
      securityGroup: this.network.network.workloadSecurityGroup,
      dataKey: this.keys.dataKey.key,
      logsKey: this.keys.logsKey.key,
      logRetentionDays: env.logRetentionDays,
      removalPolicy,
    };

    this.dataProtection = new DataProtectionStack(this, 'DataProtection', {
      ...common,
      description: describe('Macie classification, MFA Delete check and runtime secrets'),
      project: props.project,
      environment: env,
      names,
      placement,
      alertTopic: this.audit.alerts.topic,
    });
    // Macie reads the data bucket and the check reads the model bucket by name, not by reference.
    this.dataProtection.addStackDependency(this.data);

    // Changes on every synth so the model gate re-resolves latest-approved and re-verifies the artifact;
    // pass -c deployNonce=<pipeline run id> for a reproducible template.
    const deployNonce = String(this.node.tryGetContext('deployNonce') ?? new Date().toISOString());
    this.serving = new ServingStack(this, 'Serving', {
      ...common,
      description: describe('deploy-time model gate and the served-model record'),
      projectName: props.project.name,
      environment: env,
      names,
      placement,
      modelKey: this.keys.modelKey.key,
      registry: this.data.registry,
      deployNonce,
    });
    // Serving names the buckets and the registry by their registered names, not by reference.
    this.serving.addStackDependency(this.data);

    // The endpoint and the API read the served-model record when they deploy, so they come after Serving.
    if (env.serving.mode === 'sagemaker') {
      this.endpoint = new EndpointStack(this, 'Endpoint', {
        ...common,
        description: describe('SageMaker endpoint of the served model (none until a version is approved)'),
        projectName: props.project.name,
        environment: env,
        names,
        placement,
        modelKey: this.keys.modelKey.key,
        alertTopic: this.audit.alerts.topic,
        image: this.serving.image,
      });
      this.endpoint.addStackDependency(this.serving);
      this.endpoint.addStackDependency(this.data);
    }

    this.api = new ApiStack(this, 'Api', {
      ...common,
      description: describe('WAF-protected inference API, inference function and pseudonymisation key'),
      project: props.project,
      environment: env,
      names,
      placement,
      modelKey: this.keys.modelKey.key,
      endpointName: this.endpoint?.endpoint.endpointName,
      removalPolicy,
    });
    // The Api names the buckets by their registered names and reads the served-model record.
    this.api.addStackDependency(this.data);
    this.api.addStackDependency(this.serving);
    if (this.endpoint) this.api.addStackDependency(this.endpoint);

    this.monitoring = new MonitoringStack(this, 'Monitoring', {
      ...common,
      description: describe('drift check, alarms, automated rollback and dashboard'),
      projectName: props.project.name,
      environment: env,
      names,
      placement,
      modelKey: this.keys.modelKey.key,
      alertTopic: this.audit.alerts.topic,
      endpoint: this.endpoint?.endpoint,
      api: {
        restApi: this.api.protectedApi.restApi,
        inferenceFunction: this.api.inference.function,
        webAclName: this.api.protectedApi.webAcl.name!,
        clientKeys: this.api.protectedApi.clientKeys,
      },
      captureStreamPrefix: this.api.inference.captureStreamPrefix,
    });

    this.monitoring.addStackDependency(this.data);

    // SEC-3: the GitHub OIDC deploy role; deployed once by an administrator, then used by every pipeline run.
    this.cicd = new CicdStack(this, 'Cicd', {
      ...common,
      description: describe('GitHub OIDC provider and deploy role'),
      projectName: props.project.name,
      environment: env,
      cdkQualifier: props.project.cdkQualifier,
      githubRepository: githubRepositoryFrom(this),
    });

    tagProjectResources(this, props.project, env.name, props.sourceCommit);
    // The commit changes on every deploy. The MFA-guarded model bucket does not carry it, so a routine
    // deploy never asks CloudFormation to update the bucket (its policy denies configuration changes
    // without MFA). Stack-level tags, which CloudFormation would propagate to it, are explicit only
    // (@aws-cdk/core:explicitStackTags), and none is set.
    Tags.of(this.data.modelBucket.bucket).remove(TAG_KEYS.sourceCommit);
  }
}
