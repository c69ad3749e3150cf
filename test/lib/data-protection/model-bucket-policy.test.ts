import { resourceNames, stageName } from '../../../lib/config';
import { MFA_PROTECTED_ACTIONS } from '../../../lib/constructs/model-artifact-bucket';
import {
  asRole,
  decide,
  EnvironmentPolicies,
  overS3,
  type Decision,
  type PolicyDocument,
  type RequestContext,
} from '../../helpers/access';
import { buildTestApp, exampleConfig } from '../../helpers/app';
import { CfnEnvironment } from '../../helpers/cfn-environment';

/**
 * MODEL-1: the model bucket policy exactly as synthesized (every statement, not only the MFA guard),
 * decided by the IAM policy simulator against the requests that matter. Each caller carries an identity
 * policy that allows everything, so the decision is the bucket policy's alone: Allowed means it does not
 * stand in the way, ExplicitlyDenied that one of its denies applies.
 */

const config = exampleConfig();
const testApp = buildTestApp(config);
const MFA_SID = 'DenyDestructiveChangesWithoutMfa';
const EVERYTHING: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** Actions that must need MFA, with whether they act on the bucket or on an object version. */
const GUARDED: ReadonlyArray<[string, 'bucket' | 'object']> = [
  ['s3:DeleteObjectVersion', 'object'],
  ['s3:PutObjectRetention', 'object'],
  ['s3:BypassGovernanceRetention', 'object'],
  ['s3:PutBucketVersioning', 'bucket'],
  ['s3:PutBucketObjectLockConfiguration', 'bucket'],
  ['s3:PutBucketPolicy', 'bucket'],
  ['s3:DeleteBucketPolicy', 'bucket'],
  ['s3:PutLifecycleConfiguration', 'bucket'],
  ['s3:DeleteBucket', 'bucket'],
];

test('the table names every action the MFA guard protects', () => {
  expect(GUARDED.map(([action]) => action).sort()).toEqual([...MFA_PROTECTED_ACTIONS].sort());
});

describe.each(config.environments.map((env) => [env.name, env] as const))(
  '%s model bucket policy (MODEL-1, NET-6)',
  (_name, env) => {
    const policies = new EnvironmentPolicies(new CfnEnvironment(testApp.stage(stageName(env.name))));
    const bucketName = resourceNames(config.project.name, env).buckets.model;
    const bucketArn = `arn:aws:s3:::${bucketName}`;
    const objectArn = `${bucketArn}/models/churn/3/model.tar.gz`;
    const account = env.account;
    const publisher = env.trustedRoleArns[0]!;
    const root = `arn:aws:iam::${account}:root`;
    const cfnExecRole = `arn:aws:iam::${account}:role/cdk-${config.project.cdkQualifier}-cfn-exec-role-${account}-${env.region}`;
    const workload = `arn:aws:iam::${account}:role/churn-${env.name}-inference`;
    const policy = policies.bucketPolicy(bucketName);
    const vpce = policies.endpointPolicy('s3').id;

    /** A request by `arn` over TLS 1.3 from outside any endpoint; `extra` adds or overrides context keys. */
    const request = (
      arn: string,
      action: string,
      resource: string,
      extra: RequestContext = {},
      resourcePolicy: PolicyDocument = policy,
    ): Promise<Decision> =>
      decide(
        {
          principal: arn,
          action,
          resource,
          identityPolicies: [EVERYTHING],
          resourcePolicy,
          context: { ...overS3(asRole(arn)), ...extra },
        },
        account,
      );

    test('the model-publishing role may write and read artifacts from outside the VPC without MFA', async () => {
      for (const action of ['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion']) {
        expect({ action, decision: await request(publisher, action, objectArn) }).toEqual({
          action,
          decision: 'Allowed',
        });
      }
      expect(await request(publisher, 's3:ListBucket', bucketArn)).toBe('Allowed');
    });

    test('a workload role may read and write through the VPC endpoint', async () => {
      for (const action of ['s3:PutObject', 's3:GetObject']) {
        expect(await request(workload, action, objectArn, { 'aws:SourceVpce': vpce })).toBe('Allowed');
      }
    });

    test.each(GUARDED)(
      '%s is denied without MFA to every principal, even the publisher and root',
      async (action, on) => {
        const resource = on === 'bucket' ? bucketArn : objectArn;
        for (const principal of [publisher, cfnExecRole, root]) {
          // No MFA key at all (a role session) and an explicit false must both be refused.
          for (const mfa of [{}, { 'aws:MultiFactorAuthPresent': 'false' }] as RequestContext[]) {
            expect({ principal, mfa, decision: await request(principal, action, resource, mfa) }).toEqual({
              principal,
              mfa,
              decision: 'ExplicitlyDenied',
            });
          }
        }
      },
    );

    test('with MFA, root can run the one-time MFA Delete command and delete a version', async () => {
      const mfa = { 'aws:MultiFactorAuthPresent': 'true' };
      expect(await request(root, 's3:PutBucketVersioning', bucketArn, mfa)).toBe('Allowed');
      expect(await request(root, 's3:DeleteObjectVersion', objectArn, mfa)).toBe('Allowed');
    });

    test('the MFA statement alone is what refuses version deletion (removing it flips the decision)', async () => {
      expect(await request(publisher, 's3:DeleteObjectVersion', objectArn)).toBe('ExplicitlyDenied');
      const withoutGuard = {
        ...policy,
        Statement: policy.Statement.filter((s) => (s as { Sid?: string }).Sid !== MFA_SID),
      };
      expect(withoutGuard.Statement).toHaveLength(policy.Statement.length - 1);
      expect(await request(publisher, 's3:DeleteObjectVersion', objectArn, {}, withoutGuard)).toBe('Allowed');
    });

    test('the rest of the policy still refuses plain HTTP, old TLS, other accounts and roles outside the perimeter', async () => {
      const put = (extra: RequestContext, arn = publisher) => request(arn, 's3:PutObject', objectArn, extra);
      expect(await put({ 'aws:SecureTransport': 'false' })).toBe('ExplicitlyDenied');
      expect(await put({ 's3:TlsVersion': '1.1' })).toBe('ExplicitlyDenied');
      expect(await put({}, 'arn:aws:iam::999999999999:role/x')).toBe('ExplicitlyDenied');
      // A role of this account that is not exempt, calling from outside the VPC.
      expect(await put({}, workload)).toBe('ExplicitlyDenied');
    });
  },
);
