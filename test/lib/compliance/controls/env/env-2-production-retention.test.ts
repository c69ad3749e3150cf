import { ENV_2 } from '../../../../../lib/compliance/controls/env/env-2-production-retention';
import { bucket, kmsKey, logGroup, modelBucket } from '../fixtures';
import { changed, context, describeControl, environment, ref, Resources } from '../harness';

const data: Resources = { DataKey: kmsKey(), Bucket: bucket('b'), Logs: logGroup('DataKey') };
for (const r of Object.values(data)) (r as { DeletionPolicy?: string }).DeletionPolicy = 'Retain';
const prod =
  (resources: Resources, terminationProtection = true) =>
  () =>
    context(environment({ name: 'Prod', stacks: { Data: { resources, terminationProtection } } }));
const dev = (resources: Resources) => () =>
  context(environment({ name: 'Dev', stacks: { Data: resources } }));

describeControl(ENV_2, {
  compliant: [
    {
      name: 'production stacks are termination-protected and retain keys, buckets and log groups',
      context: prod(data),
      evidence: [
        'all 1 stacks have termination protection',
        'all 3 keys, buckets and log groups are retained on delete',
      ],
    },
    {
      name: 'dev may destroy data, but keeps its Object-Locked buckets',
      context: dev({
        ModelKey: kmsKey(),
        Models: modelBucket(),
        Bucket: changed(bucket('b'), (b) => delete b.DeletionPolicy),
      }),
      evidence: ['the model bucket is retained everywhere: Object Lock makes deleting it impossible'],
    },
  ],
  nonCompliant: [
    {
      name: 'a production stack without termination protection',
      context: prod(data, false),
      problem: 'Prod/Data has no termination protection',
    },
    {
      name: 'a production key deleted with its stack',
      context: prod(changed(data, (r) => delete r.DataKey.DeletionPolicy)),
      problem: 'AWS::KMS::Key is deleted with its stack (DeletionPolicy Delete)',
    },
    {
      name: 'a dev trail bucket under Object Lock that a teardown would try to delete',
      context: dev({
        Trail: { Type: 'AWS::CloudTrail::Trail', Properties: { S3BucketName: ref('TrailBucket') } },
        TrailBucket: changed(modelBucket('trail'), (b) => delete b.DeletionPolicy),
      }),
      problem: /^the Object-Locked trail bucket has DeletionPolicy Delete/,
    },
  ],
});
