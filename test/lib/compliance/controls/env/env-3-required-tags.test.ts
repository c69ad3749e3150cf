import { ENV_3 } from '../../../../../lib/compliance/controls/env/env-3-required-tags';
import { bucket, bucketPolicy, kmsKey, TAGS } from '../fixtures';
import { changed, context, describeControl, environment, Resources } from '../harness';

const resources: Resources = {
  DataKey: kmsKey(),
  Bucket: bucket('b'),
  // Not taggable by CloudFormation: no tags expected.
  Policy: bucketPolicy('Bucket', []),
  Alias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/churn/prod/data' } },
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Data: r } }));

describeControl(ENV_3, {
  compliant: [
    {
      name: 'every resource of a taggable type carries the four tags; policies and aliases cannot',
      context: ctx(resources),
      evidence: [
        'all 2 resources of taggable types carry environment, data-classification, owner, source-commit',
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'a bucket that lost all its tags',
      context: ctx(changed(resources, (r) => delete r.Bucket.Properties!.Tags)),
      problem: 'AWS::S3::Bucket lacks tags environment, data-classification, owner, source-commit',
    },
    {
      name: 'a raw function CDK wrote without tags (a custom-resource provider)',
      context: ctx({
        ...resources,
        Handler: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x' } },
      }),
      problem: 'AWS::Lambda::Function lacks tags environment, data-classification, owner, source-commit',
    },
    {
      name: 'a key without its source commit',
      context: ctx(
        changed(
          resources,
          (r) => (r.DataKey.Properties!.Tags = TAGS.filter((t) => t.Key !== 'source-commit')),
        ),
      ),
      problem: 'AWS::KMS::Key lacks tag source-commit',
    },
    {
      name: 'a resource type nobody has classified as taggable or not',
      context: ctx({ ...resources, Thing: { Type: 'AWS::Example::Thing', Properties: {} } }),
      problem:
        'AWS::Example::Thing: not known whether CloudFormation can tag it (add it to taggable-types.ts)',
    },
  ],
});
