import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildChurnApp } from '../../../lib/churn-app';
import { validateConfig } from '../../../lib/config';
import { servingImage } from '../../../lib/stacks/serving-stack';
import cdkJson from '../../../cdk.json';
import {
  buildTestApp,
  CfnResource,
  exampleConfig,
  rawExampleConfig,
  resourcesOfType,
  TEST_COMMIT,
} from '../../helpers/app';

type Json = Record<string, unknown>;
type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown };

const testApp = buildTestApp();
const config = exampleConfig();
const envOf = (name: string) => config.environments.find((e) => e.name === name)!;
const serving = (stageName: string) => testApp.stage(stageName).serving;
/** The gate and the served-model record. */
const servingTemplate = (stageName: string) => Template.fromStack(serving(stageName));
/** The SageMaker endpoint (sagemaker mode only). */
const templateOf = (stageName: string) => Template.fromStack(testApp.stage(stageName).endpoint!);
const registryTemplate = (stageName: string) => Template.fromStack(testApp.stage(stageName).data);

function only(template: Template, type: string): [string, CfnResource] {
  const found = resourcesOfType(template, type);
  expect(found).toHaveLength(1);
  return found[0];
}
const props = (r: [string, CfnResource]) => (r[1].Properties ?? {}) as Json;
const asArray = <T>(v: T | T[]) => (Array.isArray(v) ? v : [v]);

function gateResources(template: Template): Array<[string, CfnResource]> {
  return resourcesOfType(template, 'Custom::ModelGate');
}

function statementsOfPolicy(template: Template, logicalIdPrefix: string): Statement[] {
  const policies = resourcesOfType(template, 'AWS::IAM::ManagedPolicy').filter(([id]) =>
    id.startsWith(logicalIdPrefix),
  );
  expect(policies).toHaveLength(1);
  return (props(policies[0]).PolicyDocument as { Statement: Statement[] }).Statement;
}

function statementFor(statements: Statement[], action: string): Statement {
  const found = statements.filter((s) => asArray(s.Action).includes(action));
  expect({ action, count: found.length }).toEqual({ action, count: 1 });
  return found[0];
}

/** Builds the app from the example configuration after `change` edits its raw JSON. */
function buildVariant(change: (raw: { environments: Record<string, Json> }) => void, context: Json = {}) {
  const raw = rawExampleConfig() as { environments: Record<string, Json> };
  change(raw);
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context } });
  return buildChurnApp(app, { config: validateConfig(raw, 'variant'), sourceCommit: TEST_COMMIT });
}

describe('MODEL-2: a model package group per environment', () => {
  test.each(['Dev', 'Test', 'Prod'])('%s has its own group named by the naming registry', (stage) => {
    const group = props(only(registryTemplate(stage), 'AWS::SageMaker::ModelPackageGroup'));
    expect(group.ModelPackageGroupName).toBe(`churn-${stage.toLowerCase()}`);
  });

  test('the group lives in the Data stack, deployed before the gate, so a model can be published first (ENV-4)', () => {
    expect(resourcesOfType(servingTemplate('Prod'), 'AWS::SageMaker::ModelPackageGroup')).toHaveLength(0);
    expect(serving('Prod').dependencies.map((d) => d.node.id)).toContain('Data');
  });

  test('the group (and its approval history) is retained in prod, except when its creation rolls back', () => {
    expect(only(registryTemplate('Prod'), 'AWS::SageMaker::ModelPackageGroup')[1].DeletionPolicy).toBe(
      'RetainExceptOnCreate',
    );
    expect(only(registryTemplate('Test'), 'AWS::SageMaker::ModelPackageGroup')[1].DeletionPolicy).toBe(
      'Delete',
    );
  });
});

describe('MODEL-2, MODEL-3: the deploy-time gate', () => {
  test('test and prod require approval; dev lets a pending version through', () => {
    const required = (stage: string) =>
      gateResources(servingTemplate(stage)).map(([, r]) => r.Properties!.RequireApproval);
    expect(required('Dev')).toEqual(['false']);
    expect(required('Test')).toEqual(['true']);
    expect(required('Prod')).toEqual(['true', 'true']);
  });

  test('each gate names the group and the configured version, with a deploy nonce so it runs every deployment', () => {
    for (const stage of ['Dev', 'Test', 'Prod']) {
      const [, gate] = gateResources(servingTemplate(stage)).find(([id]) =>
        id.startsWith('GateServedModel'),
      )!;
      expect(gate.Properties).toMatchObject({
        ModelPackageGroupName: `churn-${stage.toLowerCase()}`,
        ModelVersion: 'latest-approved',
      });
      expect(typeof gate.Properties!.DeployNonce).toBe('string');
      expect((gate.Properties!.DeployNonce as string).length).toBeGreaterThan(0);
    }
  });

  test('a deployNonce given as context makes the template reproducible', () => {
    const built = buildVariant(() => undefined, { deployNonce: 'pipeline-run-42' });
    const nonces = built.stages.flatMap((s) =>
      gateResources(Template.fromStack(s.serving)).map(([, r]) => r.Properties!.DeployNonce),
    );
    expect(new Set(nonces)).toEqual(new Set(['pipeline-run-42']));
  });

  test('the fallback image is the built-in XGBoost image of the region', () => {
    const [, gate] = gateResources(servingTemplate('Test'))[0];
    expect(gate.Properties!.FallbackImage).toBe(
      '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1',
    );
  });

  test('the gate may read only its group, its versions, and artifacts under models/', () => {
    const statements = statementsOfPolicy(servingTemplate('Prod'), 'GateGatePermissions');
    expect(statementFor(statements, 'sagemaker:DescribeModelPackageGroup').Resource).toBe(
      'arn:aws:sagemaker:eu-west-1:333333333333:model-package-group/churn-prod',
    );
    expect(JSON.stringify(statementFor(statements, 'sagemaker:DescribeModelPackage').Resource)).toContain(
      ':model-package/churn-prod/*',
    );
    expect(statementFor(statements, 'sagemaker:ListModelPackages').Resource).toBe('*');
    expect(statementFor(statements, 's3:GetObject').Resource).toBe(
      'arn:aws:s3:::churn-prod-model-333333333333-eu-west-1/models/*',
    );
    expect(JSON.stringify(statementFor(statements, 'kms:Decrypt').Resource)).toContain('ModelKey');
    const actions = statements.flatMap((s) => asArray(s.Action));
    expect(actions.filter((a) => a.endsWith('*') || a.includes('Put') || a.includes('Update'))).toEqual([]);
  });

  test('the gate function has the time and memory to hash a large artifact', () => {
    const functions = resourcesOfType(servingTemplate('Prod'), 'AWS::Lambda::Function')
      .map(([, f]) => f.Properties as Json)
      .filter((f) => String(f.Description).startsWith('Model gate'));
    expect(functions).toHaveLength(1);
    expect(functions[0].Timeout as number).toBeGreaterThanOrEqual(300);
    expect(functions[0].MemorySize as number).toBeGreaterThanOrEqual(512);
  });

  test('the model takes its artifact and image from the record the gate wrote, so it cannot change before the gate passes', () => {
    const [, model] = resourcesOfType(templateOf('Prod'), 'AWS::SageMaker::Model').find(([id]) =>
      id.startsWith('EndpointModel'),
    )!;
    const container = model.Properties!.PrimaryContainer as Record<string, { Ref: string }>;
    const parameters = templateOf('Prod').toJSON().Parameters as Record<string, { Default: string }>;
    expect(parameters[container.ModelDataUrl!.Ref]!.Default).toBe('/churn/prod/served-model/model-data-url');
    expect(parameters[container.Image!.Ref]!.Default).toBe('/churn/prod/served-model/image');
    // ... which only the gate writes: each record parameter's value is the gate resource's answer.
    const gateId = gateResources(servingTemplate('Prod')).find(([id]) =>
      id.startsWith('GateServedModel'),
    )![0];
    const record = resourcesOfType(servingTemplate('Prod'), 'AWS::SSM::Parameter').map(
      ([, p]) => p.Properties!,
    );
    expect(record.find((p) => p.Name === '/churn/prod/served-model/model-data-url')!.Value).toEqual({
      'Fn::GetAtt': [gateId, 'ModelDataUrl'],
    });
    expect(record.find((p) => p.Name === '/churn/prod/served-model/image')!.Value).toEqual({
      'Fn::GetAtt': [gateId, 'Image'],
    });
  });

  test('the endpoint stack deploys after the gate, so it reads the record the gate wrote in the same deploy', () => {
    for (const stage of ['Test', 'Prod']) {
      expect(testApp.stage(stage).endpoint!.dependencies.map((d) => d.node.id)).toContain('Serving');
    }
  });
});

describe('MODEL-6: served-answer check', () => {
  const template = () => templateOf('Prod');
  const check = () => only(template(), 'Custom::ServedAnswerCheck');
  const endpointId = () => only(template(), 'AWS::SageMaker::Endpoint')[0];

  test('runs after the endpoint on the verified artifact, digest and image, and again whenever one of them or the endpoint configuration changes', () => {
    const [, resource] = check();
    const parameters = template().toJSON().Parameters as Record<string, { Default: string }>;
    const p = resource.Properties as Record<string, { Ref?: string; 'Fn::GetAtt'?: string[] }>;
    expect(parameters[p.ModelDataUrl.Ref!].Default).toBe('/churn/prod/served-model/model-data-url');
    expect(parameters[p.ArtifactSha256.Ref!].Default).toBe('/churn/prod/served-model/artifact-sha256');
    expect(parameters[p.Image.Ref!].Default).toBe('/churn/prod/served-model/image');
    expect(p.EndpointName).toEqual({ 'Fn::GetAtt': [endpointId(), 'EndpointName'] });
    const [configId] = only(template(), 'AWS::SageMaker::EndpointConfig');
    expect(p.EndpointConfigName).toEqual({ 'Fn::GetAtt': [configId, 'EndpointConfigName'] });
    expect(asArray((resource as { DependsOn?: string[] }).DependsOn ?? [])).toContain(endpointId());
  });

  test("exists, with its grants, only while a model is served (the endpoint's own condition)", () => {
    const [, resource] = check();
    const [, endpoint] = only(template(), 'AWS::SageMaker::Endpoint');
    expect(resource.Condition).toBeDefined();
    expect(resource.Condition).toBe(endpoint.Condition);
    const [, policy] = resourcesOfType(template(), 'AWS::IAM::ManagedPolicy').find(([id]) =>
      id.startsWith('AnswerCheckCheckPermissions'),
    )!;
    expect(policy.Condition).toBe(endpoint.Condition);
  });

  test('may invoke and describe exactly that endpoint, read exactly the served artifact and its provenance, and decrypt only through S3', () => {
    const statements = statementsOfPolicy(template(), 'AnswerCheckCheckPermissions');
    expect(statements.map((s) => s.Sid)).toEqual([
      'InvokeAndDescribeTheEndpointJustDeployed',
      'ReadTheServedArtifactAndItsProvenance',
      'DecryptThemThroughS3',
    ]);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    const invoke = statementFor(statements, 'sagemaker:InvokeEndpoint');
    expect(invoke.Resource).toEqual({ Ref: endpointId() });
    const read = statementFor(statements, 's3:GetObject');
    const parameters = template().toJSON().Parameters as Record<string, { Default: string }>;
    const resources = read.Resource as Array<{ Ref?: string; 'Fn::Join'?: unknown }>;
    const artifact = resources.find((r) => r.Ref) as { Ref: string };
    const provenance = resources.find((r) => r['Fn::Join']);
    expect(resources).toHaveLength(2);
    expect(parameters[artifact.Ref].Default).toBe('/churn/prod/served-model/artifact-object-arn');
    expect(provenance).toEqual({ 'Fn::Join': ['', [{ Ref: artifact.Ref }, '.provenance.json']] });
    const decrypt = statementFor(statements, 'kms:Decrypt');
    expect(decrypt).toMatchObject({
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
    });
    expect(JSON.stringify(statements)).not.toContain('*');
  });

  test('answers CloudFormation through the Provider framework, so a failing check fails the deployment instead of hanging it', () => {
    const [, resource] = check();
    const token = (resource.Properties as { ServiceToken: { 'Fn::GetAtt': string[] } }).ServiceToken;
    const [, framework] = resourcesOfType(template(), 'AWS::Lambda::Function').find(
      ([id]) => id === token['Fn::GetAtt'][0],
    )!;
    expect((framework.Properties as { Description?: string }).Description).toMatch(
      /AWS CDK resource provider framework - onEvent/,
    );
    expect(JSON.stringify(framework.Properties)).toContain('AnswerCheckProviderHandler');
  });
});

describe('MODEL-4, NET-1, NET-3, KEY-1: the secure endpoint', () => {
  const prod = templateOf('Prod');

  test('every model runs with network isolation in the isolated subnets of every AZ, in its own group', () => {
    const network = Template.fromStack(testApp.stage('Prod').network);
    const isolatedSubnets = resourcesOfType(network, 'AWS::EC2::Subnet').length;
    const [sgId] = only(prod, 'AWS::EC2::SecurityGroup');
    for (const [, model] of resourcesOfType(prod, 'AWS::SageMaker::Model')) {
      expect(model.Properties!.EnableNetworkIsolation).toBe(true);
      const vpc = model.Properties!.VpcConfig as { Subnets: unknown[]; SecurityGroupIds: unknown[] };
      expect(vpc.Subnets).toHaveLength(isolatedSubnets);
      expect(JSON.stringify(vpc.Subnets)).toContain('Prod-Network');
      expect(vpc.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [sgId, 'GroupId'] }]);
    }
  });

  test("the model's security group allows nothing in and only HTTPS out", () => {
    const sg = props(only(prod, 'AWS::EC2::SecurityGroup'));
    expect(sg.SecurityGroupIngress).toBeUndefined();
    expect(sg.SecurityGroupEgress).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]);
    expect(resourcesOfType(prod, 'AWS::EC2::SecurityGroupEgress')).toEqual([]);
    expect(resourcesOfType(prod, 'AWS::EC2::SecurityGroupIngress')).toEqual([]);
  });

  test('the endpoint config encrypts ML volumes with the model key and capture with the data key', () => {
    const cfg = props(only(prod, 'AWS::SageMaker::EndpointConfig'));
    expect(JSON.stringify(cfg.KmsKeyId)).toContain('ModelKey');
    const capture = cfg.DataCaptureConfig as Json;
    expect(JSON.stringify(capture.KmsKeyId)).toContain('DataKey');
  });

  test('inputs and outputs are captured to the data bucket under capture/<endpoint>/ at the configured rate', () => {
    for (const stage of ['Test', 'Prod']) {
      const capture = props(only(templateOf(stage), 'AWS::SageMaker::EndpointConfig'))
        .DataCaptureConfig as Json;
      expect(capture.EnableCapture).toBe(true);
      expect(capture.CaptureOptions).toEqual([{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }]);
      expect(capture.InitialSamplingPercentage).toBe(envOf(stage.toLowerCase()).serving.dataCapturePercent);
      const uri = JSON.stringify(capture.DestinationS3Uri);
      expect(uri).toContain(`s3://churn-${stage.toLowerCase()}-data-`);
      expect(uri).toContain(`/capture/churn-${stage.toLowerCase()}/`);
    }
  });

  test('the production variant has the configured instance type and count (prod: at least two)', () => {
    for (const stage of ['Test', 'Prod']) {
      const env = envOf(stage.toLowerCase());
      const variants = props(only(templateOf(stage), 'AWS::SageMaker::EndpointConfig'))
        .ProductionVariants as Json[];
      expect(variants).toEqual([
        expect.objectContaining({
          VariantName: 'primary',
          InstanceType: env.serving.instanceType,
          InitialInstanceCount: env.serving.instanceCount,
        }),
      ]);
    }
    const prodVariant = (props(only(prod, 'AWS::SageMaker::EndpointConfig')).ProductionVariants as Json[])[0];
    expect(prodVariant.InitialInstanceCount as number).toBeGreaterThanOrEqual(2);
  });

  test('target-tracking auto scaling on invocations per instance, between the configured bounds', () => {
    for (const stage of ['Test', 'Prod']) {
      const t = templateOf(stage);
      const env = envOf(stage.toLowerCase());
      const target = props(only(t, 'AWS::ApplicationAutoScaling::ScalableTarget'));
      expect(target).toMatchObject({
        ServiceNamespace: 'sagemaker',
        ResourceId: `endpoint/churn-${env.name}/variant/primary`,
        ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        MinCapacity: env.serving.instanceCount,
        MaxCapacity: env.serving.maxInstanceCount,
      });
      expect(String(target.RoleARN)).toContain('AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint');
      const policy = props(only(t, 'AWS::ApplicationAutoScaling::ScalingPolicy'));
      expect(policy.PolicyType).toBe('TargetTrackingScaling');
      expect(policy.TargetTrackingScalingPolicyConfiguration).toMatchObject({
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
      });
    }
  });

  test('the execution role reads only artifacts, writes only its own capture prefix and log group', () => {
    const statements = statementsOfPolicy(prod, 'EndpointExecutionRolePermissions');
    expect(JSON.stringify(statementFor(statements, 's3:GetObject').Resource)).toMatch(
      /churn-prod-model-333333333333-eu-west-1\/models\/\*/,
    );
    expect(JSON.stringify(statementFor(statements, 's3:PutObject').Resource)).toMatch(
      /churn-prod-data-333333333333-eu-west-1\/capture\/churn-prod\/\*/,
    );
    expect(JSON.stringify(statementFor(statements, 'kms:Decrypt').Resource)).toContain('ModelKey');
    expect(JSON.stringify(statementFor(statements, 'kms:GenerateDataKey').Resource)).toContain('DataKey');
    expect(JSON.stringify(statementFor(statements, 'logs:PutLogEvents').Resource)).toContain('EndpointLogs');
    const actions = statements.flatMap((s) => asArray(s.Action));
    expect(actions.filter((a) => /^(s3|kms|sagemaker|iam):.*\*/.test(a) || a === 's3:DeleteObject')).toEqual(
      [],
    );
    const roles = resourcesOfType(prod, 'AWS::IAM::Role')
      .map(([, r]) => r.Properties as Json)
      .filter((r) => r.RoleName === 'churn-prod-model-execution');
    expect(roles).toHaveLength(1);
    expect(JSON.stringify(roles[0].AssumeRolePolicyDocument)).toContain('sagemaker.amazonaws.com');
    expect(roles[0].Policies).toBeUndefined();
  });

  test('container logs go to an encrypted log group with retention under the name SageMaker uses', () => {
    const groups = resourcesOfType(prod, 'AWS::Logs::LogGroup')
      .map(([, g]) => g.Properties as Json)
      .filter((g) => g.LogGroupName === '/aws/sagemaker/Endpoints/churn-prod');
    expect(groups).toHaveLength(1);
    expect(groups[0].KmsKeyId).toBeDefined();
    expect(groups[0].RetentionInDays).toBe(envOf('prod').logRetentionDays);
  });
});

describe('MODEL-5: safe rollout', () => {
  const prod = templateOf('Prod');

  test('blue/green with a canary of the configured size and wait, and the wait as bake time', () => {
    const deployment = props(only(prod, 'AWS::SageMaker::Endpoint')).DeploymentConfig as Json;
    const { rollout } = envOf('prod').serving;
    expect(deployment.BlueGreenUpdatePolicy).toMatchObject({
      TrafficRoutingConfiguration: {
        Type: 'CANARY',
        CanarySize: { Type: 'CAPACITY_PERCENT', Value: rollout.stepPercent },
        WaitIntervalInSeconds: rollout.waitMinutes * 60,
      },
      TerminationWaitInSeconds: rollout.waitMinutes * 60,
    });
  });

  test('automatic rollback on the four alarms the construct creates, each of which also alerts', () => {
    const deployment = props(only(prod, 'AWS::SageMaker::Endpoint')).DeploymentConfig as {
      AutoRollbackConfiguration: { Alarms: Array<{ AlarmName: { Ref: string } }> };
    };
    const alarms = Object.fromEntries(resourcesOfType(prod, 'AWS::CloudWatch::Alarm'));
    const referenced = deployment.AutoRollbackConfiguration.Alarms.map((a) => a.AlarmName.Ref);
    expect(referenced.sort()).toEqual(Object.keys(alarms).sort());
    const metrics = referenced.map((id) => alarms[id].Properties!.MetricName).sort();
    expect(metrics).toEqual([
      'Invocation4XXErrors',
      'Invocation5XXErrors',
      'InvocationModelErrors',
      'ModelLatency',
    ]);
    for (const id of referenced) {
      const alarm = alarms[id].Properties!;
      expect(alarm.Namespace).toBe('AWS/SageMaker');
      expect(alarm.Dimensions).toEqual([
        { Name: 'EndpointName', Value: 'churn-prod' },
        { Name: 'VariantName', Value: 'primary' },
      ]);
      expect(JSON.stringify(alarm.AlarmActions)).toContain('AlertsTopic');
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
    const latency = Object.values(alarms).find((a) => a.Properties!.MetricName === 'ModelLatency')!;
    expect(latency.Properties).toMatchObject({ ExtendedStatistic: 'p99', Threshold: 500_000 });
  });

  test('SageMaker may read the rollback alarms with the execution role', () => {
    const statements = statementsOfPolicy(prod, 'EndpointExecutionRolePermissions');
    const describe = statementFor(statements, 'cloudwatch:DescribeAlarms');
    expect(asArray(describe.Resource as unknown[])).toHaveLength(4);
  });

  test('linear traffic shifting when configured', () => {
    const built = buildVariant((raw) => {
      (raw.environments.test.serving as Json).rollout = {
        strategy: 'linear',
        stepPercent: 25,
        waitMinutes: 4,
      };
    });
    const test = built.stages.find((s) => s.stageName === 'Test')!;
    const endpoint = props(only(Template.fromStack(test.endpoint!), 'AWS::SageMaker::Endpoint'));
    expect((endpoint.DeploymentConfig as Json).BlueGreenUpdatePolicy).toMatchObject({
      TrafficRoutingConfiguration: {
        Type: 'LINEAR',
        LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 25 },
        WaitIntervalInSeconds: 240,
      },
    });
  });
});

describe('MODEL-5: shadow variant', () => {
  test('prod shadows the configured candidate through its own gate resource and model', () => {
    const prod = templateOf('Prod');
    const gates = gateResources(servingTemplate('Prod'));
    const shadowGate = gates.find(([id]) => id.startsWith('GateShadowModel'))!;
    const servedGate = gates.find(([id]) => id.startsWith('GateServedModel'))!;
    // Checked only once a production model is served: before that, nothing is shadowed.
    expect(shadowGate[1].Properties).toMatchObject({
      ModelVersion: '2',
      RequireApproval: 'true',
      ServedModelVersion: { 'Fn::GetAtt': [servedGate[0], 'ModelVersion'] },
    });
    const [shadowModelId, shadowModel] = resourcesOfType(prod, 'AWS::SageMaker::Model').find(([id]) =>
      id.startsWith('EndpointShadowModel'),
    )!;
    const parameters = prod.toJSON().Parameters as Record<string, { Default: string }>;
    const url = (shadowModel.Properties!.PrimaryContainer as Record<string, { Ref: string }>).ModelDataUrl!;
    expect(parameters[url.Ref]!.Default).toBe('/churn/prod/served-model/shadow/model-data-url');
    const shadows = props(only(prod, 'AWS::SageMaker::EndpointConfig')).ShadowProductionVariants as {
      'Fn::If': [string, Json[], unknown];
    };
    expect(shadows['Fn::If'][0]).toBe(shadowModel.Condition);
    expect(shadows['Fn::If'][1]).toEqual([
      expect.objectContaining({
        VariantName: 'shadow',
        ModelName: { 'Fn::GetAtt': [shadowModelId, 'ModelName'] },
      }),
    ]);
  });

  test('without a shadow version there is no shadow gate, model or variant', () => {
    const test = templateOf('Test');
    expect(gateResources(servingTemplate('Test'))).toHaveLength(1);
    expect(resourcesOfType(test, 'AWS::SageMaker::Model')).toHaveLength(1);
    expect(props(only(test, 'AWS::SageMaker::EndpointConfig')).ShadowProductionVariants).toBeUndefined();
  });
});

describe('embedded serving mode', () => {
  const dev = servingTemplate('Dev');

  test('has no endpoint stack, so no SageMaker model, endpoint config, endpoint or scaling in dev', () => {
    expect(testApp.stage('Dev').endpoint).toBeUndefined();
    for (const type of [
      'AWS::SageMaker::Model',
      'AWS::SageMaker::EndpointConfig',
      'AWS::SageMaker::Endpoint',
    ]) {
      expect({ type, found: resourcesOfType(dev, type).length }).toEqual({ type, found: 0 });
    }
  });

  test('still runs the gate and records its verified artifact for the API function', () => {
    expect(gateResources(dev)).toHaveLength(1);
    const [gateId] = gateResources(dev)[0];
    const stack = serving('Dev');
    const resolve = (value: string) => stack.resolve(value);
    expect(resolve(stack.servedModel.modelDataUrl)).toEqual({ 'Fn::GetAtt': [gateId, 'ModelDataUrl'] });
    expect(resolve(stack.servedModel.artifactSha256)).toEqual({ 'Fn::GetAtt': [gateId, 'ArtifactSha256'] });
    expect(resolve(stack.servedModel.modelVersion)).toEqual({ 'Fn::GetAtt': [gateId, 'ModelVersion'] });
    dev.hasOutput('ServedModelVersion', { Value: { 'Fn::GetAtt': [gateId, 'ModelVersion'] } });
    const names = resourcesOfType(dev, 'AWS::SSM::Parameter')
      .map(([, p]) => p.Properties!.Name)
      .sort();
    expect(names).toEqual([
      '/churn/dev/served-model/artifact-object-arn',
      '/churn/dev/served-model/artifact-sha256',
      '/churn/dev/served-model/image',
      '/churn/dev/served-model/model-data-url',
      '/churn/dev/served-model/model-package-arn',
      '/churn/dev/served-model/version',
    ]);
  });
});

describe('container image', () => {
  test('a region without a built-in XGBoost image fails at synth, naming the setting that fixes it', () => {
    const env = { ...envOf('prod'), region: 'mx-central-1' };
    expect(() => servingImage(env)).toThrow(
      /environments\.prod\.serving\.containerImage is required: no SageMaker built-in XGBoost image is known for region 'mx-central-1'/,
    );
  });

  test('a configured image is the fallback, and the only private repository the model role can pull from', () => {
    const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn/xgboost-serving:2.0.3';
    const built = buildVariant((raw) => {
      (raw.environments.test.serving as Json).containerImage = image;
    });
    const stage = built.stages.find((s) => s.stageName === 'Test')!;
    expect(gateResources(Template.fromStack(stage.serving))[0][1].Properties!.FallbackImage).toBe(image);
    const pull = statementFor(
      statementsOfPolicy(Template.fromStack(stage.endpoint!), 'EndpointExecutionRolePermissions'),
      'ecr:BatchGetImage',
    );
    expect(pull.Resource).toBe('arn:aws:ecr:eu-west-1:123456789012:repository/churn/xgboost-serving');
  });

  test('without one, the role may pull only the built-in XGBoost repository of the region', () => {
    const pull = statementFor(
      statementsOfPolicy(templateOf('Prod'), 'EndpointExecutionRolePermissions'),
      'ecr:BatchGetImage',
    );
    expect(pull.Resource).toBe('arn:aws:ecr:eu-west-1:141502667606:repository/sagemaker-xgboost');
  });
});

test('the serving and endpoint stacks deploy after the network, keys, buckets and alert topic they use', () => {
  const ids = (stack: Stack) => stack.dependencies.map((s: Stack) => s.node.id).sort();
  expect(ids(serving('Prod'))).toEqual(expect.arrayContaining(['Data', 'Keys', 'Network']));
  expect(ids(testApp.stage('Prod').endpoint!)).toEqual(
    expect.arrayContaining(['Audit', 'Data', 'Keys', 'Network', 'Serving']),
  );
});
