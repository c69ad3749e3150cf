import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  PutMetricDataCommand,
  StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeEndpointConfigCommandOutput,
  DescribeModelCommand,
  ProductionVariant,
  ProductionVariantSummary,
  SageMakerClient,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { errorMessage } from '../shared/errors';
import {
  EndpointConfigSnapshot,
  HistoryAction,
  initialState,
  KnownGood,
  ModelSnapshot,
  RollbackState,
  StateStore,
  VariantSnapshot,
  withHistory,
} from './state';

/** What woke the function: an alarm changing state, the schedule, or a person resetting it. */
export type RollbackEvent =
  | { readonly kind: 'alarm'; readonly alarmName: string; readonly state: string }
  | { readonly kind: 'heartbeat' }
  | { readonly kind: 'reset'; readonly requestedBy: string };

export interface RollbackSettings {
  readonly endpointName: string;
  /** Drift and error alarms whose ALARM state triggers a rollback; all must be OK to record "good". */
  readonly watchedAlarmNames: readonly string[];
  /** After this many failed rollbacks in a row the function stops acting until reset. */
  readonly maxConsecutiveFailures: number;
  readonly metricNamespace: string;
}

export interface RollbackDeps {
  readonly sagemaker: Pick<SageMakerClient, 'send'>;
  readonly cloudwatch: Pick<CloudWatchClient, 'send'>;
  readonly store: StateStore;
  readonly now: () => Date;
}

export interface RollbackOutcome {
  readonly action: HistoryAction;
  readonly detail: string;
  readonly state: RollbackState;
}

export const ROLLBACK_METRICS = {
  performed: 'RollbackPerformed',
  failed: 'RollbackFailed',
  disabled: 'RollbackDisabled',
} as const;

export class InvalidRollbackEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRollbackEventError';
  }
}

/** Recognises EventBridge alarm-state events, scheduled events, and `{ "action": "reset" }`. */
export function parseRollbackEvent(raw: unknown): RollbackEvent {
  if (typeof raw !== 'object' || raw === null) throw new InvalidRollbackEventError('event must be an object');
  const event = raw as Record<string, unknown>;
  if (event.action === 'reset') {
    const requestedBy =
      typeof event.requestedBy === 'string' && event.requestedBy.trim() ? event.requestedBy.trim() : '';
    if (!requestedBy)
      throw new InvalidRollbackEventError(
        'a reset must say who requested it: { "action": "reset", "requestedBy": "<name>" }',
      );
    return { kind: 'reset', requestedBy };
  }
  if (event['detail-type'] === 'Scheduled Event') return { kind: 'heartbeat' };
  if (event['detail-type'] === 'CloudWatch Alarm State Change') {
    const detail = event.detail as { alarmName?: unknown; state?: { value?: unknown } } | undefined;
    if (typeof detail?.alarmName !== 'string' || typeof detail.state?.value !== 'string') {
      throw new InvalidRollbackEventError(
        'alarm state change event lacks detail.alarmName or detail.state.value',
      );
    }
    return { kind: 'alarm', alarmName: detail.alarmName, state: detail.state.value };
  }
  throw new InvalidRollbackEventError(
    `unrecognised event (detail-type ${JSON.stringify(event['detail-type'])})`,
  );
}

export async function handleRollbackEvent(
  event: RollbackEvent,
  settings: RollbackSettings,
  deps: RollbackDeps,
): Promise<RollbackOutcome> {
  if (!Number.isInteger(settings.maxConsecutiveFailures) || settings.maxConsecutiveFailures < 1) {
    throw new Error(
      `maxConsecutiveFailures must be a positive integer, got ${settings.maxConsecutiveFailures}`,
    );
  }
  const state = (await deps.store.load()) ?? initialState(settings.endpointName);
  switch (event.kind) {
    case 'reset':
      return finish(
        deps,
        { ...state, disabled: false, consecutiveFailures: 0 },
        'reset',
        `reset by ${event.requestedBy}`,
      );
    case 'heartbeat':
      return heartbeat(state, settings, deps);
    case 'alarm':
      return onAlarm(event, state, settings, deps);
  }
}

async function heartbeat(
  state: RollbackState,
  settings: RollbackSettings,
  deps: RollbackDeps,
): Promise<RollbackOutcome> {
  const endpoint = await deps.sagemaker.send(
    new DescribeEndpointCommand({ EndpointName: settings.endpointName }),
  );
  if (endpoint.EndpointStatus !== 'InService' || !endpoint.EndpointConfigName) {
    return { action: 'skipped', detail: `endpoint is ${endpoint.EndpointStatus}; nothing recorded`, state };
  }
  const alarming = await alarmsInAlarm(settings, deps);
  if (alarming.length > 0) {
    return {
      action: 'skipped',
      detail: `alarms in ALARM (${alarming.join(', ')}); the current configuration is not known good`,
      state,
    };
  }
  if (state.knownGood?.endpointConfig.endpointConfigName === endpoint.EndpointConfigName) {
    return {
      action: 'no-op',
      detail: `${endpoint.EndpointConfigName} is already the known good configuration`,
      state,
    };
  }
  const knownGood = await snapshot(endpoint.EndpointConfigName, deps);
  return finish(
    deps,
    { ...state, knownGood },
    'recorded-known-good',
    `${endpoint.EndpointConfigName} is healthy; recorded as known good`,
  );
}

async function onAlarm(
  event: Extract<RollbackEvent, { kind: 'alarm' }>,
  state: RollbackState,
  settings: RollbackSettings,
  deps: RollbackDeps,
): Promise<RollbackOutcome> {
  if (event.state !== 'ALARM')
    return { action: 'skipped', detail: `${event.alarmName} is ${event.state}`, state };
  if (!settings.watchedAlarmNames.includes(event.alarmName)) {
    return { action: 'skipped', detail: `${event.alarmName} is not a rollback alarm`, state };
  }
  if (state.disabled) {
    await putMetric(deps, settings, ROLLBACK_METRICS.disabled, 1);
    return finish(
      deps,
      state,
      'skipped',
      `automatic rollback is disabled after ${state.consecutiveFailures} failures; a person must reset it`,
    );
  }
  const endpoint = await deps.sagemaker.send(
    new DescribeEndpointCommand({ EndpointName: settings.endpointName }),
  );
  if (endpoint.EndpointStatus !== 'InService') {
    // An update in progress is a blue/green deployment, which rolls itself back on its own alarms.
    return finish(
      deps,
      state,
      'skipped',
      `${event.alarmName} fired while the endpoint is ${endpoint.EndpointStatus}`,
    );
  }
  const knownGood = state.knownGood;
  if (!knownGood) {
    return finish(
      deps,
      state,
      'no-op',
      `${event.alarmName} fired but no known good configuration has been recorded yet`,
    );
  }
  if (endpoint.EndpointConfigName === knownGood.endpointConfig.endpointConfigName) {
    return finish(
      deps,
      state,
      'no-op',
      `${event.alarmName} fired but the known good configuration ${knownGood.endpointConfig.endpointConfigName} is already serving; the cause is not a model change`,
    );
  }

  try {
    const target = await ensureEndpointConfig(knownGood, deps);
    await deps.sagemaker.send(
      new UpdateEndpointCommand({ EndpointName: settings.endpointName, EndpointConfigName: target }),
    );
    await putMetric(deps, settings, ROLLBACK_METRICS.performed, 1);
    return finish(
      deps,
      { ...state, consecutiveFailures: 0 },
      'rolled-back',
      `${event.alarmName} in ALARM: moved ${settings.endpointName} from ${endpoint.EndpointConfigName} to ${target}`,
    );
  } catch (error) {
    const failures = state.consecutiveFailures + 1;
    const failed = { ...state, consecutiveFailures: failures };
    const detail = `rollback failed (${failures} in a row): ${errorMessage(error)}`;
    await putMetric(deps, settings, ROLLBACK_METRICS.failed, 1);
    if (failures < settings.maxConsecutiveFailures) return finish(deps, failed, 'failed', detail);
    // The last failure is recorded before the disabling, so the history shows why it stopped.
    const recorded = withHistory(failed, { at: deps.now().toISOString(), action: 'failed', detail });
    await putMetric(deps, settings, ROLLBACK_METRICS.disabled, 1);
    return finish(
      deps,
      { ...recorded, disabled: true },
      'disabled',
      `rollback failed ${failures} times in a row; automatic rollback disabled until reset`,
    );
  }
}

async function finish(
  deps: RollbackDeps,
  after: RollbackState,
  action: HistoryAction,
  detail: string,
): Promise<RollbackOutcome> {
  const state = withHistory(after, { at: deps.now().toISOString(), action, detail });
  await deps.store.save(state);
  return { action, detail, state };
}

async function alarmsInAlarm(settings: RollbackSettings, deps: RollbackDeps): Promise<string[]> {
  if (settings.watchedAlarmNames.length === 0) return [];
  const result = await deps.cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [...settings.watchedAlarmNames] }),
  );
  const alarms = [...(result.MetricAlarms ?? []), ...(result.CompositeAlarms ?? [])];
  return alarms.filter((a) => a.StateValue === 'ALARM').map((a) => a.AlarmName ?? '?');
}

async function putMetric(
  deps: RollbackDeps,
  settings: RollbackSettings,
  name: string,
  value: number,
): Promise<void> {
  await deps.cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: settings.metricNamespace,
      MetricData: [
        {
          MetricName: name,
          Value: value,
          Unit: StandardUnit.Count,
          Dimensions: [{ Name: 'EndpointName', Value: settings.endpointName }],
        },
      ],
    }),
  );
}

function variantSnapshot(v: ProductionVariantSummary | ProductionVariant): VariantSnapshot {
  const variant = v as ProductionVariant;
  if (!variant.VariantName || !variant.ModelName)
    throw new Error('endpoint configuration has a variant without a name or model');
  return {
    variantName: variant.VariantName,
    modelName: variant.ModelName,
    instanceType: variant.InstanceType,
    initialInstanceCount: variant.InitialInstanceCount,
    initialVariantWeight: variant.InitialVariantWeight,
  };
}

function configSnapshot(config: DescribeEndpointConfigCommandOutput): EndpointConfigSnapshot {
  const capture = config.DataCaptureConfig;
  return {
    endpointConfigName: config.EndpointConfigName ?? '',
    kmsKeyId: config.KmsKeyId,
    productionVariants: (config.ProductionVariants ?? []).map(variantSnapshot),
    shadowProductionVariants: (config.ShadowProductionVariants ?? []).map(variantSnapshot),
    ...(capture?.DestinationS3Uri
      ? {
          dataCapture: {
            destinationS3Uri: capture.DestinationS3Uri,
            kmsKeyId: capture.KmsKeyId,
            initialSamplingPercentage: capture.InitialSamplingPercentage ?? 100,
            captureModes: (capture.CaptureOptions ?? []).map((o) => o.CaptureMode ?? 'Input'),
          },
        }
      : {}),
  };
}

/**
 * Records everything needed to bring this configuration back, because CloudFormation deletes the
 * old endpoint configuration and models once a later deployment completes.
 */
async function snapshot(endpointConfigName: string, deps: RollbackDeps): Promise<KnownGood> {
  const config = await deps.sagemaker.send(
    new DescribeEndpointConfigCommand({ EndpointConfigName: endpointConfigName }),
  );
  const endpointConfig = configSnapshot(config);
  const modelNames = [
    ...new Set(
      [...endpointConfig.productionVariants, ...endpointConfig.shadowProductionVariants].map(
        (v) => v.modelName,
      ),
    ),
  ];
  const models: ModelSnapshot[] = [];
  for (const modelName of modelNames) {
    const model = await deps.sagemaker.send(new DescribeModelCommand({ ModelName: modelName }));
    const container = model.PrimaryContainer;
    if (!container?.Image || !model.ExecutionRoleArn)
      throw new Error(`model ${modelName} has no primary container image or execution role`);
    models.push({
      modelName,
      executionRoleArn: model.ExecutionRoleArn,
      image: container.Image,
      modelDataUrl: container.ModelDataUrl,
      environment: container.Environment,
      vpcConfig: model.VpcConfig
        ? { securityGroupIds: model.VpcConfig.SecurityGroupIds ?? [], subnets: model.VpcConfig.Subnets ?? [] }
        : undefined,
      enableNetworkIsolation: model.EnableNetworkIsolation ?? false,
    });
  }
  return { recordedAt: deps.now().toISOString(), endpointConfig, models };
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === 'ValidationException' && /could not find/i.test(e.message ?? '');
}

/** SageMaker names: at most 63 characters of letters, digits and dashes. */
function restoredName(base: string, at: Date): string {
  const suffix = `-restored-${at.getTime().toString(36)}`;
  return `${base.slice(0, 63 - suffix.length)}${suffix}`;
}

async function ensureEndpointConfig(knownGood: KnownGood, deps: RollbackDeps): Promise<string> {
  const original = knownGood.endpointConfig;
  try {
    await deps.sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: original.endpointConfigName }),
    );
    return original.endpointConfigName;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const at = deps.now();
  const modelNameMap = new Map<string, string>();
  for (const model of knownGood.models) {
    try {
      await deps.sagemaker.send(new DescribeModelCommand({ ModelName: model.modelName }));
      modelNameMap.set(model.modelName, model.modelName);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      const name = restoredName(model.modelName, at);
      await deps.sagemaker.send(
        new CreateModelCommand({
          ModelName: name,
          ExecutionRoleArn: model.executionRoleArn,
          PrimaryContainer: {
            Image: model.image,
            ModelDataUrl: model.modelDataUrl,
            Environment: model.environment,
          },
          VpcConfig: model.vpcConfig
            ? {
                SecurityGroupIds: [...model.vpcConfig.securityGroupIds],
                Subnets: [...model.vpcConfig.subnets],
              }
            : undefined,
          EnableNetworkIsolation: model.enableNetworkIsolation,
        }),
      );
      modelNameMap.set(model.modelName, name);
    }
  }
  const toVariant = (v: VariantSnapshot): ProductionVariant => ({
    VariantName: v.variantName,
    ModelName: modelNameMap.get(v.modelName) ?? v.modelName,
    InstanceType: v.instanceType as ProductionVariant['InstanceType'],
    InitialInstanceCount: v.initialInstanceCount,
    InitialVariantWeight: v.initialVariantWeight,
  });
  const name = restoredName(original.endpointConfigName, at);
  await deps.sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      KmsKeyId: original.kmsKeyId,
      ProductionVariants: original.productionVariants.map(toVariant),
      ShadowProductionVariants: original.shadowProductionVariants.length
        ? original.shadowProductionVariants.map(toVariant)
        : undefined,
      DataCaptureConfig: original.dataCapture
        ? {
            EnableCapture: true,
            DestinationS3Uri: original.dataCapture.destinationS3Uri,
            KmsKeyId: original.dataCapture.kmsKeyId,
            InitialSamplingPercentage: original.dataCapture.initialSamplingPercentage,
            CaptureOptions: original.dataCapture.captureModes.map((mode) => ({
              CaptureMode: mode as 'Input' | 'Output',
            })),
          }
        : undefined,
    }),
  );
  return name;
}
