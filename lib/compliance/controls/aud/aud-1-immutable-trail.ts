import type { AuditSettings } from '../../../config/schema';
import { keysOf } from '../../inventory';
import { EnvironmentModel, ResourceHandle } from '../../model';
import { defineControl, Findings } from '../control';
import {
  bucketName,
  bucketOfArn,
  dataBuckets,
  describeRetention,
  lifecycleRules,
  list,
  modelBuckets,
  objectLockRetention,
  retentionDays,
  rulePrefix,
} from '../template-readers';

/** Whether a trail records S3 data events (basic or advanced selectors) for a bucket's objects. */
function recordsDataEvents(model: EnvironmentModel, trail: ResourceHandle, bucket: ResourceHandle): boolean {
  const names = (value: unknown) =>
    model.referencedResources(value, trail.stack).includes(bucket) ||
    bucketOfArn(model.describe(value, trail.stack)) === bucketName(model, bucket);
  const basic = list<{ ReadWriteType?: string; DataResources?: unknown }>(trail.props.EventSelectors).some(
    (s) =>
      s.ReadWriteType !== 'None' &&
      list<{ Type?: string; Values?: unknown }>(s.DataResources).some(
        (d) => d.Type === 'AWS::S3::Object' && list<unknown>(d.Values).some(names),
      ),
  );
  const advanced = list<{ FieldSelectors?: unknown }>(trail.props.AdvancedEventSelectors).some((s) => {
    const fields = list<{ Field?: string; Equals?: unknown; StartsWith?: unknown }>(s.FieldSelectors);
    const field = (name: string) => fields.find((x) => x.Field === name);
    return (
      list<unknown>(field('eventCategory')?.Equals).includes('Data') &&
      list<unknown>(field('resources.type')?.Equals).includes('AWS::S3::Object') &&
      // No resources.ARN selector means every object of the account.
      (!field('resources.ARN') ||
        [
          ...list<unknown>(field('resources.ARN')?.StartsWith),
          ...list<unknown>(field('resources.ARN')?.Equals),
        ].some(names))
    );
  });
  return basic || advanced;
}

/** Judges the trail bucket: Object Lock keeps every log file for the retention, lifecycle removes it after. */
function judgeImmutability(bucket: ResourceHandle, f: Findings, configured?: AuditSettings): void {
  const lock = objectLockRetention(bucket);
  const days = lock ? retentionDays(lock) : undefined;
  if (!lock || !lock.mode || days === undefined)
    f.bad(
      'trail bucket has no Object Lock default retention: log files can be deleted or overwritten',
      bucket,
    );
  else {
    f.ok(`trail bucket keeps log files immutable: Object Lock ${describeRetention(lock)}`, bucket);
    if (configured)
      f.check(
        lock.mode === configured.trailObjectLockMode && days === configured.trailRetentionDays,
        `the lock is the configured one (audit.trailObjectLockMode ${configured.trailObjectLockMode}, audit.trailRetentionDays ${configured.trailRetentionDays})`,
        `Object Lock ${describeRetention(lock)} is not the configured ${configured.trailObjectLockMode} for ${configured.trailRetentionDays} days (audit.trailObjectLockMode, audit.trailRetentionDays)`,
        bucket,
      );
  }
  const rules = lifecycleRules(bucket).filter((r) => r.Status !== 'Disabled' && rulePrefix(r) === '');
  const expiry = rules.find((r) => typeof r.ExpirationInDays === 'number');
  if (!expiry) {
    f.bad('trail bucket has no expiration rule: log files accumulate forever', bucket);
    return;
  }
  const expires = expiry.ExpirationInDays as number;
  if (days !== undefined)
    f.check(
      expires >= days,
      `trail log files expire after ${expires} days, once their ${days}-day lock has passed`,
      `trail log files expire after ${expires} days, before their ${days}-day Object Lock ends (the lifecycle contradicts the lock)`,
      bucket,
    );
  // The bucket is versioned: expiring a log file only adds a delete marker; the locked version stays
  // until a noncurrent-version rule removes it.
  const noncurrent = rules.find(
    (r) =>
      typeof (r.NoncurrentVersionExpiration as { NoncurrentDays?: unknown } | undefined)?.NoncurrentDays ===
      'number',
  );
  f.check(
    !!noncurrent,
    'expired log file versions are removed (noncurrent-version expiration)',
    'trail bucket never removes noncurrent versions: expired log files stay behind their delete markers forever',
    bucket,
  );
}

export const AUD_1 = defineControl({
  id: 'AUD-1',
  implementedBy: [
    { name: 'AuditTrail', file: 'lib/constructs/audit-trail.ts' },
    { name: 'SecureBucket', file: 'lib/constructs/secure-bucket.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'AUD-1: CloudTrail each account has a multi-region, validated, encrypted trail with CloudWatch delivery and S3 data events',
    },
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'AUD-1: CloudTrail the trail bucket locks every log file for the configured retention and expires it afterwards',
    },
  ],
  rules: [
    'AwsSolutions-S1',
    'NIST.800.53.R5-CloudTrailLogFileValidationEnabled',
    'NIST.800.53.R5-S3BucketReplicationEnabled',
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const trails = model.ofType('AWS::CloudTrail::Trail');
    if (trails.length === 0) f.bad('no CloudTrail trail in the templates');
    for (const t of trails) {
      f.check(
        t.props.EnableLogFileValidation === true,
        'log file validation on',
        'log file validation off',
        t,
      );
      const key = keysOf(model, t)[0];
      f.check(!!key, `encrypted with ${key?.path}`, 'trail not KMS-encrypted', t);
      f.check(t.props.IsLogging === true, 'logging', 'trail is not logging', t);
      if (t.props.IsMultiRegionTrail === true) f.ok('multi-region, global service events included', t);
      const trailBucket = model.target(t.props.S3BucketName, t.stack);
      if (!trailBucket || trailBucket.type !== 'AWS::S3::Bucket')
        f.bad('the trail bucket is not in the templates, so its immutability cannot be shown', t);
      else judgeImmutability(trailBucket, f, ctx.configuration?.environment.audit);
      if (t.props.CloudWatchLogsLogGroupArn)
        f.ok(`delivered to ${model.describe(t.props.CloudWatchLogsLogGroupArn, t.stack)}`, t);
      for (const [what, buckets] of [
        ['model', modelBuckets(model)],
        ['data', dataBuckets(model)],
      ] as Array<[string, ResourceHandle[]]>) {
        if (buckets.length === 0) f.bad(`no ${what} bucket to record data events for`);
        for (const b of buckets) {
          f.check(
            recordsDataEvents(model, t, b),
            `S3 data events recorded for the ${what} bucket`,
            `no S3 data events for the ${what} bucket`,
            t,
          );
        }
      }
    }
    return f.conclude(
      'enforced',
      'CloudTrail with log file validation, KMS and S3 data events; log files locked for their retention, then expired',
    );
  },
});
