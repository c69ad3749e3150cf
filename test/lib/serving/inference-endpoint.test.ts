import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  deploymentTimeoutSeconds,
  hasInstanceStorageOnly,
  InferenceEndpoint,
  InferenceEndpointProps,
} from '../../../lib/constructs/inference-endpoint';
import { ModelGate } from '../../../lib/constructs/model-gate';
import { ServedModelParameters } from '../../../lib/constructs/served-model-record';
import { ModelRegistry } from '../../../lib/constructs/model-registry';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import cdkJson from '../../../cdk.json';
import type { RobustnessThresholds } from '../../../src/robustness/thresholds';

const STRICT_ROBUSTNESS: RobustnessThresholds = {
  enforcement: 'refuse',
  maxDecisionFlipRate: 0.05,
  maxMonotonicityViolations: 0,
};

function fixture() {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Serving', { env: { account: '111111111111', region: 'eu-west-1' } });
  const key = (id: string) => new kms.Key(stack, id, { enableKeyRotation: true });
  // A bare isolated VPC: the construct needs subnets and nothing of the full network's endpoints.
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const network = { vpc, workloadSecurityGroup: new ec2.SecurityGroup(stack, 'Workload', { vpc }) };
  // The served-model record as the endpoint stack reads it: SSM-typed parameters and their condition.
  const served = new ServedModelParameters(stack, 'Served', '/churn/unit/served-model/');
  const model = { source: served, whenServed: served.serves };
  const base: InferenceEndpointProps = {
    endpointName: 'churn-unit',
    model,
    vpc,
    instanceType: 'ml.m5.large',
    instanceCount: 2,
    maxInstanceCount: 4,
    rollout: { strategy: 'canary', stepPercent: 10, waitMinutes: 5 },
    dataCapturePercent: 50,
    modelBucket: s3.Bucket.fromBucketName(stack, 'ModelBucket', 'model'),
    modelKey: key('ModelKey'),
    dataBucket: s3.Bucket.fromBucketName(stack, 'DataBucket', 'data'),
    capturePrefix: 'capture/',
    dataKey: key('DataKey'),
    logsKey: key('LogsKey'),
    logRetentionDays: 30,
    removalPolicy: RemovalPolicy.DESTROY,
    alertTopic: new sns.Topic(stack, 'Alerts'),
    imageRepositoryArns: ['arn:aws:ecr:eu-west-1:141502667606:repository/sagemaker-xgboost'],
  };
  return { stack, base, network };
}

// Validation throws before any resource is added, so one fixture serves every refusal test.
const shared = fixture();
let refusals = 0;

describe('instance types that cannot take a volume KMS key', () => {
  test.each([
    ['ml.m5d.large', true],
    ['ml.c5d.xlarge', true],
    ['ml.r5d.2xlarge', true],
    ['ml.g4dn.xlarge', true],
    ['ml.p3dn.24xlarge', true],
    ['ml.p4d.24xlarge', true],
    ['ml.g5.2xlarge', true],
    ['ml.m6gd.large', true],
    ['ml.m5.large', false],
    ['ml.m5.xlarge', false],
    ['ml.c5.xlarge', false],
    ['ml.c5n.xlarge', false],
    ['ml.g4.xlarge', false],
    ['ml.inf1.xlarge', false],
  ])('%s has instance storage only: %s', (type, expected) => {
    expect(hasInstanceStorageOnly(type)).toBe(expected);
  });

  test('an NVMe instance type is refused at synth with an error naming KmsKeyId and the type', () => {
    const { stack, base } = shared;
    expect(() => new InferenceEndpoint(stack, 'Nvme', { ...base, instanceType: 'ml.g4dn.xlarge' })).toThrow(
      /InferenceEndpoint Nvme: instanceType ml\.g4dn\.xlarge has local NVMe instance storage only.*KmsKeyId/,
    );
  });
});

describe('InferenceEndpoint props validation', () => {
  test.each([
    [{ endpointName: 'bad_name' }, /endpointName 'bad_name'/],
    [{ instanceCount: 0 }, /instanceCount must be an integer from 1 to 100, got 0/],
    [{ maxInstanceCount: 1 }, /maxInstanceCount \(1\) must be at least instanceCount \(2\)/],
    [
      { instanceCount: 101, maxInstanceCount: 101 },
      /instanceCount must be an integer from 1 to 100, got 101/,
    ],
    [{ dataCapturePercent: 0 }, /dataCapturePercent must be an integer from 1 to 100/],
    [{ rollout: { strategy: 'canary', stepPercent: 60, waitMinutes: 5 } }, /rollout\.stepPercent/],
    [{ rollout: { strategy: 'linear', stepPercent: 10, waitMinutes: 61 } }, /rollout\.waitMinutes/],
    [{ capturePrefix: 'capture' }, /capturePrefix 'capture' must end with '\/'/],
  ] as Array<[Partial<InferenceEndpointProps>, RegExp]>)('refuses %o', (change, message) => {
    const { stack, base } = shared;
    expect(() => new InferenceEndpoint(stack, `Refused${++refusals}`, { ...base, ...change })).toThrow(
      message,
    );
  });
});

describe('deployment time budget', () => {
  test('covers provisioning, every wait and the bake, within the limits SageMaker accepts', () => {
    expect(deploymentTimeoutSeconds({ strategy: 'canary', stepPercent: 10, waitMinutes: 15 })).toBe(3600);
    // linear 10%: nine waits between ten steps, plus the bake
    expect(deploymentTimeoutSeconds({ strategy: 'linear', stepPercent: 10, waitMinutes: 10 })).toBe(
      1800 + 6000,
    );
    expect(deploymentTimeoutSeconds({ strategy: 'linear', stepPercent: 1, waitMinutes: 60 })).toBe(14400);
    expect(deploymentTimeoutSeconds({ strategy: 'canary', stepPercent: 10, waitMinutes: 0 })).toBe(1800);
  });
});

describe('a standalone endpoint', () => {
  const { stack, base } = fixture();
  const endpoint = new InferenceEndpoint(stack, 'Endpoint', base);
  const template = Template.fromStack(stack);

  test('exposes its endpoint name and capture location', () => {
    expect(endpoint.endpointName).toBe('churn-unit');
    expect(stack.resolve(endpoint.captureUri)).toBe('s3://data/capture/churn-unit/');
  });

  test('passes both rule packs on its own, with imported buckets (acknowledgments match the findings)', () => {
    const findings = (pack: AwsSolutionsChecks | NIST80053R5Checks) =>
      pack
        .validateScope(endpoint)
        .violations.map(
          (v) => `${v.ruleName} ${v.violatingResources.map((r) => r.resourceLogicalId).join()}`,
        );
    expect(findings(new AwsSolutionsChecks())).toEqual([]);
    expect(findings(new NIST80053R5Checks())).toEqual([]);
  });

  test('no ECR permissions are granted when no repository is named', () => {
    const other = fixture();
    const e = new InferenceEndpoint(other.stack, 'NoEcr', { ...other.base, imageRepositoryArns: [] });
    const doc = JSON.stringify(Template.fromStack(other.stack).toJSON());
    expect(e.executionRole).toBeDefined();
    expect(doc).not.toContain('ecr:');
  });

  test('the endpoint waits for the role permissions; the model takes its artifact and image from the record', () => {
    const [, model] = Object.entries(template.findResources('AWS::SageMaker::Model'))[0];
    expect(JSON.stringify(model.DependsOn)).toContain('EndpointExecutionRolePermissions');
    const parameters = template.toJSON().Parameters as Record<string, { Default: string }>;
    const container = model.Properties.PrimaryContainer as Record<string, { Ref: string }>;
    expect(parameters[container.ModelDataUrl!.Ref]!.Default).toBe('/churn/unit/served-model/model-data-url');
    expect(parameters[container.Image!.Ref]!.Default).toBe('/churn/unit/served-model/image');
    const [, ep] = Object.entries(template.findResources('AWS::SageMaker::Endpoint'))[0];
    expect(JSON.stringify(ep.DependsOn)).toContain('EndpointExecutionRolePermissions');
  });

  test('ENV-4 model, config, endpoint and scaling exist only while the record names a model', () => {
    const json = template.toJSON() as {
      Resources: Record<string, { Type: string; Condition?: string }>;
      Conditions: Record<string, unknown>;
      Parameters: Record<string, { Type: string; Default: string }>;
    };
    const conditional = Object.values(json.Resources)
      .filter((r) => r.Condition !== undefined)
      .map((r) => r.Type)
      .sort();
    expect(conditional).toEqual([
      'AWS::ApplicationAutoScaling::ScalableTarget',
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      'AWS::SageMaker::Endpoint',
      'AWS::SageMaker::EndpointConfig',
      'AWS::SageMaker::Model',
    ]);
    const [condition] = Object.values(json.Conditions);
    expect(JSON.stringify(condition)).toContain('"none"');
    const version = Object.values(json.Parameters).find(
      (p) => p.Default === '/churn/unit/served-model/version',
    );
    expect(version?.Type).toBe('AWS::SSM::Parameter::Value<String>');
  });
});

describe('ModelGate props validation', () => {
  function gateFixture() {
    const { stack, network } = fixture();
    const registry = new ModelRegistry(stack, 'Registry', {
      groupName: 'churn-unit',
      description: 'unit',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const key = new kms.Key(stack, 'GateKey', { enableKeyRotation: true });
    const placement = {
      vpc: network.vpc,
      securityGroup: network.workloadSecurityGroup,
      dataKey: key,
      logsKey: key,
      logRetentionDays: 30,
      removalPolicy: RemovalPolicy.DESTROY,
    };
    const bucket = new s3.Bucket(stack, 'Models');
    return { stack, registry, placement, bucket, key };
  }

  test('an empty deploy nonce is refused: latest-approved would never be re-resolved', () => {
    const f = gateFixture();
    expect(
      () =>
        new ModelGate(f.stack, 'Gate', {
          registry: f.registry,
          placement: f.placement,
          modelBucket: f.bucket,
          modelKey: f.key,
          requireApproval: true,
          deployNonce: ' ',
          robustness: STRICT_ROBUSTNESS,
          decisionThreshold: 0.7,
        }),
    ).toThrow(/deployNonce must not be empty/);
  });

  test('a version selector must be latest-approved or a positive integer', () => {
    const f = gateFixture();
    const gate = new ModelGate(f.stack, 'Gate', {
      registry: f.registry,
      placement: f.placement,
      modelBucket: f.bucket,
      modelKey: f.key,
      requireApproval: true,
      deployNonce: 'n',
      robustness: STRICT_ROBUSTNESS,
      decisionThreshold: 0.7,
    });
    expect(() => gate.resolve('Bad', 0)).toThrow(
      /modelVersion must be 'latest-approved' or a positive integer/,
    );
    expect(gate.resolve('Good', 3).resource).toBeDefined();
  });

  test('MODEL-7: every gate resource carries the environment robustness requirements and decision threshold', () => {
    const f = gateFixture();
    const gate = new ModelGate(f.stack, 'Gate', {
      registry: f.registry,
      placement: f.placement,
      modelBucket: f.bucket,
      modelKey: f.key,
      requireApproval: true,
      deployNonce: 'n',
      robustness: { ...STRICT_ROBUSTNESS, maxProbabilityChange: 0.4, minExtractionQueries: 2048 },
      decisionThreshold: 0.65,
    });
    gate.resolve('Served', 'latest-approved');
    Template.fromStack(f.stack).hasResourceProperties('Custom::ModelGate', {
      RobustnessEnforcement: 'refuse',
      DecisionThreshold: '0.65',
      MaxDecisionFlipRate: '0.05',
      MaxMonotonicityViolations: '0',
      MaxProbabilityChange: '0.4',
      MinExtractionQueries: '2048',
    });
    expect(gate.properties(3)).toMatchObject({ ModelVersion: '3', RobustnessEnforcement: 'refuse' });
  });

  test.each([
    [{ decisionThreshold: 1 }, /decisionThreshold 1 must be between 0 and 1/],
    [
      { robustness: { ...STRICT_ROBUSTNESS, maxDecisionFlipRate: 1.5 } },
      /robustness.maxDecisionFlipRate 1.5/,
    ],
    [{ robustness: { ...STRICT_ROBUSTNESS, maxMonotonicityViolations: -1 } }, /maxMonotonicityViolations -1/],
    [{ robustness: { ...STRICT_ROBUSTNESS, minExtractionQueries: 1.5 } }, /minExtractionQueries 1.5/],
  ])('robustness requirements out of range are refused at synth (%o)', (override, message) => {
    const f = gateFixture();
    expect(
      () =>
        new ModelGate(f.stack, 'Gate', {
          registry: f.registry,
          placement: f.placement,
          modelBucket: f.bucket,
          modelKey: f.key,
          requireApproval: true,
          deployNonce: 'n',
          robustness: STRICT_ROBUSTNESS,
          decisionThreshold: 0.7,
          ...override,
        }),
    ).toThrow(message);
  });

  test('a group name SageMaker would reject is refused at synth', () => {
    const { stack } = fixture();
    expect(
      () =>
        new ModelRegistry(stack, 'R', {
          groupName: 'churn_dev',
          description: 'd',
          removalPolicy: RemovalPolicy.DESTROY,
        }),
    ).toThrow(/groupName 'churn_dev'/);
  });
});
