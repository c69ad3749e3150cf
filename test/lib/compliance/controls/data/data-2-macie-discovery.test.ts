import { DATA_2 } from '../../../../../lib/compliance/controls/data/data-2-macie-discovery';
import { dataBucket, kmsKey, TAGS } from '../fixtures';
import { changed, context, describeControl, environment, ref, Resources } from '../harness';

const NAME = 'churn-prod-data-333333333333-eu-west-1';
const resources: Resources = {
  DataKey: kmsKey(),
  Data: dataBucket(NAME),
  Session: { Type: 'AWS::Macie::Session', Properties: { FindingPublishingFrequency: 'FIFTEEN_MINUTES' } },
  Job: {
    Type: 'Custom::MacieClassificationJob',
    Properties: { BucketName: NAME, Prefixes: ['customer-data/', 'capture/'], ScheduleFrequency: 'DAILY' },
  },
  Alerts: { Type: 'AWS::SNS::Topic', Properties: { Tags: TAGS } },
  Findings: {
    Type: 'AWS::Events::Rule',
    Properties: {
      EventPattern: { source: ['aws.macie'], 'detail-type': ['Macie Finding'] },
      Targets: [{ Arn: ref('Alerts'), Id: 'alerts' }],
    },
  },
};
const ctx = (r: Resources) => () => context(environment({ stacks: { DataProtection: r } }));

describeControl(DATA_2, {
  compliant: [
    {
      name: 'a scheduled job over the customer-data and capture prefixes, findings routed to the alert topic',
      context: ctx(resources),
      evidence: [
        `classification job scans ${NAME} (customer-data/, capture/) DAILY`,
        'Macie findings routed to Prod/DataProtection/Alerts',
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'a job that skips captured inference data',
      context: ctx(changed(resources, (r) => (r.Job.Properties!.Prefixes = ['customer-data/']))),
      problem: `the classification job of ${NAME} misses capture/`,
    },
    {
      name: 'no classification job',
      context: ctx(changed(resources, (r) => delete r.Job)),
      problem: 'no Macie classification job in the templates (the data-protection stack is not synthesized)',
    },
    {
      name: 'findings routed nowhere',
      context: ctx(changed(resources, (r) => delete r.Findings)),
      problem: 'no EventBridge rule routes Macie findings',
    },
    {
      name: 'the finding rule disabled',
      context: ctx(changed(resources, (r) => (r.Findings.Properties!.State = 'DISABLED'))),
      problem: 'the Macie finding rule is disabled',
    },
  ],
});
