import { Aws, CfnCondition, CfnResource, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeRule } from '../compliance/acknowledge';
import { BOUNDS, requireWithin } from '../config';
import { EncryptedLogGroup } from './encrypted-log-group';
import { ManagedPolicyRole } from './managed-policy-role';
import { IConstruct } from 'constructs';
import { wildcardResourceFinding } from './nag-finding';

/** The production variant keeps this name in every endpoint config: blue/green requires it. */
export const PRODUCTION_VARIANT = 'primary';
export const SHADOW_VARIANT = 'shadow';

// Families whose storage is local NVMe instance store only: SageMaker attaches no EBS volume, so an
// endpoint config with a volume KmsKeyId is rejected. A 'd' in the attribute letters after the
// generation (m5d, c5d, r5d, g4dn, p3dn, p4d, p4de, m6gd, c6id, x2iedn) marks instance storage; the
// listed GPU/Trainium families have NVMe storage without the letter.
const NVME_FAMILIES_WITHOUT_D = new Set(['g5', 'g6', 'g6e', 'gr6', 'p5', 'p5e', 'p5en', 'trn1', 'trn1n']);

/** True for SageMaker instance types that have local NVMe storage and cannot take a volume KMS key. */
export function hasInstanceStorageOnly(instanceType: string): boolean {
  const match = /^ml\.([a-z]+)(\d+)([a-z-]*)\./.exec(instanceType);
  if (!match) return false;
  const [, family, generation, attributes] = match;
  return attributes.includes('d') || NVME_FAMILIES_WITHOUT_D.has(`${family}${generation}${attributes}`);
}

export type RolloutStrategyName = 'canary' | 'linear';

export interface RolloutSettings {
  readonly strategy: RolloutStrategyName;
  /** Canary size, or linear step, in percent of the new fleet's capacity. */
  readonly stepPercent: number;
  /** Minutes between traffic steps, and the bake time after the last one (alarms still watched). */
  readonly waitMinutes: number;
}

/** When the rollback alarms fire; every one also notifies the alert topic. */
export interface RollbackThresholds {
  /** Share of invocations answered 5XX (Invocation5XXErrors average), per minute. */
  readonly serverErrorRate: number;
  /** Share of invocations answered 4XX, which includes a container's error answers (ModelError). */
  readonly clientErrorRate: number;
  /** InvocationModelErrors per minute: the container failed, timed out or answered malformed. */
  readonly modelErrorsPerMinute: number;
  /** 99th percentile of ModelLatency (time inside the container), in milliseconds. */
  readonly p99LatencyMs: number;
}

/**
 * Thresholds for a small tree model answering in single-digit milliseconds: a healthy endpoint sits
 * far below all of them, so an alarm means the new fleet is broken rather than the old one noisy.
 */
export const DEFAULT_ROLLBACK_THRESHOLDS: RollbackThresholds = {
  serverErrorRate: 0.005,
  clientErrorRate: 0.02,
  modelErrorsPerMinute: 5,
  p99LatencyMs: 500,
};

/** A model as the gate verified it, and whether one is served at all in this deployment. */
export interface EndpointModel {
  /** Where the artifact and image come from: the served-model record the gate wrote. */
  readonly source: { readonly modelDataUrl: string; readonly image: string };
  /**
   * Holds while a model is served; the SageMaker resources that need it exist only then.
   * @default always served
   */
  readonly whenServed?: CfnCondition;
}

export interface InferenceEndpointProps {
  /** Fixed, so API callers, the capture prefix and the log group can name it before it exists. */
  readonly endpointName: string;
  /** The gate-verified production model. */
  readonly model: EndpointModel;
  /** A candidate that receives a copy of live traffic; its answers are discarded. @default none */
  readonly shadowModel?: EndpointModel;
  /** The VPC whose isolated subnets host the model (NET-1). */
  readonly vpc: ec2.IVpc;
  /** SageMaker instance type of the production variant (EBS-backed, so the volume key applies). */
  readonly instanceType: string;
  /** Instances of the production variant; also the auto-scaling minimum. */
  readonly instanceCount: number;
  /** Upper bound for invocation-based auto scaling; at least instanceCount. */
  readonly maxInstanceCount: number;
  /** Blue/green traffic shifting: strategy, step size and wait per step. */
  readonly rollout: RolloutSettings;
  /** Percent of requests captured (DATA-3 keeps them only for the capture retention). */
  readonly dataCapturePercent: number;
  /** The model bucket the execution role reads artifacts from. */
  readonly modelBucket: s3.IBucket;
  /** @default 'models/' */
  readonly artifactPrefix?: string;
  /** Decrypts artifacts and encrypts the endpoint's ML storage volumes (KEY-1). */
  readonly modelKey: kms.IKey;
  /** The data bucket data capture writes to. */
  readonly dataBucket: s3.IBucket;
  /** Capture goes to `<capturePrefix><endpointName>/`. */
  readonly capturePrefix: string;
  /** Encrypts captured requests and answers. */
  readonly dataKey: kms.IKey;
  /** Encrypts the endpoint's log groups. */
  readonly logsKey: kms.IKey;
  /** Retention of the endpoint's log groups, in days CloudWatch Logs accepts. */
  readonly logRetentionDays: number;
  /** What happens to the endpoint's log groups when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** Every rollback alarm notifies it (MON-3). */
  readonly alertTopic: sns.ITopic;
  /**
   * ECR repositories the execution role may pull from (`arn:aws:ecr:<region>:<account>:repository/<name>`):
   * the built-in XGBoost repository or the configured image's. A package naming another repository
   * cannot be pulled, so the endpoint update fails and rolls back instead of running an unreviewed image.
   */
  readonly imageRepositoryArns: readonly string[];
  /** A fixed name lets an operator add the role to a bucket's perimeter exemptions. @default generated */
  readonly executionRoleName?: string;
  /** @default DEFAULT_ROLLBACK_THRESHOLDS */
  readonly rollbackThresholds?: Partial<RollbackThresholds>;
  /** Target of SageMakerVariantInvocationsPerInstance (per instance per minute). @default 1000 */
  readonly targetInvocationsPerInstance?: number;
}

/**
 * A SageMaker real-time endpoint built to MODEL-4/MODEL-5: the model runs in the isolated subnets with
 * network isolation on and a security group of its own, its role can read only the artifact prefix and
 * write only its capture prefix and log group, ML volumes and captured data are encrypted with
 * customer-managed keys, every request and answer is captured at the configured rate, the production
 * variant scales on invocations per instance, and a new model reaches traffic through blue/green
 * canary or linear shifting that rolls back on the alarms created here.
 */
export class InferenceEndpoint extends Construct {
  readonly endpointName: string;
  /** Holds while a production model is served (always, when no condition was given). */
  readonly whenServed?: CfnCondition;
  readonly securityGroup: ec2.SecurityGroup;
  readonly executionRole: ManagedPolicyRole;
  readonly logGroup: EncryptedLogGroup;
  readonly model: sagemaker.CfnModel;
  readonly shadowModel?: sagemaker.CfnModel;
  readonly endpointConfig: sagemaker.CfnEndpointConfig;
  readonly endpoint: sagemaker.CfnEndpoint;
  readonly rollbackAlarms: Readonly<
    Record<'serverErrors' | 'clientErrors' | 'modelErrors' | 'latency', cloudwatch.Alarm>
  >;
  readonly scalableTarget: appscaling.ScalableTarget;
  /** The S3 URI captured requests and answers are written under. */
  readonly captureUri: string;

  constructor(scope: Construct, id: string, props: InferenceEndpointProps) {
    super(scope, id);
    validate(id, props);
    const stack = Stack.of(this);
    const thresholds = { ...DEFAULT_ROLLBACK_THRESHOLDS, ...props.rollbackThresholds };
    const artifactPrefix = props.artifactPrefix ?? 'models/';
    const capturePrefix = `${props.capturePrefix}${props.endpointName}/`;
    this.endpointName = props.endpointName;
    this.captureUri = `s3://${props.dataBucket.bucketName}/${capturePrefix}`;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `SageMaker model ${props.endpointName}: HTTPS to S3 only`,
      allowAllOutbound: false,
    });
    // Network isolation leaves the container no network at all; the interfaces only carry SageMaker's
    // own artifact download and capture upload, which go to S3 through the gateway endpoint route. As
    // in the isolated network, the S3 prefix list would need an account lookup at synth; the isolated
    // route tables confine this rule to the VPC and the S3 route.
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to S3 through the gateway endpoint route',
    );

    this.logGroup = new EncryptedLogGroup(this, 'Logs', {
      // The name SageMaker writes endpoint container logs to; created here so it is encrypted and expires.
      logGroupName: `/aws/sagemaker/Endpoints/${props.endpointName}`,
      encryptionKey: props.logsKey,
      retentionDays: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
    });

    this.rollbackAlarms = this.createRollbackAlarms(props, thresholds);

    this.executionRole = new ManagedPolicyRole(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `SageMaker execution role of endpoint ${props.endpointName}`,
    });
    if (props.executionRoleName) {
      (this.executionRole.node.defaultChild as iam.CfnRole).roleName = props.executionRoleName;
    }
    const allow = (sid: string, actions: string[], resources: string[]) =>
      this.executionRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid, actions, resources }));
    allow('ReadModelArtifacts', ['s3:GetObject'], [props.modelBucket.arnForObjects(`${artifactPrefix}*`)]);
    allow('DecryptModelArtifacts', ['kms:Decrypt'], [props.modelKey.keyArn]);
    allow(
      'WriteCaptureOfThisEndpoint',
      ['s3:PutObject'],
      [props.dataBucket.arnForObjects(`${capturePrefix}*`)],
    );
    allow('EncryptCapture', ['kms:GenerateDataKey', 'kms:Encrypt'], [props.dataKey.keyArn]);
    allow(
      'WriteOwnLogGroup',
      ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      [this.logGroup.logGroup.logGroupArn],
    );
    // SageMaker reads the rollback alarms' state with the execution role during a deployment.
    allow(
      'ReadRollbackAlarms',
      ['cloudwatch:DescribeAlarms'],
      Object.values(this.rollbackAlarms).map((a) => a.alarmArn),
    );
    if (props.imageRepositoryArns.length > 0) {
      allow(
        'PullServingImage',
        ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        [...props.imageRepositoryArns],
      );
      allow('EcrLogin', ['ecr:GetAuthorizationToken'], ['*']);
    }
    // Network interfaces in the isolated subnets for the model (what SageMaker documents for VpcConfig).
    this.executionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ModelNetworkInterfacesInThisRegion',
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:CreateNetworkInterfacePermission',
          'ec2:DeleteNetworkInterface',
          'ec2:DeleteNetworkInterfacePermission',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeVpcs',
          'ec2:DescribeDhcpOptions',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
        ],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } },
      }),
    );

    this.whenServed = props.model.whenServed;
    const subnetIds = props.vpc.isolatedSubnets.map((s) => s.subnetId);
    const modelResource = (modelId: string, served: EndpointModel) => {
      const model = new sagemaker.CfnModel(this, modelId, {
        executionRoleArn: this.executionRole.roleArn,
        enableNetworkIsolation: true,
        vpcConfig: { subnets: subnetIds, securityGroupIds: [this.securityGroup.securityGroupId] },
        // Both values come from the gate's record, so the model cannot change before the gate has passed.
        primaryContainer: {
          image: served.source.image,
          modelDataUrl: served.source.modelDataUrl,
          mode: 'SingleModel',
        },
      });
      if (served.whenServed) model.cfnOptions.condition = served.whenServed;
      // SageMaker checks at CreateModel that it can use the role, so its permissions must exist first.
      model.node.addDependency(this.executionRole.policy);
      return model;
    };
    this.model = modelResource('Model', props.model);
    if (props.shadowModel) this.shadowModel = modelResource('ShadowModel', props.shadowModel);
    const shadowCondition = props.shadowModel?.whenServed;

    const variant = (variantName: string, model: sagemaker.CfnModel) => ({
      variantName,
      modelName: model.attrModelName,
      instanceType: props.instanceType,
      initialInstanceCount: props.instanceCount,
      initialVariantWeight: 1,
    });
    this.endpointConfig = new sagemaker.CfnEndpointConfig(this, 'Config', {
      // Fixed in code rather than taken from props: KEY-1 is not optional for this construct.
      kmsKeyId: props.modelKey.keyArn,
      productionVariants: [variant(PRODUCTION_VARIANT, this.model)],
      // A shadow variant with the production variant's weight receives a copy of every request, once the
      // candidate is served (its gate resolves it only when a production model is).
      shadowProductionVariants: !this.shadowModel
        ? undefined
        : shadowCondition
          ? // Inside Fn::If the L1 does not rename properties, so the branch is written as CloudFormation.
            (Fn.conditionIf(
              shadowCondition.logicalId,
              [asCloudFormation(variant(SHADOW_VARIANT, this.shadowModel))],
              Aws.NO_VALUE,
            ) as unknown as sagemaker.CfnEndpointConfig.ProductionVariantProperty[])
          : [variant(SHADOW_VARIANT, this.shadowModel)],
      dataCaptureConfig: {
        enableCapture: true,
        initialSamplingPercentage: props.dataCapturePercent,
        destinationS3Uri: this.captureUri,
        kmsKeyId: props.dataKey.keyArn,
        captureOptions: [{ captureMode: 'Input' }, { captureMode: 'Output' }],
        // Declared types are captured as text (encoding CSV/JSON) that the drift check reads directly.
        captureContentTypeHeader: { csvContentTypes: ['text/csv'], jsonContentTypes: ['application/json'] },
      },
    });

    this.endpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', {
      endpointName: props.endpointName,
      endpointConfigName: this.endpointConfig.attrEndpointConfigName,
      deploymentConfig: {
        blueGreenUpdatePolicy: blueGreenPolicy(props.rollout),
        autoRollbackConfiguration: {
          alarms: Object.values(this.rollbackAlarms).map((a) => ({ alarmName: a.alarmName })),
        },
      },
    });
    this.endpoint.node.addDependency(this.executionRole.policy);

    this.scalableTarget = new appscaling.ScalableTarget(this, 'Scaling', {
      serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
      resourceId: `endpoint/${props.endpointName}/variant/${PRODUCTION_VARIANT}`,
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: props.instanceCount,
      maxCapacity: props.maxInstanceCount,
      // Application Auto Scaling's service-linked role for SageMaker: created by the service on first
      // use, with exactly the permissions it needs, so no role (and no inline policy) is created here.
      role: iam.Role.fromRoleArn(
        this,
        'ScalingServiceLinkedRole',
        `arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint`,
        { mutable: false },
      ),
    });
    this.scalableTarget.node.addDependency(this.endpoint);
    this.scalableTarget.scaleToTrackMetric('InvocationsPerInstance', {
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
      targetValue: props.targetInvocationsPerInstance ?? 1000,
      scaleOutCooldown: Duration.minutes(1),
      scaleInCooldown: Duration.minutes(5),
    });

    if (this.whenServed) {
      const condition = this.whenServed;
      onlyWhenServed([this.endpointConfig, this.endpoint, this.scalableTarget], condition);
    }

    this.acknowledgeWildcards(props, artifactPrefix, capturePrefix);
  }

  private createRollbackAlarms(
    props: InferenceEndpointProps,
    t: RollbackThresholds,
  ): InferenceEndpoint['rollbackAlarms'] {
    const metric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SageMaker',
        metricName,
        dimensionsMap: { EndpointName: props.endpointName, VariantName: PRODUCTION_VARIANT },
        statistic,
        period: Duration.minutes(1),
      });
    const alarm = (
      alarmId: string,
      description: string,
      m: cloudwatch.Metric,
      threshold: number,
      periods: number,
    ) => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: `${props.endpointName}: ${description}. Rolls back a blue/green deployment in progress.`,
        metric: m,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        // No traffic is not a failure; an idle endpoint must not roll a deployment back.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(new cwActions.SnsAction(props.alertTopic));
      return a;
    };
    return {
      serverErrors: alarm(
        'ServerErrorRate',
        `more than ${t.serverErrorRate * 100}% of invocations answered 5XX for 2 minutes`,
        metric('Invocation5XXErrors', 'Average'),
        t.serverErrorRate,
        2,
      ),
      clientErrors: alarm(
        'ClientErrorRate',
        `more than ${t.clientErrorRate * 100}% of invocations answered 4XX (including model errors) for 2 minutes`,
        metric('Invocation4XXErrors', 'Average'),
        t.clientErrorRate,
        2,
      ),
      modelErrors: alarm(
        'ModelErrors',
        `more than ${t.modelErrorsPerMinute} model errors per minute for 2 minutes`,
        metric('InvocationModelErrors', 'Sum'),
        t.modelErrorsPerMinute,
        2,
      ),
      latency: alarm(
        'ModelLatencyP99',
        `p99 model latency above ${t.p99LatencyMs} ms for 3 minutes`,
        // ModelLatency is reported in microseconds.
        metric('ModelLatency', 'p99'),
        t.p99LatencyMs * 1000,
        3,
      ),
    };
  }

  private acknowledgeWildcards(
    props: InferenceEndpointProps,
    artifactPrefix: string,
    capturePrefix: string,
  ): void {
    const policy = this.executionRole.policy;
    acknowledgeRule(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      "Wildcards here are the ones AWS allows no narrower: ec2 network-interface actions for the model's VPC placement (interface ids do not exist yet; limited to this region) and ecr:GetAuthorizationToken, which has no resource type.",
    );
    acknowledgeRule(
      policy,
      wildcardResourceFinding(policy, props.modelBucket.arnForObjects(`${artifactPrefix}*`)),
      'Artifacts live under content-addressed keys (models/sha256/<digest>/model.tar.gz) chosen at publish time, after this role exists; the role reads the artifact prefix only, and the gate has verified the digest of the one it serves.',
    );
    acknowledgeRule(
      policy,
      wildcardResourceFinding(policy, props.dataBucket.arnForObjects(`${capturePrefix}*`)),
      "SageMaker names capture objects by variant, date and hour at run time; the role may only write (never read) objects under this endpoint's own capture prefix.",
    );
  }
}

function validate(id: string, props: InferenceEndpointProps): void {
  const where = `InferenceEndpoint ${id}`;
  if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(props.endpointName)) {
    throw new Error(
      `${where}: endpointName '${props.endpointName}' must be 1-63 letters, digits and hyphens`,
    );
  }
  if (hasInstanceStorageOnly(props.instanceType)) {
    throw new Error(
      `${where}: instanceType ${props.instanceType} has local NVMe instance storage only, and SageMaker rejects ` +
        'an endpoint config whose KmsKeyId (the ML storage volume key, KEY-1) is set for it; choose an ' +
        'EBS-backed type such as ml.m5.large or ml.c5.xlarge (NVMe instance storage is encrypted by the hardware, ' +
        'but not with the model key)',
    );
  }
  requireWithin(where, 'instanceCount', props.instanceCount, BOUNDS.instanceCount);
  requireWithin(where, 'maxInstanceCount', props.maxInstanceCount, BOUNDS.instanceCount);
  if (props.maxInstanceCount < props.instanceCount) {
    throw new Error(
      `${where}: maxInstanceCount (${props.maxInstanceCount}) must be at least instanceCount (${props.instanceCount})`,
    );
  }
  requireWithin(where, 'dataCapturePercent', props.dataCapturePercent, BOUNDS.dataCapturePercent);
  requireWithin(where, 'rollout.stepPercent', props.rollout.stepPercent, BOUNDS.rolloutStepPercent);
  requireWithin(where, 'rollout.waitMinutes', props.rollout.waitMinutes, BOUNDS.rolloutWaitMinutes);
  if (!props.capturePrefix.endsWith('/')) {
    throw new Error(`${where}: capturePrefix '${props.capturePrefix}' must end with '/'`);
  }
}

/** Time SageMaker gets for a whole deployment: provisioning the new fleet, every wait, and the bake. */
export function deploymentTimeoutSeconds(rollout: RolloutSettings): number {
  const waits = rollout.strategy === 'canary' ? 1 : Math.ceil(100 / rollout.stepPercent) - 1;
  const provisioning = 30 * 60;
  const total = provisioning + (waits + 1) * rollout.waitMinutes * 60;
  return Math.min(Math.max(total, 600), 14400);
}

function blueGreenPolicy(rollout: RolloutSettings): sagemaker.CfnEndpoint.BlueGreenUpdatePolicyProperty {
  const step = { type: 'CAPACITY_PERCENT', value: rollout.stepPercent };
  const waitIntervalInSeconds = rollout.waitMinutes * 60;
  return {
    trafficRoutingConfiguration:
      rollout.strategy === 'canary'
        ? { type: 'CANARY', canarySize: step, waitIntervalInSeconds }
        : { type: 'LINEAR', linearStepSize: step, waitIntervalInSeconds },
    // The old fleet is kept (and alarms watched) this long after all traffic has moved.
    terminationWaitInSeconds: waitIntervalInSeconds,
    maximumExecutionTimeoutInSeconds: deploymentTimeoutSeconds(rollout),
  };
}

/** Puts every CloudFormation resource under the given constructs under the condition. */
function onlyWhenServed(scopes: readonly IConstruct[], condition: CfnCondition): void {
  for (const scope of scopes) {
    for (const child of scope.node.findAll()) {
      if (child instanceof CfnResource) child.cfnOptions.condition = condition;
    }
  }
}

/** A property object as CloudFormation spells it (PascalCase keys), for a value inside an intrinsic. */
function asCloudFormation(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [`${k.charAt(0).toUpperCase()}${k.slice(1)}`, v]),
  );
}
