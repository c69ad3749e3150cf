import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MON_5 } from '../../../../../lib/compliance/controls/mon/mon-5-anomaly-detection';
import { AnomalyAlarms } from '../../../../../lib/constructs/anomaly-alarms';
import { changed, context, describeControl, environment, Resources, synthesize } from '../harness';

/** The project's AnomalyAlarms on a small API with one client key, as synthesized. */
const resources: Resources = synthesize((stack) => {
  const api = new apigw.RestApi(stack, 'Api', { restApiName: 'churn-prod-api' });
  api.root.addMethod('POST', new apigw.MockIntegration());
  const key = api.addApiKey('Key', { apiKeyName: 'churn-prod-crm' });
  new AnomalyAlarms(stack, 'Anomaly', {
    api,
    metricNamespace: 'churn/prod',
    alertTopic: sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:333333333333:alerts'),
    bandWidth: 2,
    clientKeys: { crm: key },
  });
});
const ctx = (r: Resources) => () => context(environment({ stacks: { Monitoring: r } }));

/** The logical id of the alarm watching `metric`. */
function alarmOn(r: Resources, metric: string): string {
  return Object.entries(r).find(
    ([, res]) =>
      res.Type === 'AWS::CloudWatch::Alarm' &&
      JSON.stringify(res.Properties?.Metrics).includes(`"${metric}"`),
  )![0];
}

describeControl(MON_5, {
  compliant: [
    {
      name: "the project's anomaly alarms: volume, per-client volume, 4xx rate, latency and mean probability",
      context: ctx(resources),
      evidence: [
        'anomaly band on Count: API request volume',
        'anomaly band on PredictedProbability: mean predicted probability',
        '1 per-client volume anomaly alarm(s) for 1 API client key(s)',
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'no anomaly alarm on the mean predicted probability',
      context: ctx(changed(resources, (r) => delete r[alarmOn(r, 'PredictedProbability')])),
      problem: 'no anomaly-detection alarm on PredictedProbability (mean predicted probability)',
    },
    {
      name: 'a static threshold alarm on latency is not an anomaly band',
      context: ctx(
        changed(resources, (r) => {
          const id = alarmOn(r, 'Latency');
          r[id] = { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Latency', Threshold: 2000 } };
        }),
      ),
      problem: 'no anomaly-detection alarm on Latency (API latency)',
    },
    {
      name: 'an API client key without its volume alarm',
      context: ctx(changed(resources, (r) => delete r[alarmOn(r, 'CallerRequests')])),
      problem: '1 API client keys but 0 per-client volume anomaly alarm(s)',
    },
    {
      name: 'an anomaly alarm that notifies nobody',
      context: ctx(changed(resources, (r) => delete r[alarmOn(r, '4XXError')].Properties!.AlarmActions)),
      problem: 'anomaly alarm on 4XXError notifies nobody',
    },
  ],
});
