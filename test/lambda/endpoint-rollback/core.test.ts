import { CloudWatchClient, DescribeAlarmsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  SageMakerClient,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import {
  handleRollbackEvent,
  InvalidRollbackEventError,
  parseRollbackEvent,
  ROLLBACK_METRICS,
  RollbackDeps,
  RollbackEvent,
  RollbackSettings,
} from '../../../lambda/endpoint-rollback/core';
import { S3StateStore } from '../../../lambda/endpoint-rollback/s3-state-store';
import { initialState, RollbackState, StateStore } from '../../../lambda/endpoint-rollback/state';

const sagemaker = mockClient(SageMakerClient);
const cloudwatch = mockClient(CloudWatchClient);

const settings: RollbackSettings = {
  endpointName: 'churn-prod',
  watchedAlarmNames: ['churn-prod-drift', 'churn-prod-5xx'],
  maxConsecutiveFailures: 3,
  metricNamespace: 'churn/prod',
};

class MemoryStore implements StateStore {
  saved: RollbackState[] = [];
  constructor(public current?: RollbackState) {}
  async load() {
    return this.current;
  }
  async save(state: RollbackState) {
    this.current = state;
    this.saved.push(state);
  }
}

function deps(store: StateStore): RollbackDeps {
  return {
    sagemaker: new SageMakerClient({}),
    cloudwatch: new CloudWatchClient({}),
    store,
    now: () => new Date('2026-11-23T10:00:00Z'),
  };
}

const alarm = (name = 'churn-prod-drift', state = 'ALARM'): RollbackEvent => ({
  kind: 'alarm',
  alarmName: name,
  state,
});
const notFound = (what: string) =>
  Object.assign(new Error(`Could not find ${what}`), { name: 'ValidationException' });

const GOOD_CONFIG = {
  EndpointConfigName: 'cfg-v1',
  KmsKeyId: 'arn:aws:kms:eu-west-1:333333333333:key/model',
  ProductionVariants: [
    {
      VariantName: 'live',
      ModelName: 'model-v1',
      InstanceType: 'ml.m5.large' as const,
      InitialInstanceCount: 2,
      InitialVariantWeight: 1,
    },
  ],
  DataCaptureConfig: {
    EnableCapture: true,
    InitialSamplingPercentage: 20,
    DestinationS3Uri: 's3://data/capture/churn-prod',
    KmsKeyId: 'arn:aws:kms:eu-west-1:333333333333:key/data',
    CaptureOptions: [{ CaptureMode: 'Input' as const }, { CaptureMode: 'Output' as const }],
  },
  EndpointConfigArn: 'arn:cfg',
  CreationTime: new Date(),
};
const GOOD_MODEL = {
  ModelName: 'model-v1',
  ExecutionRoleArn: 'arn:aws:iam::333333333333:role/sagemaker-exec',
  PrimaryContainer: {
    Image: '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1',
    ModelDataUrl: 's3://model/models/sha256/abc/model.tar.gz',
  },
  VpcConfig: { SecurityGroupIds: ['sg-1'], Subnets: ['subnet-a', 'subnet-b'] },
  EnableNetworkIsolation: true,
  ModelArn: 'arn:model',
  CreationTime: new Date(),
};

async function knownGoodState(): Promise<RollbackState> {
  const store = new MemoryStore();
  sagemaker.on(DescribeEndpointCommand).resolves({
    EndpointStatus: 'InService',
    EndpointConfigName: 'cfg-v1',
    EndpointName: 'churn-prod',
    EndpointArn: 'a',
    CreationTime: new Date(),
    LastModifiedTime: new Date(),
  });
  cloudwatch
    .on(DescribeAlarmsCommand)
    .resolves({ MetricAlarms: [{ AlarmName: 'churn-prod-drift', StateValue: 'OK' }] });
  sagemaker.on(DescribeEndpointConfigCommand).resolves(GOOD_CONFIG);
  sagemaker.on(DescribeModelCommand).resolves(GOOD_MODEL);
  await handleRollbackEvent({ kind: 'heartbeat' }, settings, deps(store));
  sagemaker.reset();
  cloudwatch.reset();
  return store.current!;
}

beforeEach(() => {
  sagemaker.reset();
  cloudwatch.reset();
});

describe('reading events', () => {
  test('recognises alarm state changes, the schedule and a signed reset', () => {
    expect(
      parseRollbackEvent({
        'detail-type': 'CloudWatch Alarm State Change',
        detail: { alarmName: 'a', state: { value: 'ALARM' } },
      }),
    ).toEqual({ kind: 'alarm', alarmName: 'a', state: 'ALARM' });
    expect(parseRollbackEvent({ 'detail-type': 'Scheduled Event', detail: {} })).toEqual({
      kind: 'heartbeat',
    });
    expect(parseRollbackEvent({ action: 'reset', requestedBy: 'alice' })).toEqual({
      kind: 'reset',
      requestedBy: 'alice',
    });
  });

  test('refuses an anonymous reset and anything unrecognised', () => {
    expect(() => parseRollbackEvent({ action: 'reset' })).toThrow(InvalidRollbackEventError);
    expect(() => parseRollbackEvent({ 'detail-type': 'Something' })).toThrow('unrecognised event');
    expect(() => parseRollbackEvent(null)).toThrow('event must be an object');
  });
});

describe('recording the last known good configuration', () => {
  test('a healthy endpoint on a new configuration is snapshotted with its models', async () => {
    const state = await knownGoodState();
    expect(state.knownGood?.endpointConfig).toMatchObject({
      endpointConfigName: 'cfg-v1',
      kmsKeyId: GOOD_CONFIG.KmsKeyId,
      dataCapture: { initialSamplingPercentage: 20 },
    });
    expect(state.knownGood?.models).toEqual([
      expect.objectContaining({
        modelName: 'model-v1',
        enableNetworkIsolation: true,
        vpcConfig: { securityGroupIds: ['sg-1'], subnets: ['subnet-a', 'subnet-b'] },
      }),
    ]);
    expect(state.history.map((h) => h.action)).toEqual(['recorded-known-good']);
  });

  test('nothing is recorded while a watched alarm is in ALARM or the endpoint is updating', async () => {
    const store = new MemoryStore();
    sagemaker
      .on(DescribeEndpointCommand)
      .resolves({ EndpointStatus: 'InService', EndpointConfigName: 'cfg-v2' });
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolves({ MetricAlarms: [{ AlarmName: 'churn-prod-5xx', StateValue: 'ALARM' }] });
    const outcome = await handleRollbackEvent({ kind: 'heartbeat' }, settings, deps(store));
    expect(outcome.action).toBe('skipped');
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[0].args[0].input).toEqual({
      AlarmNames: settings.watchedAlarmNames,
    });
    expect(store.current).toBeUndefined();

    sagemaker
      .on(DescribeEndpointCommand)
      .resolves({ EndpointStatus: 'Updating', EndpointConfigName: 'cfg-v2' });
    expect((await handleRollbackEvent({ kind: 'heartbeat' }, settings, deps(store))).action).toBe('skipped');
    expect(sagemaker.commandCalls(DescribeEndpointConfigCommand)).toHaveLength(0);
  });
});

describe('rolling back on a watched alarm', () => {
  test('moves the endpoint back to the known good configuration when it still exists', async () => {
    const store = new MemoryStore({ ...(await knownGoodState()), consecutiveFailures: 1 });
    sagemaker
      .on(DescribeEndpointCommand)
      .resolves({ EndpointStatus: 'InService', EndpointConfigName: 'cfg-v2' });
    sagemaker.on(DescribeEndpointConfigCommand).resolves(GOOD_CONFIG);
    sagemaker.on(UpdateEndpointCommand).resolves({ EndpointArn: 'a' });
    const outcome = await handleRollbackEvent(alarm(), settings, deps(store));
    expect(outcome.action).toBe('rolled-back');
    expect(sagemaker.commandCalls(UpdateEndpointCommand)[0].args[0].input).toEqual({
      EndpointName: 'churn-prod',
      EndpointConfigName: 'cfg-v1',
    });
    expect(cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input).toEqual({
      Namespace: 'churn/prod',
      MetricData: [
        {
          MetricName: ROLLBACK_METRICS.performed,
          Value: 1,
          Unit: 'Count',
          Dimensions: [{ Name: 'EndpointName', Value: 'churn-prod' }],
        },
      ],
    });
    expect(store.current!.consecutiveFailures).toBe(0);
    expect(store.current!.history.at(-1)!.detail).toContain('from cfg-v2 to cfg-v1');
  });

  test('recreates the configuration and models CloudFormation deleted, then rolls back to them', async () => {
    const store = new MemoryStore(await knownGoodState());
    sagemaker
      .on(DescribeEndpointCommand)
      .resolves({ EndpointStatus: 'InService', EndpointConfigName: 'cfg-v2' });
    sagemaker.on(DescribeEndpointConfigCommand).rejects(notFound('endpoint configuration'));
    sagemaker.on(DescribeModelCommand).rejects(notFound('model'));
    sagemaker.on(CreateModelCommand).resolves({ ModelArn: 'm' });
    sagemaker.on(CreateEndpointConfigCommand).resolves({ EndpointConfigArn: 'c' });
    sagemaker.on(UpdateEndpointCommand).resolves({ EndpointArn: 'a' });
    const outcome = await handleRollbackEvent(alarm('churn-prod-5xx'), settings, deps(store));
    expect(outcome.action).toBe('rolled-back');
    const suffix = `-restored-${new Date('2026-11-23T10:00:00Z').getTime().toString(36)}`;
    expect(sagemaker.commandCalls(CreateModelCommand)[0].args[0].input).toEqual({
      ModelName: `model-v1${suffix}`,
      ExecutionRoleArn: GOOD_MODEL.ExecutionRoleArn,
      PrimaryContainer: {
        Image: GOOD_MODEL.PrimaryContainer.Image,
        ModelDataUrl: GOOD_MODEL.PrimaryContainer.ModelDataUrl,
        Environment: undefined,
      },
      VpcConfig: { SecurityGroupIds: ['sg-1'], Subnets: ['subnet-a', 'subnet-b'] },
      EnableNetworkIsolation: true,
    });
    const config = sagemaker.commandCalls(CreateEndpointConfigCommand)[0].args[0].input;
    expect(config).toMatchObject({
      EndpointConfigName: `cfg-v1${suffix}`,
      KmsKeyId: GOOD_CONFIG.KmsKeyId,
      ProductionVariants: [
        {
          VariantName: 'live',
          ModelName: `model-v1${suffix}`,
          InstanceType: 'ml.m5.large',
          InitialInstanceCount: 2,
        },
      ],
      DataCaptureConfig: {
        EnableCapture: true,
        KmsKeyId: GOOD_CONFIG.DataCaptureConfig.KmsKeyId,
        InitialSamplingPercentage: 20,
      },
    });
    expect(sagemaker.commandCalls(UpdateEndpointCommand)[0].args[0].input.EndpointConfigName).toBe(
      `cfg-v1${suffix}`,
    );
  });

  test('does nothing when the known good configuration is already serving', async () => {
    const store = new MemoryStore(await knownGoodState());
    sagemaker
      .on(DescribeEndpointCommand)
      .resolves({ EndpointStatus: 'InService', EndpointConfigName: 'cfg-v1' });
    const outcome = await handleRollbackEvent(alarm(), settings, deps(store));
    expect(outcome.action).toBe('no-op');
    expect(outcome.detail).toContain('the cause is not a model change');
    expect(sagemaker.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });

  test('does nothing without a recorded known good configuration, for OK states or for alarms it does not watch', async () => {
    const store = new MemoryStore();
    sagemaker
      .on(DescribeEndpointCommand)
      .resolves({ EndpointStatus: 'InService', EndpointConfigName: 'cfg-v2' });
    expect((await handleRollbackEvent(alarm(), settings, deps(store))).action).toBe('no-op');
    expect((await handleRollbackEvent(alarm('churn-prod-drift', 'OK'), settings, deps(store))).action).toBe(
      'skipped',
    );
    expect((await handleRollbackEvent(alarm('someone-elses-alarm'), settings, deps(store))).action).toBe(
      'skipped',
    );
    expect(sagemaker.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });

  test('stops acting after repeated failures until a person resets it', async () => {
    const store = new MemoryStore(await knownGoodState());
    sagemaker
      .on(DescribeEndpointCommand)
      .resolves({ EndpointStatus: 'InService', EndpointConfigName: 'cfg-v2' });
    sagemaker.on(DescribeEndpointConfigCommand).resolves(GOOD_CONFIG);
    sagemaker
      .on(UpdateEndpointCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    expect((await handleRollbackEvent(alarm(), settings, deps(store))).action).toBe('failed');
    expect((await handleRollbackEvent(alarm(), settings, deps(store))).action).toBe('failed');
    const third = await handleRollbackEvent(alarm(), settings, deps(store));
    expect(third.action).toBe('disabled');
    expect(store.current).toMatchObject({ disabled: true, consecutiveFailures: 3 });
    const metrics = cloudwatch
      .commandCalls(PutMetricDataCommand)
      .map((c) => c.args[0].input.MetricData![0].MetricName);
    expect(metrics).toEqual([
      ROLLBACK_METRICS.failed,
      ROLLBACK_METRICS.failed,
      ROLLBACK_METRICS.failed,
      ROLLBACK_METRICS.disabled,
    ]);

    const fourth = await handleRollbackEvent(alarm(), settings, deps(store));
    expect(fourth.action).toBe('skipped');
    expect(sagemaker.commandCalls(UpdateEndpointCommand)).toHaveLength(3);

    const reset = await handleRollbackEvent({ kind: 'reset', requestedBy: 'alice' }, settings, deps(store));
    expect(reset.state).toMatchObject({ disabled: false, consecutiveFailures: 0 });
    expect(reset.state.history.at(-1)).toMatchObject({ action: 'reset', detail: 'reset by alice' });
  });
});

describe('the S3 state store', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());

  test('a missing object means no state yet; saved state round-trips', async () => {
    const store = new S3StateStore(
      new S3Client({}),
      'data',
      'state/endpoint-rollback/churn-prod.json',
      'churn-prod',
    );
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('nope'), { name: 'NoSuchKey' }));
    expect(await store.load()).toBeUndefined();
    s3.on(PutObjectCommand).resolves({});
    await store.save(initialState('churn-prod'));
    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({
      Bucket: 'data',
      Key: 'state/endpoint-rollback/churn-prod.json',
      ContentType: 'application/json',
    });
    s3.on(GetObjectCommand).resolves({
      Body: { transformToString: async () => put.Body as string } as never,
    });
    expect(await store.load()).toEqual(initialState('churn-prod'));
  });

  test("another endpoint's or a malformed state is refused rather than acted on", async () => {
    const store = new S3StateStore(new S3Client({}), 'data', 'k', 'churn-prod');
    s3.on(GetObjectCommand).resolves({
      Body: { transformToString: async () => JSON.stringify(initialState('other')) } as never,
    });
    await expect(store.load()).rejects.toThrow("rollback state names endpoint 'other', not 'churn-prod'");
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => '{not json' } as never });
    await expect(store.load()).rejects.toThrow('is not valid JSON');
  });
});
