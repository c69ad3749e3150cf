import { defineControl, Findings } from '../control';
import { isCdkManagedProvider, modelBuckets, trailBuckets } from '../template-readers';

const DATA_BEARING = ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup'];

/**
 * RetainExceptOnCreate retains on stack deletion and replacement like Retain, and deletes only what a
 * rolled-back creation made, which holds no data yet (so the retry is not blocked, ENV-4).
 */
function retained(policy: string | undefined): boolean {
  return policy === 'Retain' || policy === 'RetainExceptOnCreate';
}

export const ENV_2 = defineControl({
  id: 'ENV-2',
  implementedBy: [
    { name: 'EnvironmentStage', file: 'lib/stages/environment-stage.ts' },
    { name: 'SecureBucket', file: 'lib/constructs/secure-bucket.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'ENV-2, ENV-3: lifecycle protection and tags prod stacks have termination protection and dev stacks do not',
    },
    {
      file: 'test/lib/foundation-controls.test.ts',
      name: 'ENV-2, ENV-3: lifecycle protection and tags prod retains keys, buckets and log groups (except when their creation rolls back); dev deletes them except the Object-Locked buckets',
    },
    {
      file: 'test/lib/config/schema.test.ts',
      name: 'configuration schema (ENV-1, ENV-2) prod that would destroy data on stack deletion is refused (ENV-2)',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    // Without the configuration, the stage name is what says whether this is production.
    const isProd = ctx.configuration
      ? ctx.configuration.environment.name === 'prod'
      : /^prod/i.test(model.name);
    const unprotected = model.stacks.filter((s) => !s.terminationProtection);
    const stores = model.ofType(...DATA_BEARING).filter((h) => !isCdkManagedProvider(h));
    const destroyed = stores.filter((h) => !retained(h.resource.DeletionPolicy));
    if (isProd) {
      for (const s of unprotected) f.bad(`${s.displayName} has no termination protection`);
      for (const h of destroyed)
        f.bad(
          `${h.type} is deleted with its stack (DeletionPolicy ${h.resource.DeletionPolicy ?? 'Delete'})`,
          h,
        );
      if (unprotected.length === 0) f.ok(`all ${model.stacks.length} stacks have termination protection`);
      if (destroyed.length === 0)
        f.ok(`all ${stores.length} keys, buckets and log groups are retained on delete`);
      return f.conclude(
        'enforced',
        'production stacks are termination-protected and retain keys, buckets and log groups',
      );
    }
    f.ok(
      `${model.name} is not production: ${model.stacks.length - unprotected.length}/${model.stacks.length} stacks protected, ` +
        `${stores.length - destroyed.length}/${stores.length} keys, buckets and log groups retained (dev and test may destroy them)`,
    );
    // A locked bucket cannot be emptied, so deleting it would fail a teardown half-way: it must be retained.
    for (const [what, buckets] of [
      ['model', modelBuckets(model)],
      ['trail', trailBuckets(model).filter((b) => b.props.ObjectLockEnabled === true)],
    ] as const) {
      for (const h of buckets) {
        f.check(
          retained(h.resource.DeletionPolicy),
          `the ${what} bucket is retained everywhere: Object Lock makes deleting it impossible`,
          `the Object-Locked ${what} bucket has DeletionPolicy ${h.resource.DeletionPolicy ?? 'Delete'}: a stack deletion would fail on it`,
          h,
        );
      }
    }
    return f.conclude('enforced', 'non-production environment: retention follows the configuration');
  },
});
