import { Template } from 'aws-cdk-lib/assertions';
import { resourceNames, stageName } from '../../../lib/config';
import { buildTestApp, exampleConfig, resourcesOfType } from '../../helpers/app';
import {
  ConditionValue,
  evaluate,
  PolicyRequest,
  resolveIntrinsics,
  ResolvedStatement,
  templateResolver,
} from '../../helpers/policy-evaluator';

/**
 * MODEL-1: evaluates the model bucket policy exactly as synthesized (every statement, not only the MFA
 * guard) against the requests that matter. The bucket policy holds only denies; "not denied" means the
 * caller's own IAM policy decides, which is how the publishing roles are granted.
 */

const testApp = buildTestApp();
const config = exampleConfig();
const MFA_SID = 'DenyDestructiveChangesWithoutMfa';

/** Actions that must need MFA, with whether they act on the bucket or on an object version. */
const GUARDED: ReadonlyArray<[string, 'bucket' | 'object']> = [
  ['s3:DeleteObjectVersion', 'object'],
  ['s3:PutObjectRetention', 'object'],
  ['s3:BypassGovernanceRetention', 'object'],
  ['s3:PutBucketVersioning', 'bucket'],
  ['s3:PutBucketObjectLockConfiguration', 'bucket'],
  ['s3:PutBucketPolicy', 'bucket'],
  ['s3:DeleteBucketPolicy', 'bucket'],
];

describe.each(config.environments.map((env) => [env.name, env] as const))(
  '%s model bucket policy (MODEL-1, NET-6)',
  (_name, env) => {
    const stage = testApp.stage(stageName(env.name));
    const templateJson = Template.fromStack(stage.data).toJSON();
    const bucketName = resourceNames(config.project.name, env).buckets.model;
    const bucketArn = `arn:aws:s3:::${bucketName}`;
    const objectArn = `${bucketArn}/models/churn/3/model.tar.gz`;
    const account = env.account;
    const publisher = env.trustedRoleArns[0]!;
    const root = `arn:aws:iam::${account}:root`;
    const cfnExecRole = `arn:aws:iam::${account}:role/cdk-${config.project.cdkQualifier}-cfn-exec-role-${account}-${env.region}`;
    const workload = `arn:aws:iam::${account}:role/churn-${env.name}-inference`;

    const statements = (() => {
      const [modelId] = resourcesOfType(Template.fromStack(stage.data), 'AWS::S3::Bucket').find(
        ([, b]) => b.Properties?.BucketName === bucketName,
      )!;
      const policies = resourcesOfType(Template.fromStack(stage.data), 'AWS::S3::BucketPolicy').filter(
        ([, p]) => JSON.stringify(p.Properties?.Bucket) === JSON.stringify({ Ref: modelId }),
      );
      expect(policies).toHaveLength(1);
      const resolver = templateResolver(templateJson, { account, region: env.region });
      return (
        resolveIntrinsics(policies[0]![1].Properties!.PolicyDocument, resolver) as {
          Statement: ResolvedStatement[];
        }
      ).Statement;
    })();
    const vpce = String(
      statements.find((s) => s.Sid === 'DataPerimeterOnlyThroughTheVpcEndpoint')?.Condition
        ?.StringNotEqualsIfExists?.['aws:SourceVpce'],
    );

    /** A same-account IAM request over TLS 1.3; `extra` adds or overrides context keys. */
    function asRole(
      arn: string,
      action: string,
      resource: string,
      extra: Record<string, ConditionValue | undefined> = {},
    ): PolicyRequest {
      const context: Record<string, ConditionValue> = {
        'aws:SecureTransport': true,
        's3:TlsVersion': 1.3,
        'aws:PrincipalAccount': account,
        'aws:PrincipalArn': arn,
        'aws:PrincipalIsAWSService': false,
        'aws:ViaAWSService': false,
      };
      for (const [key, value] of Object.entries(extra)) {
        if (value === undefined) delete context[key];
        else context[key] = value;
      }
      return { action, resource, principal: { arn, account }, context };
    }

    test('the model-publishing role may write new artifacts from outside the VPC without MFA', () => {
      for (const action of ['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion']) {
        const result = evaluate(statements, asRole(publisher, action, objectArn));
        expect({ action, ...result }).toEqual({ action, decision: 'ImplicitDeny', applied: [] });
      }
      expect(evaluate(statements, asRole(publisher, 's3:ListBucket', bucketArn)).decision).toBe(
        'ImplicitDeny',
      );
    });

    test('a workload role may read and write through the VPC endpoint', () => {
      for (const action of ['s3:PutObject', 's3:GetObject']) {
        expect(
          evaluate(statements, asRole(workload, action, objectArn, { 'aws:SourceVpce': vpce })).decision,
        ).toBe('ImplicitDeny');
      }
    });

    test.each(GUARDED)(
      '%s is denied without MFA to every principal, even the publisher and root',
      (action, on) => {
        const resource = on === 'bucket' ? bucketArn : objectArn;
        for (const principal of [publisher, cfnExecRole, root]) {
          // No MFA key at all (a role session) and an explicit false must both be refused.
          for (const mfa of [undefined, false]) {
            const result = evaluate(
              statements,
              asRole(principal, action, resource, { 'aws:MultiFactorAuthPresent': mfa }),
            );
            expect({
              principal,
              mfa,
              decision: result.decision,
              byGuard: result.applied.includes(MFA_SID),
            }).toEqual({
              principal,
              mfa,
              decision: 'ExplicitDeny',
              byGuard: true,
            });
          }
        }
      },
    );

    test('with MFA, root can run the one-time MFA Delete command and delete a version', () => {
      const mfa = { 'aws:MultiFactorAuthPresent': true };
      expect(evaluate(statements, asRole(root, 's3:PutBucketVersioning', bucketArn, mfa)).decision).toBe(
        'ImplicitDeny',
      );
      expect(evaluate(statements, asRole(root, 's3:DeleteObjectVersion', objectArn, mfa)).decision).toBe(
        'ImplicitDeny',
      );
    });

    test('the MFA statement alone is what refuses version deletion (removing it flips the decision)', () => {
      const request = asRole(publisher, 's3:DeleteObjectVersion', objectArn);
      expect(evaluate(statements, request).decision).toBe('ExplicitDeny');
      const withoutGuard = statements.filter((s) => s.Sid !== MFA_SID);
      expect(withoutGuard).toHaveLength(statements.length - 1);
      expect(evaluate(withoutGuard, request).decision).toBe('ImplicitDeny');
    });

    test('the rest of the policy still refuses plain HTTP, old TLS, other accounts and roles outside the perimeter', () => {
      const put = (extra: Record<string, ConditionValue | undefined>, arn = publisher) =>
        evaluate(statements, asRole(arn, 's3:PutObject', objectArn, extra)).decision;
      expect(put({ 'aws:SecureTransport': false })).toBe('ExplicitDeny');
      expect(put({ 's3:TlsVersion': 1.1 })).toBe('ExplicitDeny');
      expect(put({ 'aws:PrincipalAccount': '999999999999' }, 'arn:aws:iam::999999999999:role/x')).toBe(
        'ExplicitDeny',
      );
      // A role of this account that is not exempt, calling from outside the VPC.
      expect(put({}, workload)).toBe('ExplicitDeny');
    });
  },
);
