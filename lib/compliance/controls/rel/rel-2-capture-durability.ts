import type { ResourceHandle } from '../../model';
import { defineControl, Findings } from '../control';
import { list, str } from '../template-readers';
import { inferenceEnvironment, inferenceFunctions, numericSetting } from './inference-function';
import { inferenceEnvironment as inferenceContract } from '../../../../lambda/inference/environment';

/** Longest capture wait the control accepts as "never delays the answer" in any noticeable way. */
const MAX_CAPTURE_WAIT_MS = 1_000;

export const REL_2 = defineControl({
  id: 'REL-2',
  implementedBy: [
    { name: 'CaptureShipper', file: 'lambda/inference/capture-shipper.ts' },
    { name: 'ApiAlarms', file: 'lib/constructs/api-alarms.ts' },
  ],
  provenBy: [
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
    for (const fn of functions) {
      const env = inferenceEnvironment(fn);
      if (env.SERVING_MODE !== 'embedded') {
        // SageMaker captures asynchronously inside the endpoint and publishes no count of records it fails
        // to write, so a loss there is silent: REL-2 is not met on this path.
        f.bad(
          `serving mode ${str(env.SERVING_MODE)}: the endpoint's data capture publishes no failure count, so a lost capture record is not counted or alarmed`,
          fn,
        );
        continue;
      }
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
