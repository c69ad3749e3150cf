import type { ResourceHandle } from '../../model';
import { defineControl, Findings } from '../control';
import { list, str } from '../template-readers';
import { inferenceEnvironment, inferenceFunctions, numericSetting } from './inference-function';
import { driftCheckEnvironment } from '../../../../lambda/drift-check/environment';
import { inferenceEnvironment as inferenceContract } from '../../../../lambda/inference/environment';
import { captureStreamPrefix } from '../../../../src/capture/record';

const CAPTURE = inferenceContract.variables;
const DRIFT = driftCheckEnvironment.variables;

/** Longest capture wait the control accepts as "never delays the answer" in any noticeable way. */
const MAX_CAPTURE_WAIT_MS = 1_000;

export const REL_2 = defineControl({
  id: 'REL-2',
  implementedBy: [
    { name: 'CaptureShipper', file: 'lambda/inference/capture-shipper.ts' },
    { name: 'InferenceFunction', file: 'lib/constructs/inference-function.ts' },
    { name: 'DriftMonitor', file: 'lib/constructs/drift-monitor.ts' },
    { name: 'ApiAlarms', file: 'lib/constructs/api-alarms.ts' },
  ],
  provenBy: [
    {
      file: 'test/lambda/inference/chaos.test.ts',
      name: 'REL-2: the SageMaker path writes the capture of record too (sagemaker mode) the endpoint scores and the function captures each customer once, under its own stream',
    },
    {
      file: 'test/lambda/inference/chaos.test.ts',
      name: 'REL-2: the capture write hangs, throttles or fails (embedded mode) S3 %s: the answer is 200 after at most the capture wait, the records are parked and written with the next request',
    },
    {
      file: 'test/lambda/inference/deadline.test.ts',
      name: 'REL-2: a capture that cannot be written is parked, retried and, past the bound, counted failed records are written with the next capture; overflow beyond the bound is counted as dropped',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const functions = inferenceFunctions(model);
    if (functions.length === 0)
      f.bad('no inference function (a Lambda function with SERVING_MODE) in this environment');
    const driftChecks = model
      .ofType('AWS::Lambda::Function')
      .filter((fn) => inferenceEnvironment(fn)[DRIFT.reportPrefix.name] !== undefined);
    for (const fn of functions) {
      const env = inferenceEnvironment(fn);
      // The function writes the capture of record in either serving mode: a SageMaker endpoint's own
      // capture publishes no count of records it fails to write, so it cannot be the record REL-2 needs.
      const stream = functionCaptureStream(env);
      if (
        !f.check(
          stream !== undefined,
          `the function writes the capture of record (${str(stream)}) in ${str(env.SERVING_MODE)} mode`,
          `serving mode ${str(env.SERVING_MODE)}: the function writes no capture records (${CAPTURE.captureBucket.name}), so a lost record is not counted or alarmed`,
          fn,
        )
      )
        continue;
      const readers = driftChecks.filter((d) => inferenceEnvironment(d)[DRIFT.capturePrefix.name] === stream);
      f.check(
        readers.length > 0,
        `the drift check reads exactly this stream`,
        `no drift check reads the function's capture stream ${str(stream)}; it would read records whose losses nobody counts`,
        readers[0] ?? fn,
      );
      const wait = numericSetting(fn, inferenceContract.variables.captureWaitMs.name);
      const parked = numericSetting(fn, inferenceContract.variables.captureMaxParkedRecords.name);
      f.check(
        wait !== undefined && wait > 0 && wait <= MAX_CAPTURE_WAIT_MS,
        `the answer waits at most ${str(wait)} ms for its capture write; a slower or failed write is parked and retried`,
        `capture wait ${str(wait)} ms is not bounded to 1..${MAX_CAPTURE_WAIT_MS} ms`,
        fn,
      );
      f.check(
        parked !== undefined && parked > 0,
        `up to ${str(parked)} capture records are parked for retry; more are dropped and counted (CaptureDropped)`,
        'the function parks no failed capture records (CAPTURE_MAX_PARKED_RECORDS)',
        fn,
      );
      for (const metric of ['CaptureDropped', 'CaptureWriteFailures']) {
        const alarm = captureAlarm(model.ofType('AWS::CloudWatch::Alarm'), metric, env);
        if (
          f.check(
            !!alarm,
            `alarm on ${metric}`,
            `no alarm on ${metric} in the function's namespace`,
            alarm ?? fn,
          )
        ) {
          f.check(
            list((alarm as ResourceHandle).props.AlarmActions).length > 0,
            `${metric} alarm notifies`,
            `${metric} alarm has no action`,
            alarm,
          );
        }
      }
    }
    return f.conclude(
      'verified-at-runtime',
      'capture writes never hold the answer beyond a bounded wait; failed writes are parked and retried, losses counted and alarmed',
    );
  },
});

function captureAlarm(
  alarms: readonly ResourceHandle[],
  metricName: string,
  env: Record<string, unknown>,
): ResourceHandle | undefined {
  return alarms.find((a) => {
    const dimensions = list<{ Name?: unknown; Value?: unknown }>(a.props.Dimensions);
    return (
      a.props.MetricName === metricName &&
      a.props.Namespace === env.POWERTOOLS_METRICS_NAMESPACE &&
      dimensions.some((d) => d.Name === 'service' && d.Value === env.POWERTOOLS_SERVICE_NAME)
    );
  });
}

/** `<prefix><source>/<mode>/`, where the function writes, or undefined when it writes no capture. */
function functionCaptureStream(env: Record<string, unknown>): string | undefined {
  const [bucket, prefix, source, mode] = [
    CAPTURE.captureBucket,
    CAPTURE.capturePrefix,
    CAPTURE.captureSource,
    CAPTURE.servingMode,
  ].map((v) => env[v.name]);
  if (
    bucket === undefined ||
    typeof prefix !== 'string' ||
    typeof source !== 'string' ||
    typeof mode !== 'string'
  )
    return undefined;
  try {
    return captureStreamPrefix(prefix, source, mode);
  } catch {
    return undefined;
  }
}
