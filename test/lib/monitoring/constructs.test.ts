import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MonitoringSettings } from '../../../lib/config';
import { DriftMonitor } from '../../../lib/constructs/drift-monitor';
import { EndpointRollback } from '../../../lib/constructs/endpoint-rollback';
import { schedulePeriod } from '../../../lib/constructs/schedule-period';
import { placementFixture } from '../../helpers/placement';

const baselineFile = path.join(mkdtempSync(path.join(tmpdir(), 'baseline-')), 'baseline.json');
writeFileSync(baselineFile, JSON.stringify({ features: [{ name: 'tenure' }, { name: 'Contract' }] }));

const SETTINGS: MonitoringSettings = {
  driftSchedule: 'rate(6 hours)',
  lookbackHours: 24,
  significanceLevel: 0.05,
  psiThreshold: 0.2,
  autoRollback: true,
  baselineFile,
  concentratedDriftShare: 0.8,
  concentratedDriftCallers: 2,
  anomalyBandWidth: 2,
};

function fixture() {
  const { stack, placement, dataKey } = placementFixture('333333333333');
  const dataBucket = s3.Bucket.fromBucketName(stack, 'DataBucket', 'churn-prod-data');
  const topic = sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:333333333333:alerts');
  return { stack, placement, dataBucket, topic, dataKey };
}

type Statement = {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};
function statementsOf(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  );
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** The inference function's capture stream in sagemaker mode (InferenceFunction.captureStreamPrefix). */
const STREAM = 'capture/churn-prod/churn-prod/sagemaker/';

describe('DriftMonitor (MON-1, MON-2)', () => {
  const { stack, placement, dataBucket, topic } = fixture();
  const monitor = new DriftMonitor(stack, 'Drift', {
    placement,
    dataBucket,
    alertTopic: topic,
    metricNamespace: 'churn/prod',
    environmentName: 'prod',
    settings: SETTINGS,
    captureStreamPrefix: STREAM,
  });
  const template = Template.fromStack(stack);

  test('runs on the configured schedule', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(6 hours)',
      State: 'ENABLED',
    });
  });

  test("reads only the inference function's capture stream, writes only drift reports, publishes only to its namespace", () => {
    const statements = statementsOf(template);
    const list = statements.find((s) => actionsOf(s).includes('s3:ListBucket'))!;
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': [STREAM, `${STREAM}*`] } });
    expect(JSON.stringify(statements.find((s) => actionsOf(s).includes('s3:GetObject'))!.Resource)).toContain(
      `/${STREAM}*`,
    );
    // REL-2: the endpoint's own capture (its variants beside the function's stream) is never read, so the
    // drift check counts each request once.
    expect(JSON.stringify(statements)).not.toContain('"capture/*"');
    expect(JSON.stringify(statements.find((s) => actionsOf(s).includes('s3:PutObject'))!.Resource)).toContain(
      '/reports/drift/*',
    );
    expect(statements.find((s) => actionsOf(s).includes('cloudwatch:PutMetricData'))!.Condition).toEqual({
      StringEquals: { 'cloudwatch:namespace': 'churn/prod' },
    });
    expect(
      statements.some((s) => actionsOf(s).includes('s3:DeleteObject') || actionsOf(s).includes('s3:*')),
    ).toBe(false);
  });

  test('alarms on feature drift, prediction drift, data quality, a check that stopped running and errors, all to the topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const byMetric = Object.fromEntries(alarms.map((a) => [a.MetricName, a]));
    expect(Object.keys(byMetric).sort()).toEqual([
      'ConcentratedDrift',
      'DataQualityBreaches',
      'DriftedFeatures',
      'Errors',
      'PredictionDrift',
      'WindowEmpty',
    ]);
    expect(byMetric.WindowEmpty).toMatchObject({
      Statistic: 'SampleCount',
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      Period: 21600,
    });
    expect(byMetric.DriftedFeatures).toMatchObject({
      Namespace: 'churn/prod',
      Dimensions: [{ Name: 'Environment', Value: 'prod' }],
      Period: 21600,
    });
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:333333333333:alerts']);
      expect(alarm.AlarmDescription.length).toBeGreaterThan(40);
    }
  });

  test('MON-6 alarms apart on a drift concentrated in few callers, with the first response, to the topic', () => {
    const [alarm] = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'ConcentratedDrift' } }),
    ).map((a) => a.Properties);
    expect(alarm).toMatchObject({
      Namespace: 'churn/prod',
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: ['arn:aws:sns:eu-west-1:333333333333:alerts'],
    });
    expect(alarm.AlarmDescription).toMatch(/one or two callers.*concentratedIn/s);
    expect(monitor.concentratedDriftAlarm).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { MIN_CONCENTRATED_SHARE: '0.8', MAX_CONCENTRATED_CALLERS: '2' } },
    });
  });

  test('exposes per-feature metrics for dashboards', () => {
    expect(monitor.featureNames).toEqual(['tenure', 'Contract']);
    expect(monitor.metric('FeatureKsStatistic', 'tenure').dimensions).toEqual({
      Environment: 'prod',
      Feature: 'tenure',
    });
  });

  test.each(['reports/', 'capture/churn-prod', 'capture/*/'])(
    'refuses a capture stream outside a capture/ folder (%s), naming the property',
    (stream) => {
      const other = fixture();
      expect(
        () =>
          new DriftMonitor(other.stack, 'Drift', {
            placement: other.placement,
            dataBucket: other.dataBucket,
            alertTopic: other.topic,
            metricNamespace: 'n',
            environmentName: 'prod',
            settings: SETTINGS,
            captureStreamPrefix: stream,
          }),
      ).toThrow(/captureStreamPrefix must be a folder under capture\/ ending in '\/'/);
    },
  );

  test('refuses a baseline file that does not exist, naming the setting', () => {
    const other = fixture();
    expect(
      () =>
        new DriftMonitor(other.stack, 'Drift', {
          placement: other.placement,
          dataBucket: other.dataBucket,
          alertTopic: other.topic,
          metricNamespace: 'n',
          environmentName: 'prod',
          settings: { ...SETTINGS, baselineFile: 'models/none/baseline.json' },
          captureStreamPrefix: STREAM,
        }),
    ).toThrow('monitoring.baselineFile models/none/baseline.json does not exist');
  });

  test('passes both rule packs', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
    expect(new NIST80053R5Checks().validateScope(stack).violations).toEqual([]);
  });
});

describe('EndpointRollback (MON-3)', () => {
  const { stack, placement, dataBucket, topic, dataKey } = fixture();
  const watched = [
    cloudwatch.Alarm.fromAlarmArn(
      stack,
      'A1',
      'arn:aws:cloudwatch:eu-west-1:333333333333:alarm:churn-prod-drift',
    ),
    cloudwatch.Alarm.fromAlarmArn(
      stack,
      'A2',
      'arn:aws:cloudwatch:eu-west-1:333333333333:alarm:churn-prod-5xx',
    ),
  ];
  new EndpointRollback(stack, 'Rollback', {
    placement,
    endpointName: 'Churn-Prod',
    watchedAlarms: watched,
    modelExecutionRole: iam.Role.fromRoleArn(stack, 'Exec', 'arn:aws:iam::333333333333:role/sagemaker-exec'),
    endpointKeys: [dataKey],
    stateBucket: dataBucket,
    alertTopic: topic,
    metricNamespace: 'churn/prod',
    heartbeat: Duration.minutes(10),
  });
  const template = Template.fromStack(stack);

  test('is triggered by the watched alarms entering ALARM, and by a heartbeat', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { alarmName: ['churn-prod-drift', 'churn-prod-5xx'], state: { value: ['ALARM'] } },
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(10 minutes)' });
  });

  test('may update only its endpoint and pass only the model execution role, to SageMaker', () => {
    const statements = statementsOf(template);
    const update = statements.find((s) => actionsOf(s).includes('sagemaker:UpdateEndpoint'))!;
    expect(update.Resource).toEqual('arn:aws:sagemaker:eu-west-1:333333333333:endpoint/churn-prod');
    const pass = statements.find((s) => actionsOf(s).includes('iam:PassRole'))!;
    expect(pass).toMatchObject({
      Resource: 'arn:aws:iam::333333333333:role/sagemaker-exec',
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
    const grant = statements.find((s) => actionsOf(s).includes('kms:CreateGrant'))!;
    expect(grant.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
  });

  test('reports every rollback, failure and self-disable through alarms to the topic', () => {
    const metrics = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties.MetricName)
      .sort();
    expect(metrics).toEqual(['RollbackDisabled', 'RollbackFailed', 'RollbackPerformed']);
  });

  test('passes both rule packs', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
    expect(new NIST80053R5Checks().validateScope(stack).violations).toEqual([]);
  });
});

test('alarm periods follow the schedule; cron falls back to an hour', () => {
  expect(schedulePeriod('rate(6 hours)').toSeconds()).toBe(21600);
  expect(schedulePeriod('rate(30 minutes)').toSeconds()).toBe(1800);
  expect(schedulePeriod('rate(1 day)').toSeconds()).toBe(86400);
  expect(schedulePeriod('cron(0 * * * ? *)').toSeconds()).toBe(3600);
});
