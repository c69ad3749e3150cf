import { Template } from 'aws-cdk-lib/assertions';
import { buildTestApp, resourcesOfType } from '../../helpers/app';

describe('Monitoring stack in every environment (MON-1, MON-2, MON-3, MON-4)', () => {
  const testApp = buildTestApp();

  test.each(['Dev', 'Test', 'Prod'])(
    '%s: the drift check, API alarms and a dashboard with drift per feature',
    (stage) => {
      const template = Template.fromStack(testApp.stage(stage).monitoring);
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      const body = JSON.stringify(
        resourcesOfType(template, 'AWS::CloudWatch::Dashboard')[0][1].Properties!.DashboardBody,
      );
      for (const needle of [
        'FeaturePsi',
        'FeatureKsStatistic',
        'FeatureNullRate',
        'BlockedRequests',
        '5XXError',
        'Latency',
        'Throttles',
        'Contract',
        'tenure',
      ]) {
        expect({ needle, present: body.includes(needle) }).toEqual({ needle, present: true });
      }
      const alarmMetrics = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(
        ([, a]) => a.Properties!.MetricName,
      );
      for (const metric of [
        'DriftedFeatures',
        'PredictionDrift',
        'DataQualityBreaches',
        '5XXError',
        '4XXError',
        'Latency',
        'Throttles',
      ]) {
        expect(alarmMetrics).toContain(metric);
      }
    },
  );

  test('prod (autoRollback on, SageMaker serving) rolls back on drift and error alarms; dev does not', () => {
    const prod = Template.fromStack(testApp.stage('Prod').monitoring);
    const rules = resourcesOfType(prod, 'AWS::Events::Rule').map(([, r]) => r.Properties!);
    const onAlarm = rules.find((r) => r.EventPattern !== undefined)!;
    expect(
      (onAlarm.EventPattern as { detail: { alarmName: unknown[] } }).detail.alarmName.length,
    ).toBeGreaterThanOrEqual(3);
    const env = Object.values(
      prod.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { ENDPOINT_NAME: 'churn-prod' } } },
      }),
    );
    expect(env).toHaveLength(1);

    const dev = Template.fromStack(testApp.stage('Dev').monitoring);
    expect(
      Object.values(dev.findResources('AWS::Lambda::Function')).some(
        (f) => f.Properties.Environment?.Variables?.ENDPOINT_NAME,
      ),
    ).toBe(false);
  });

  test('every alarm notifies the encrypted alert topic', () => {
    for (const stage of testApp.stages) {
      for (const [, alarm] of resourcesOfType(
        Template.fromStack(stage.monitoring),
        'AWS::CloudWatch::Alarm',
      )) {
        expect(JSON.stringify(alarm.Properties!.AlarmActions)).toContain('AlertsTopic');
      }
    }
  });
});
