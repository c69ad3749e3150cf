import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AnomalyAlarms } from '../../../lib/constructs/anomaly-alarms';
import { buildTestApp, resourcesOfType } from '../../helpers/app';

type MetricData = {
  Id: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: {
    Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
    Stat: string;
    Period: number;
  };
};

function fixture(bandWidth = 2) {
  const stack = new Stack(new App(), 'Unit', { env: { account: '111122223333', region: 'eu-west-1' } });
  const api = new apigw.RestApi(stack, 'Api', { restApiName: 'churn-unit-api' });
  api.root.addMethod('POST', new apigw.MockIntegration());
  const key = api.addApiKey('Key', { apiKeyName: 'churn-unit-crm' });
  const topic = sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:111122223333:alerts');
  const alarms = new AnomalyAlarms(stack, 'Anomaly', {
    api,
    metricNamespace: 'churn/unit',
    alertTopic: topic,
    bandWidth,
    clientKeys: { crm: key },
  });
  return { stack, alarms, template: Template.fromStack(stack) };
}

/** The anomaly-detection alarms of a template: what each watches and its band expression. */
function anomalyAlarms(template: Template) {
  return resourcesOfType(template, 'AWS::CloudWatch::Alarm')
    .map(([, a]) => a.Properties as Record<string, unknown>)
    .filter((p) => p.ThresholdMetricId !== undefined)
    .map((p) => {
      const metrics = p.Metrics as MetricData[];
      const band = metrics.find((m) => m.Id === p.ThresholdMetricId)!;
      const watched = metrics.find((m) => m.MetricStat)!;
      return { props: p, band, watched };
    });
}

describe('AnomalyAlarms (MON-5)', () => {
  const { template } = fixture();
  const alarms = anomalyAlarms(template);

  test('MON-5 anomaly-band alarms on request volume (total and per client), 4xx rate, latency and mean probability', () => {
    const watched = alarms.map(
      ({ watched: w }) => `${w.MetricStat!.Metric.MetricName}/${w.MetricStat!.Stat}`,
    );
    expect(watched.sort()).toEqual([
      '4XXError/Average',
      'CallerRequests/Sum',
      'Count/Sum',
      'Latency/Average',
      'PredictedProbability/Average',
    ]);
    for (const { props, band, watched: w } of alarms) {
      // The shape CloudFormation documents for an anomaly-detection alarm: a band expression over the metric,
      // named by ThresholdMetricId, both returned, and no static Threshold.
      expect(band.Expression).toBe(`ANOMALY_DETECTION_BAND(${w.Id}, 2)`);
      expect(band.ReturnData).toBe(true);
      expect(w.ReturnData).toBe(true);
      expect(props.Threshold).toBeUndefined();
      expect(w.MetricStat!.Period).toBe(300);
      expect(props).toMatchObject({
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        TreatMissingData: 'notBreaching',
        AlarmActions: ['arn:aws:sns:eu-west-1:111122223333:alerts'],
        OKActions: ['arn:aws:sns:eu-west-1:111122223333:alerts'],
      });
      expect(String(props.AlarmDescription).length).toBeGreaterThan(80);
    }
  });

  test('MON-5 the per-client alarm reads the CallerRequests metric the function publishes for that key', () => {
    const client = alarms.find((a) => a.watched.MetricStat!.Metric.MetricName === 'CallerRequests')!;
    expect(client.props.ComparisonOperator).toBe('GreaterThanUpperThreshold');
    const dims = client.watched.MetricStat!.Metric.Dimensions!;
    expect(dims.find((d) => d.Name === 'service')!.Value).toBe('inference');
    const caller = JSON.stringify(dims.find((d) => d.Name === 'Caller')!.Value);
    expect(caller).toContain('api-key:');
    expect(caller).toContain('"Ref":"ApiKey');
    const probability = alarms.find(
      (a) => a.watched.MetricStat!.Metric.MetricName === 'PredictedProbability',
    )!;
    expect(probability.watched.MetricStat!.Metric.Namespace).toBe('churn/unit');
    expect(probability.props.ComparisonOperator).toBe('LessThanLowerOrGreaterThanUpperThreshold');
  });

  test('a band width outside 1..10 standard deviations is refused, naming the property', () => {
    expect(() => fixture(0.5)).toThrow(/bandWidth must be from 1 to 10/);
  });
});

describe('MON-5 anomaly alarms in every environment, band width from the configuration', () => {
  const testApp = buildTestApp();

  test.each([
    ['Dev', 3],
    ['Prod', 2],
  ])(
    '%s: bands of %d standard deviations, per-client alarms for its clients, on the dashboard',
    (stage, width) => {
      const template = Template.fromStack(testApp.stage(stage).monitoring);
      const alarms = anomalyAlarms(template);
      expect(alarms.length).toBeGreaterThanOrEqual(4);
      for (const { band } of alarms) expect(band.Expression).toMatch(new RegExp(`, ${width}\\)$`));
      const clients = Object.keys(testApp.stage(stage).api.protectedApi.clientKeys).length;
      expect(alarms.filter((a) => a.watched.MetricStat!.Metric.MetricName === 'CallerRequests')).toHaveLength(
        clients,
      );
      const body = JSON.stringify(
        resourcesOfType(template, 'AWS::CloudWatch::Dashboard')[0][1].Properties!.DashboardBody,
      );
      expect(body).toContain('Anomaly band: RequestVolumeAnomaly');
    },
  );
});
