import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { stageName } from '../../../lib/config';
import {
  MacieScanning,
  MacieScanningProps,
  severitiesAtLeast,
  unanchoredPattern,
} from '../../../lib/constructs/macie-scanning';
import { MfaDeleteCheck } from '../../../lib/constructs/mfa-delete-check';
import { RuntimeSecret } from '../../../lib/constructs/runtime-secret';
import { FunctionPlacement } from '../../../lib/constructs/secure-function';
import { buildTestApp, exampleConfig, resourcesOfType } from '../../helpers/app';
import cdkJson from '../../../cdk.json';

/** A bare stack with what the constructs need around them; bundling off, as in every construct test. */
function fixture(): { stack: Stack; placement: FunctionPlacement; topic: sns.Topic } {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Fixture', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const placement: FunctionPlacement = {
    vpc,
    securityGroup: new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false }),
    dataKey: new kms.Key(stack, 'DataKey'),
    logsKey: new kms.Key(stack, 'LogsKey'),
    logRetentionDays: 30,
    removalPolicy: RemovalPolicy.DESTROY,
  };
  return { stack, placement, topic: new sns.Topic(stack, 'Alerts') };
}

function macieProps(
  overrides: Partial<MacieScanningProps>,
  f: ReturnType<typeof fixture>,
): MacieScanningProps {
  return {
    enableInAccount: true,
    scheduleFrequency: 'DAILY',
    minimumAlertSeverity: 'High',
    customerIdPattern: '^C[0-9]{8}$',
    bucketName: 'churn-dev-data-123456789012-eu-west-1',
    prefixes: ['customer-data/'],
    jobNamePrefix: 'churn-dev-pii',
    alertTopic: f.topic,
    placement: f.placement,
    ...overrides,
  };
}

describe('Macie session flag (macie.enableInAccount)', () => {
  const config = exampleConfig();
  const dev = config.environments.find((e) => e.name === 'dev')!;
  const managed = buildTestApp({
    ...config,
    environments: [{ ...dev, macie: { ...dev.macie, enableInAccount: false } }],
  });
  const template = Template.fromStack(managed.stage(stageName('dev')).dataProtection);

  test('with the flag off the stack creates no session but still the identifier, job and finding rule', () => {
    template.resourceCountIs('AWS::Macie::Session', 0);
    template.resourceCountIs('AWS::Macie::CustomDataIdentifier', 1);
    template.resourceCountIs('Custom::MacieClassificationJob', 1);
    expect(JSON.stringify(template.toJSON())).toContain('aws.macie');
    for (const type of ['AWS::Macie::CustomDataIdentifier', 'Custom::MacieClassificationJob']) {
      const [[, resource]] = resourcesOfType(template, type);
      expect((resource as { DependsOn?: string[] }).DependsOn ?? []).toEqual([]);
    }
  });
});

/**
 * One fixture stack holds every construct variant the tests below inspect, so it is synthesized once
 * (each synthesis of a stack with functions costs seconds).
 */
const shared = (() => {
  const f = fixture();
  new MacieScanning(f.stack, 'Macie', macieProps({ allowListRegex: 'C0000000[0-9]' }, f));
  new MfaDeleteCheck(f.stack, 'Check', {
    bucketName: 'models',
    metricNamespace: 'churn/dev',
    placement: f.placement,
    alertTopic: f.topic,
    interval: Duration.hours(6),
  });
  const first = new RuntimeSecret(f.stack, 'Webhook', {
    description: 'first',
    encryptionKey: f.placement.dataKey,
    placement: f.placement,
  });
  new RuntimeSecret(f.stack, 'Second', {
    description: 'second',
    encryptionKey: f.placement.dataKey,
    placement: f.placement,
    rotationFunction: first.handler,
  });
  const reader = new iam.Role(f.stack, 'Reader', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  first.grantRead(reader);
  return { template: Template.fromStack(f.stack) };
})();

/** Constructs that must throw are built here; this stack is never synthesized. */
const scratch = fixture();

const sorted = (value: unknown) => (Array.isArray(value) ? [...value].sort() : value);

describe('MacieScanning', () => {
  test('strips only real anchors from the configured pattern', () => {
    expect(unanchoredPattern('^[0-9]{4}-[A-Z]{5}$')).toBe('[0-9]{4}-[A-Z]{5}');
    expect(unanchoredPattern('^PRICE\\$')).toBe('PRICE\\$');
    expect(unanchoredPattern('^A\\\\$')).toBe('A\\\\');
    expect(unanchoredPattern('C[0-9]{8}')).toBe('C[0-9]{8}');
  });

  test('a minimum severity selects it and every more severe one', () => {
    expect(severitiesAtLeast('Low')).toEqual(['Low', 'Medium', 'High']);
    expect(severitiesAtLeast('High')).toEqual(['High']);
    expect(() => severitiesAtLeast('Critical' as never)).toThrow(/Low, Medium, High/);
  });

  test('an allow list, when given, is created after the session and passed to the job', () => {
    const { template } = shared;
    const [[listId, list]] = resourcesOfType(template, 'AWS::Macie::AllowList');
    const [[sessionId]] = resourcesOfType(template, 'AWS::Macie::Session');
    expect(list.Properties!.Criteria).toEqual({ Regex: 'C0000000[0-9]' });
    expect((list as { DependsOn?: string[] }).DependsOn).toContain(sessionId);
    const [[, job]] = resourcesOfType(template, 'Custom::MacieClassificationJob');
    expect(job.Properties!.AllowListIds).toEqual([{ 'Fn::GetAtt': [listId, 'Id'] }]);
  });

  test('the identifier name changes with the pattern, so a replacement never collides with the original', () => {
    const name = (id: string, customerIdPattern: string) =>
      new MacieScanning(scratch.stack, id, macieProps({ customerIdPattern }, scratch)).customerIdIdentifier
        .name;
    const first = name('N1', '^C[0-9]{8}$');
    expect(first).toMatch(/^churn-dev-pii-customer-id-[0-9a-f]{8}$/);
    expect(name('N2', '^C[0-9]{8}$')).toBe(first);
    expect(name('N3', '^C[0-9]{9}$')).not.toBe(first);
  });

  test('refuses at synth what Macie would refuse at deploy time', () => {
    const f = scratch;
    expect(() => new MacieScanning(f.stack, 'M1', macieProps({ prefixes: [] }, f))).toThrow(
      /prefixes must list at least one key prefix/,
    );
    expect(
      () => new MacieScanning(f.stack, 'M2', macieProps({ scheduleFrequency: 'WEEKLY:FUNDAY' }, f)),
    ).toThrow(/ScheduleFrequency 'WEEKLY:FUNDAY'/);
    expect(() => new MacieScanning(f.stack, 'M3', macieProps({ customerIdPattern: '^.*$' }, f))).toThrow(
      /matches the empty string/,
    );
  });
});

describe('MfaDeleteCheck', () => {
  test('the interval sets both the schedule and the alarm period', () => {
    const { template } = shared;
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'MfaDeleteEnabled',
      Period: 21600,
    });
  });

  test.each([Duration.minutes(30), Duration.days(2), Duration.minutes(90)])(
    'refuses an interval of %s',
    (interval) => {
      const f = scratch;
      expect(
        () =>
          new MfaDeleteCheck(f.stack, `Check${interval.toMinutes()}`, {
            bucketName: 'models',
            metricNamespace: 'churn/dev',
            placement: f.placement,
            alertTopic: f.topic,
            interval,
          }),
      ).toThrow(/interval must be whole hours from 1 hour to 1 day/);
    },
  );
});

describe('RuntimeSecret', () => {
  test('grantRead lets a role read the value and decrypt it only through Secrets Manager', () => {
    const { template } = shared;
    const [secretId] = resourcesOfType(template, 'AWS::SecretsManager::Secret').find(
      ([, r]) => r.Properties!.Description === 'first',
    )!;
    const statements = resourcesOfType(template, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties!.Roles).includes('Reader'))
      .flatMap(
        ([, p]) => (p.Properties!.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
      )
      .map((st) => ({ ...st, Action: sorted(st.Action) }));
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: { Ref: secretId },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      }),
    );
    // Nothing lands in the key policy (KEY-2: keys are used through named services only).
    const keyPolicy = JSON.stringify(
      resourcesOfType(template, 'AWS::KMS::Key').map(([, k]) => k.Properties!.KeyPolicy),
    );
    expect(keyPolicy).not.toContain('Reader');
    expect(keyPolicy).not.toContain('Rotation');
  });

  test('the rotation role may decrypt and generate data keys only through Secrets Manager', () => {
    const { template } = shared;
    const statements = resourcesOfType(template, 'AWS::IAM::ManagedPolicy')
      .filter(([id]) => id.startsWith('WebhookRotationRole'))
      .flatMap(
        ([, p]) => (p.Properties!.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
      );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      }),
    );
  });

  test('a shared rotation function is reused instead of creating another', () => {
    const { template } = shared;
    const rotators = resourcesOfType(template, 'AWS::Lambda::Function').filter(([, fn]) =>
      JSON.stringify(fn.Properties!.Environment ?? {}).includes('VALUE_LENGTH'),
    );
    expect(rotators).toHaveLength(1);
    const schedules = resourcesOfType(template, 'AWS::SecretsManager::RotationSchedule');
    expect(schedules.map(([, s]) => s.Properties!.RotationLambdaARN)).toEqual([
      { 'Fn::GetAtt': [rotators[0]![0], 'Arn'] },
      { 'Fn::GetAtt': [rotators[0]![0], 'Arn'] },
    ]);
  });

  test.each([
    [{ rotationDays: 0 }, /rotationDays must be a whole number from 1 to 365/],
    [{ rotationDays: 400 }, /rotationDays/],
    [{ valueLength: 16 }, /valueLength must be a whole number from 32 to 4096/],
  ])('refuses %j', (overrides, message) => {
    const f = scratch;
    expect(
      () =>
        new RuntimeSecret(f.stack, `S${JSON.stringify(overrides).replace(/\W/g, '')}`, {
          description: 'x',
          encryptionKey: f.placement.dataKey,
          placement: f.placement,
          ...overrides,
        }),
    ).toThrow(message);
  });
});
