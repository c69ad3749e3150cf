import { DATA_BUCKET_PREFIXES } from '../../../config/naming';
import { defineControl, Findings } from '../control';
import { bucketName, dataBuckets, lifecycleRules, rulePrefix, str } from '../template-readers';

export const DATA_3 = defineControl({
  id: 'DATA-3',
  implementedBy: [
    { name: 'DataStack', file: 'lib/stacks/data-stack.ts' },
    { name: 'EncryptedLogGroup', file: 'lib/constructs/encrypted-log-group.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'KEY-1, KEY-4, MODEL-1, DATA-3, NET-6: buckets *: captured inference data expires after * days (DATA-3)',
    },
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'NET-4, KEY-1, DATA-3: flow logs and log groups every log group in every environment is encrypted with a customer key and has a retention period',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const configured = ctx.configuration?.environment.dataBucket.captureRetentionDays;
    const data = dataBuckets(model);
    if (data.length === 0) f.bad(`no bucket expires the ${DATA_BUCKET_PREFIXES.capture} prefix`);
    for (const b of data) {
      const capture = lifecycleRules(b).find(
        (r) => rulePrefix(r) === DATA_BUCKET_PREFIXES.capture && r.Status !== 'Disabled',
      );
      const days = capture?.ExpirationInDays;
      if (typeof days !== 'number') f.bad(`${bucketName(model, b)}: captured data never expires`, b);
      else if (configured !== undefined && days !== configured)
        f.bad(
          `${bucketName(model, b)}: captured data expires after ${days} days, the configuration says ${configured}`,
          b,
        );
    }
    for (const b of model.ofType('AWS::S3::Bucket')) {
      for (const r of lifecycleRules(b)) {
        if (r.ExpirationInDays !== undefined && r.Status !== 'Disabled') {
          f.ok(
            `${bucketName(model, b)}: rule ${str(r.Id)} expires ${rulePrefix(r) || 'all objects'} after ${str(r.ExpirationInDays)} days`,
            b,
          );
        }
      }
    }
    const groups = model.ofType('AWS::Logs::LogGroup');
    for (const g of groups) {
      if (typeof g.props.RetentionInDays !== 'number')
        f.bad('log group keeps logs forever (no retention)', g);
    }
    const days = [...new Set(groups.map((g) => g.props.RetentionInDays))].join(', ');
    if (groups.length) f.ok(`${groups.length} log groups with retention (${days} days)`);
    return f.conclude('enforced', 'captured inference data and logs expire after the configured period');
  },
});
