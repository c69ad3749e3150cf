import { ResourceHandle } from '../../model';
import { defineControl, Findings } from '../control';

/** What MON-5 asks to watch, by the metric each anomaly alarm is built on. */
export const ANOMALY_WATCHED = {
  Count: 'API request volume',
  '4XXError': 'API 4xx rate',
  Latency: 'API latency',
  PredictedProbability: 'mean predicted probability',
} as const;
/** Per-client request volume: one alarm per API key (lambda/inference/metric-names.ts). */
const PER_CLIENT_METRIC = 'CallerRequests';

interface MetricData {
  readonly Id?: string;
  readonly Expression?: unknown;
  readonly MetricStat?: { readonly Metric?: { readonly MetricName?: unknown } };
}

/** The metric an anomaly-detection alarm watches, when its threshold is an ANOMALY_DETECTION_BAND. */
function anomalyMetric(alarm: ResourceHandle): string | undefined {
  const metrics = Array.isArray(alarm.props.Metrics) ? (alarm.props.Metrics as MetricData[]) : [];
  const band = metrics.find((m) => m.Id === alarm.props.ThresholdMetricId);
  const expression = typeof band?.Expression === 'string' ? band.Expression : '';
  const over = /^ANOMALY_DETECTION_BAND\(\s*(\w+)\s*(?:,\s*[\d.]+\s*)?\)$/.exec(expression)?.[1];
  const watched = metrics.find((m) => m.Id === over)?.MetricStat?.Metric?.MetricName;
  return typeof watched === 'string' ? watched : undefined;
}

export const MON_5 = defineControl({
  id: 'MON-5',
  implementedBy: [
    { name: 'AnomalyAlarms', file: 'lib/constructs/anomaly-alarms.ts' },
    { name: 'callerLabel', file: 'lambda/inference/caller.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/monitoring/anomaly-alarms.test.ts',
      name: 'AnomalyAlarms (MON-5) MON-5 anomaly-band alarms on request volume (total and per client), 4xx rate, latency and mean probability',
    },
    {
      file: 'test/lib/monitoring/anomaly-alarms.test.ts',
      name: 'AnomalyAlarms (MON-5) MON-5 the per-client alarm reads the CallerRequests metric the function publishes for that key',
    },
    {
      file: 'test/lambda/inference/core.test.ts',
      name: 'MON-5, MON-6: the caller is recorded with the capture and counted; probabilities are published MON-5 each scored probability and each named caller is published as a metric',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const apis = model.ofType('AWS::ApiGateway::RestApi');
    if (apis.length === 0) f.bad('no inference API in the templates, so nothing is watched for anomalies');
    const anomaly = model
      .ofType('AWS::CloudWatch::Alarm')
      .map((alarm) => ({ alarm, metric: anomalyMetric(alarm) }))
      .filter((a): a is { alarm: ResourceHandle; metric: string } => a.metric !== undefined);
    for (const [metric, what] of Object.entries(ANOMALY_WATCHED)) {
      const found = anomaly.filter((a) => a.metric === metric);
      if (found.length === 0) f.bad(`no anomaly-detection alarm on ${metric} (${what})`);
      for (const { alarm } of found) {
        const notifies = Array.isArray(alarm.props.AlarmActions) && alarm.props.AlarmActions.length > 0;
        f.check(
          notifies,
          `anomaly band on ${metric}: ${what}`,
          `anomaly alarm on ${metric} notifies nobody`,
          alarm,
        );
      }
    }
    const keys = model.ofType('AWS::ApiGateway::ApiKey');
    const perClient = anomaly.filter((a) => a.metric === PER_CLIENT_METRIC);
    f.check(
      perClient.length >= keys.length,
      `${perClient.length} per-client volume anomaly alarm(s) for ${keys.length} API client key(s)`,
      `${keys.length} API client keys but ${perClient.length} per-client volume anomaly alarm(s)`,
    );
    return f.conclude(
      'enforced',
      'anomaly-band alarms on request volume, 4xx rate, latency and mean probability',
    );
  },
});
