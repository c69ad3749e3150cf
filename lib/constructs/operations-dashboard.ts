import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DriftMonitor } from './drift-monitor';

export interface DashboardApi {
  readonly restApi: apigw.RestApi;
  readonly inferenceFunction: lambda.IFunction;
  /** The web ACL's name, the dimension of WAF's metrics. */
  readonly webAclName: string;
  /** The API clients' keys (api.clients), for per-client request volume (MON-5). @default none */
  readonly clientKeys?: Readonly<Record<string, apigw.IApiKey>>;
}

export interface DashboardEndpoint {
  readonly endpointName: string;
  readonly variantName: string;
}

export interface OperationsDashboardProps {
  /** Name of the CloudWatch dashboard. */
  readonly dashboardName: string;
  /** The drift monitor whose per-feature metrics the dashboard shows. */
  readonly drift: DriftMonitor;
  /** @default no API widgets (an environment without the API stack) */
  readonly api?: DashboardApi;
  /** @default no endpoint widgets (embedded serving) */
  readonly endpoint?: DashboardEndpoint;
  /** Anomaly-detection alarms (MON-5), each drawn with its band. @default none */
  readonly anomalyAlarms?: readonly cloudwatch.IAlarm[];
}

const PERIOD = Duration.minutes(5);

/**
 * MON-4: one page per environment: API traffic, errors, latency and throttles; WAF blocks; endpoint
 * health; drift per feature and its concentration in callers (MON-6); data-quality rates.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
    });
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = [], width = 8) =>
      new cloudwatch.GraphWidget({ title, left, right, width, height: 6 });

    if (props.api) {
      const { restApi, inferenceFunction, webAclName } = props.api;
      this.dashboard.addWidgets(
        graph(
          'API requests and errors',
          [restApi.metricCount({ period: PERIOD, statistic: 'Sum' })],
          [
            restApi.metricClientError({ period: PERIOD, statistic: 'Sum' }),
            restApi.metricServerError({ period: PERIOD, statistic: 'Sum' }),
          ],
        ),
        graph('API latency (ms)', [
          restApi.metricLatency({ period: PERIOD, statistic: 'p50' }),
          restApi.metricLatency({ period: PERIOD, statistic: 'p99' }),
          restApi.metricIntegrationLatency({ period: PERIOD, statistic: 'p99' }),
        ]),
        graph(
          'Inference function',
          [
            inferenceFunction.metricErrors({ period: PERIOD }),
            inferenceFunction.metricThrottles({ period: PERIOD }),
          ],
          [inferenceFunction.metricDuration({ period: PERIOD, statistic: 'p99' })],
        ),
      );
      const waf = (metricName: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/WAFV2',
          metricName,
          dimensionsMap: { WebACL: webAclName, Region: Stack.of(this).region, Rule: 'ALL' },
          statistic: 'Sum',
          period: PERIOD,
        });
      this.dashboard.addWidgets(
        graph('WAF: blocked and allowed requests', [waf('BlockedRequests')], [waf('AllowedRequests')], 24),
      );
    }

    if (props.anomalyAlarms && props.anomalyAlarms.length > 0) {
      // Each alarm graph shows the metric with its learned band (MON-5).
      this.dashboard.addWidgets(
        ...props.anomalyAlarms.map(
          (alarm) =>
            new cloudwatch.AlarmWidget({
              title: `Anomaly band: ${alarm.node.id}`,
              alarm,
              width: 6,
              height: 6,
            }),
        ),
      );
    }

    if (props.endpoint) {
      const sm = (metricName: string, statistic: string, namespace = 'AWS/SageMaker') =>
        new cloudwatch.Metric({
          namespace,
          metricName,
          dimensionsMap: {
            EndpointName: props.endpoint!.endpointName,
            VariantName: props.endpoint!.variantName,
          },
          statistic,
          period: PERIOD,
        });
      this.dashboard.addWidgets(
        graph(
          'Endpoint invocations',
          [sm('Invocations', 'Sum')],
          [sm('Invocation5XXErrors', 'Sum'), sm('Invocation4XXErrors', 'Sum')],
        ),
        graph('Endpoint model latency (µs)', [sm('ModelLatency', 'p50'), sm('ModelLatency', 'p99')]),
        graph('Endpoint instances', [
          sm('CPUUtilization', 'Average', '/aws/sagemaker/Endpoints'),
          sm('MemoryUtilization', 'Average', '/aws/sagemaker/Endpoints'),
        ]),
      );
    }

    const { drift } = props;
    const perFeature = (metricName: string) =>
      drift.featureNames.map((f) => drift.metric(metricName, f).with({ label: f }));
    this.dashboard.addWidgets(
      graph(
        'Drift: features and predictions',
        [drift.metric('DriftedFeatures')],
        [drift.metric('PredictionPsi'), drift.metric('PredictionKsStatistic')],
      ),
      graph('Drift: PSI per feature', perFeature('FeaturePsi')),
      graph('Drift: KS statistic per numeric feature', perFeature('FeatureKsStatistic')),
    );
    // MON-6: broad drift and drift concentrated in a few callers side by side.
    this.dashboard.addWidgets(
      graph(
        'Drift concentrated in few callers (MON-6)',
        [drift.metric('ConcentratedDrift'), drift.metric('ConcentratedDriftFeatures')],
        [],
        12,
      ),
      graph(
        'Drift: share of the distance from the leading caller, per drifted feature',
        perFeature('FeatureLeadingCallerShare'),
        [],
        12,
      ),
    );
    this.dashboard.addWidgets(
      graph('Data quality: null rate per feature', perFeature('FeatureNullRate')),
      graph('Data quality: type errors per feature', perFeature('FeatureTypeErrorRate')),
      graph('Data quality: out of range per feature', perFeature('FeatureOutOfRangeRate'), [
        drift.metric('NonFiniteOutputs'),
      ]),
    );
  }
}
