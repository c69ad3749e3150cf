import { REL_2 } from '../../../../../lib/compliance/controls/rel/rel-2-capture-durability';
import { changed, context, describeControl, environment, ref, Resources } from '../harness';

const api: Resources = {
  Inference: {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Timeout: 10,
      Environment: {
        Variables: {
          SERVING_MODE: 'embedded',
          CAPTURE_BUCKET: 'churn-dev-data',
          CAPTURE_PREFIX: 'capture/churn-dev/',
          CAPTURE_SOURCE: 'churn-dev',
          CAPTURE_WAIT_MS: '200',
          CAPTURE_MAX_PARKED_RECORDS: '5000',
          POWERTOOLS_SERVICE_NAME: 'inference',
          POWERTOOLS_METRICS_NAMESPACE: 'churn/dev',
        },
      },
    },
  },
};
const alarm = (metric: string) => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: {
    MetricName: metric,
    Namespace: 'churn/dev',
    Dimensions: [{ Name: 'service', Value: 'inference' }],
    AlarmActions: [ref('Topic')],
  },
});
const monitoring: Resources = {
  Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
  DriftCheck: {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Environment: {
        Variables: {
          CAPTURE_PREFIX: 'capture/churn-dev/churn-dev/embedded/',
          REPORT_PREFIX: 'reports/drift/',
        },
      },
    },
  },
  Dropped: alarm('CaptureDropped'),
  Failures: alarm('CaptureWriteFailures'),
};
const ctx =
  (a: Resources, m: Resources = monitoring) =>
  () =>
    context(environment({ stacks: { Api: a, Monitoring: m } }));
const driftVariables = (r: Resources) =>
  (r.DriftCheck.Properties!.Environment as { Variables: Record<string, string> }).Variables;
const variables = (r: Resources) =>
  (r.Inference.Properties!.Environment as { Variables: Record<string, string> }).Variables;

describeControl(REL_2, {
  compliant: [
    {
      name: 'embedded capture with a bounded wait, parking, and alarms on dropped and failing writes',
      context: ctx(api),
      status: 'verified-at-runtime',
      evidence: [
        /writes the capture of record \(capture\/churn-dev\/churn-dev\/embedded\/\) in embedded mode/,
        'the drift check reads exactly this stream',
        /waits at most 200 ms/,
        'alarm on CaptureDropped',
        'CaptureWriteFailures alarm notifies',
      ],
    },
    {
      name: 'the SageMaker path with the function writing the capture of record, which the drift check reads',
      context: ctx(
        changed(api, (r) => (variables(r).SERVING_MODE = 'sagemaker')),
        changed(
          monitoring,
          (r) => (driftVariables(r).CAPTURE_PREFIX = 'capture/churn-dev/churn-dev/sagemaker/'),
        ),
      ),
      status: 'verified-at-runtime',
      evidence: [/in sagemaker mode/, 'the drift check reads exactly this stream'],
    },
  ],
  nonCompliant: [
    {
      name: 'an unbounded capture wait',
      context: ctx(changed(api, (r) => delete variables(r).CAPTURE_WAIT_MS)),
      problem: /capture wait .* is not bounded/,
    },
    {
      name: 'no parking for failed writes',
      context: ctx(changed(api, (r) => (variables(r).CAPTURE_MAX_PARKED_RECORDS = '0'))),
      problem: /parks no failed capture records/,
    },
    {
      name: 'no alarm on dropped records',
      context: ctx(
        api,
        changed(monitoring, (r) => delete r.Dropped),
      ),
      problem: "no alarm on CaptureDropped in the function's namespace",
    },
    {
      name: 'an alarm in another namespace',
      context: ctx(
        api,
        changed(monitoring, (r) => (r.Failures.Properties!.Namespace = 'other')),
      ),
      problem: "no alarm on CaptureWriteFailures in the function's namespace",
    },
    {
      name: 'an alarm that notifies no one',
      context: ctx(
        api,
        changed(monitoring, (r) => delete r.Dropped.Properties!.AlarmActions),
      ),
      problem: 'CaptureDropped alarm has no action',
    },
    {
      name: "the SageMaker path relying on the endpoint's capture, which counts no failures",
      context: ctx(
        changed(api, (r) => {
          variables(r).SERVING_MODE = 'sagemaker';
          delete variables(r).CAPTURE_BUCKET;
        }),
      ),
      problem: /serving mode sagemaker: the function writes no capture records \(CAPTURE_BUCKET\)/,
    },
    {
      name: 'a drift check reading the whole capture prefix (the endpoint capture too)',
      context: ctx(
        api,
        changed(monitoring, (r) => (driftVariables(r).CAPTURE_PREFIX = 'capture/')),
      ),
      problem: /no drift check reads the function's capture stream capture\/churn-dev\/churn-dev\/embedded\//,
    },
  ],
});
