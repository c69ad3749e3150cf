import { DATA_BUCKET_PREFIXES } from '../../../config/naming';
import { defineControl, Findings } from '../control';
import { bucketName, dataBuckets, list, str } from '../template-readers';

const MACIE_JOB_TYPE = 'Custom::MacieClassificationJob';

export const DATA_2 = defineControl({
  id: 'DATA-2',
  implementedBy: [{ name: 'MacieScanning', file: 'lib/constructs/macie-scanning.ts' }],
  provenBy: [
    {
      file: 'test/lib/data-protection/data-protection-stack.test.ts',
      name: '%s: DATA-2 Macie the classification job covers the customer-data and capture prefixes on the configured schedule',
    },
    {
      file: 'test/lib/data-protection/data-protection-stack.test.ts',
      name: '%s: DATA-2 Macie findings of severity * and above go to the alert topic',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const session = model.ofType('AWS::Macie::Session');
    if (session.length)
      f.ok(
        `Macie enabled in the account (${str(session[0].props.FindingPublishingFrequency ?? 'default frequency')})`,
        session[0],
      );
    else
      f.ok('Macie session not created here (enabled outside the stack or by an organisation administrator)');
    const jobs = model.ofType(MACIE_JOB_TYPE);
    if (jobs.length === 0)
      f.bad('no Macie classification job in the templates (the data-protection stack is not synthesized)');
    const data = dataBuckets(model);
    for (const bucket of data) {
      const name = bucketName(model, bucket);
      const job = jobs.find(
        (j) =>
          model.describe(j.props.BucketName, j.stack) === name ||
          model.target(j.props.BucketName, j.stack) === bucket,
      );
      if (!job) {
        f.bad(`no Macie classification job scans ${name}`, bucket);
        continue;
      }
      const prefixes = list<unknown>(job.props.Prefixes).map(String);
      const missing = [DATA_BUCKET_PREFIXES.customerData, DATA_BUCKET_PREFIXES.capture].filter(
        (p) => !prefixes.includes(p),
      );
      f.check(
        missing.length === 0 && typeof job.props.ScheduleFrequency === 'string',
        `classification job scans ${name} (${prefixes.join(', ')}) ${str(job.props.ScheduleFrequency)}`,
        missing.length
          ? `the classification job of ${name} misses ${missing.join(', ')}`
          : `the classification job of ${name} has no schedule`,
        job,
      );
    }
    const rules = model
      .ofType('AWS::Events::Rule')
      .filter((r) =>
        list<unknown>((r.props.EventPattern as { source?: unknown } | undefined)?.source).includes(
          'aws.macie',
        ),
      );
    if (rules.length === 0) f.bad('no EventBridge rule routes Macie findings');
    for (const r of rules) {
      const topics = model
        .referencedResources(r.props.Targets, r.stack)
        .filter((t) => t.type === 'AWS::SNS::Topic');
      f.check(
        topics.length > 0 && r.props.State !== 'DISABLED',
        `Macie findings routed to ${topics.map((t) => t.path).join(', ')}`,
        topics.length ? 'the Macie finding rule is disabled' : 'Macie finding rule has no topic target',
        r,
      );
    }
    return f.conclude(
      'enforced',
      'scheduled Macie classification of the data and capture prefixes; findings alert',
    );
  },
});
