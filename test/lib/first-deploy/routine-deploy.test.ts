import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildChurnApp } from '../../../lib/churn-app';
import { resourceNames } from '../../../lib/config';
import { exampleConfig, resourcesOfType } from '../../helpers/app';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdkJson = require('../../../cdk.json');

/**
 * MODEL-1, ENV-4: the model bucket's policy denies configuration changes without MFA, so a routine deploy
 * (a new commit, nothing else changed) must not ask CloudFormation to touch the bucket or its policy.
 */

const config = exampleConfig();

function dataStacks(commit: string): Map<string, Stack> {
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], deployNonce: 'n' } });
  const { stages } = buildChurnApp(app, { config, sourceCommit: commit });
  for (const stage of stages) Template.fromStack(stage.data); // tags are applied by aspects at synthesis
  return new Map(stages.map((s) => [s.stageName.toLowerCase(), s.data]));
}

const beforeStacks = dataStacks('1111111111111111111111111111111111111111');
const afterStacks = dataStacks('2222222222222222222222222222222222222222');

const tagsOf = (stack: Stack) => (stack.tags.renderTags() as Array<{ Key: string }> | undefined) ?? [];

const modelBucketName = (env: string) =>
  resourceNames(
    config.project.name,
    config.environments.find((e) => e.name === env)!,
  ).buckets.model;
const modelBucket = (stack: Stack, env: string) =>
  resourcesOfType(Template.fromStack(stack), 'AWS::S3::Bucket').find(
    ([, b]) => b.Properties?.BucketName === modelBucketName(env),
  )!;

test('MODEL-1, ENV-3 a new commit changes nothing on the MFA-guarded model bucket or its policy, in every environment', () => {
  for (const env of config.environments.map((e) => e.name)) {
    const before = beforeStacks.get(env)!;
    const after = afterStacks.get(env)!;
    const [id, bucketBefore] = modelBucket(before, env);
    expect({ env, bucket: modelBucket(after, env) }).toEqual({ env, bucket: [id, bucketBefore] });
    const policyOf = (stack: Stack) =>
      resourcesOfType(Template.fromStack(stack), 'AWS::S3::BucketPolicy').find(
        ([, p]) => JSON.stringify(p.Properties?.Bucket) === JSON.stringify({ Ref: id }),
      );
    expect({ env, policy: policyOf(after) }).toEqual({ env, policy: policyOf(before) });
    const tags = (bucketBefore.Properties?.Tags as Array<{ Key: string }>).map((t) => t.Key);
    expect(tags).toEqual(expect.arrayContaining(['environment', 'owner', 'data-classification', 'project']));
    expect(tags).not.toContain('source-commit');
  }
});

test('ENV-3 the Data stack carries no per-commit stack tag for CloudFormation to propagate; its other resources keep the commit', () => {
  for (const env of config.environments.map((e) => e.name)) {
    const before = beforeStacks.get(env)!;
    expect(tagsOf(before).map((t) => t.Key)).not.toContain('source-commit');
    const others = resourcesOfType(Template.fromStack(before), 'AWS::S3::Bucket').filter(
      ([, b]) => b.Properties?.BucketName !== modelBucketName(env),
    );
    for (const [, bucket] of others) {
      expect((bucket.Properties?.Tags as Array<{ Key: string }>).map((t) => t.Key)).toContain(
        'source-commit',
      );
    }
  }
});
