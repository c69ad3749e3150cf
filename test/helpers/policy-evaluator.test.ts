import {
  evaluate,
  globMatches,
  PolicyRequest,
  resolveIntrinsics,
  ResolvedStatement,
  templateResolver,
  UnsupportedPolicyError,
} from './policy-evaluator';

const ROLE = { arn: 'arn:aws:iam::111111111111:role/publisher', account: '111111111111' };
const BUCKET = 'arn:aws:s3:::models';

function request(overrides: Partial<PolicyRequest> = {}): PolicyRequest {
  return { action: 's3:PutObject', resource: `${BUCKET}/a/b.json`, principal: ROLE, ...overrides };
}

function statement(overrides: Partial<ResolvedStatement>): ResolvedStatement {
  return { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: `${BUCKET}/*`, ...overrides };
}

describe('decision', () => {
  test('an applicable Deny wins over an applicable Allow', () => {
    const result = evaluate(
      [statement({ Sid: 'allow', Effect: 'Allow' }), statement({ Sid: 'deny' })],
      request(),
    );
    expect(result).toEqual({ decision: 'ExplicitDeny', applied: ['allow', 'deny'] });
  });

  test('an applicable Allow without a Deny allows; nothing applicable is an implicit deny', () => {
    expect(evaluate([statement({ Effect: 'Allow' })], request()).decision).toBe('Allow');
    expect(evaluate([statement({ Effect: 'Allow', Action: 's3:GetObject' })], request()).decision).toBe(
      'ImplicitDeny',
    );
  });

  test('statements without a Sid are reported by index', () => {
    expect(evaluate([statement({ Action: 's3:GetObject' }), statement({})], request()).applied).toEqual([
      '#1',
    ]);
  });
});

describe('actions, resources and principals', () => {
  test('action wildcards match case-insensitively, NotAction excludes', () => {
    expect(evaluate([statement({ Action: 'S3:Put*' })], request()).decision).toBe('ExplicitDeny');
    expect(evaluate([statement({ Action: undefined, NotAction: 's3:PutObject' })], request()).decision).toBe(
      'ImplicitDeny',
    );
    expect(evaluate([statement({ Action: undefined, NotAction: 's3:Get*' })], request()).decision).toBe(
      'ExplicitDeny',
    );
  });

  test('resource wildcards: bucket/* does not cover the bucket itself', () => {
    expect(evaluate([statement({})], request({ resource: BUCKET })).decision).toBe('ImplicitDeny');
    expect(
      evaluate([statement({ Resource: [BUCKET, `${BUCKET}/*`] })], request({ resource: BUCKET })).decision,
    ).toBe('ExplicitDeny');
    expect(globMatches('arn:aws:s3:::m?dels', BUCKET)).toBe(true);
  });

  test('an account principal covers every identity of that account; a role ARN only that role', () => {
    const byAccount = statement({ Principal: { AWS: 'arn:aws:iam::111111111111:root' } });
    expect(evaluate([byAccount], request()).decision).toBe('ExplicitDeny');
    expect(
      evaluate(
        [byAccount],
        request({ principal: { arn: 'arn:aws:iam::222222222222:role/x', account: '222222222222' } }),
      ).decision,
    ).toBe('ImplicitDeny');
    const byRole = statement({ Principal: { AWS: ['arn:aws:iam::111111111111:role/other'] } });
    expect(evaluate([byRole], request()).decision).toBe('ImplicitDeny');
  });

  test('service principals match only that service; AWS * matches services too', () => {
    const service = { service: 'logging.s3.amazonaws.com' };
    expect(
      evaluate(
        [statement({ Principal: { Service: 'logging.s3.amazonaws.com' } })],
        request({ principal: service }),
      ).decision,
    ).toBe('ExplicitDeny');
    expect(
      evaluate([statement({ Principal: { Service: 'logging.s3.amazonaws.com' } })], request()).decision,
    ).toBe('ImplicitDeny');
    expect(evaluate([statement({})], request({ principal: service })).decision).toBe('ExplicitDeny');
  });
});

describe('conditions', () => {
  const denyWhen = (Condition: ResolvedStatement['Condition']) => [statement({ Condition })];
  const decide = (Condition: ResolvedStatement['Condition'], context: PolicyRequest['context']) =>
    evaluate(denyWhen(Condition), request({ context })).decision;

  test('Bool compares the request value as a string; an absent key fails Bool but passes BoolIfExists', () => {
    const bool = { Bool: { 'aws:SecureTransport': 'false' } };
    expect(decide(bool, { 'aws:SecureTransport': false })).toBe('ExplicitDeny');
    expect(decide(bool, { 'aws:SecureTransport': true })).toBe('ImplicitDeny');
    expect(decide(bool, {})).toBe('ImplicitDeny');
    expect(decide({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }, {})).toBe('ExplicitDeny');
    expect(
      decide(
        { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
        { 'aws:MultiFactorAuthPresent': true },
      ),
    ).toBe('ImplicitDeny');
  });

  test('condition key names are case-insensitive', () => {
    expect(decide({ Bool: { 'aws:securetransport': 'false' } }, { 'AWS:SecureTransport': false })).toBe(
      'ExplicitDeny',
    );
  });

  test('StringEquals ORs its values; an absent key fails it', () => {
    const cond = { StringEquals: { 'aws:PrincipalAccount': ['111111111111', '222222222222'] } };
    expect(decide(cond, { 'aws:PrincipalAccount': '222222222222' })).toBe('ExplicitDeny');
    expect(decide(cond, { 'aws:PrincipalAccount': '333333333333' })).toBe('ImplicitDeny');
    expect(decide(cond, {})).toBe('ImplicitDeny');
  });

  test('StringNotEqualsIfExists holds when the value matches none of the values, or the key is absent', () => {
    const cond = { StringNotEqualsIfExists: { 'aws:SourceVpce': ['vpce-1', 'vpce-2'] } };
    expect(decide(cond, { 'aws:SourceVpce': 'vpce-3' })).toBe('ExplicitDeny');
    expect(decide(cond, { 'aws:SourceVpce': 'vpce-2' })).toBe('ImplicitDeny');
    expect(decide(cond, {})).toBe('ExplicitDeny');
  });

  test('a negated operator without IfExists still holds for an absent key (IAM semantics)', () => {
    expect(decide({ StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } }, {})).toBe('ExplicitDeny');
  });

  test('ArnNotLikeIfExists exempts principals matching any listed pattern', () => {
    const cond = {
      ArnNotLikeIfExists: {
        'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/pub*', 'arn:aws:iam::111111111111:root'],
      },
    };
    expect(decide(cond, { 'aws:PrincipalArn': ROLE.arn })).toBe('ImplicitDeny');
    expect(decide(cond, { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/other' })).toBe('ExplicitDeny');
    expect(decide(cond, {})).toBe('ExplicitDeny');
  });

  test('NumericLessThan compares numbers, including a numeric policy value', () => {
    const cond = { NumericLessThan: { 's3:TlsVersion': 1.2 } };
    expect(decide(cond, { 's3:TlsVersion': 1.1 })).toBe('ExplicitDeny');
    expect(decide(cond, { 's3:TlsVersion': 1.2 })).toBe('ImplicitDeny');
    expect(decide(cond, { 's3:TlsVersion': '1.3' })).toBe('ImplicitDeny');
  });

  test('every operator and every key must hold (AND)', () => {
    const cond = {
      StringEquals: { 'kms:CallerAccount': '111111111111', 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
      ArnEquals: { 'aws:PrincipalArn': ROLE.arn },
    };
    const all = {
      'kms:CallerAccount': '111111111111',
      'kms:ViaService': 's3.eu-west-1.amazonaws.com',
      'aws:PrincipalArn': ROLE.arn,
    };
    expect(decide(cond, all)).toBe('ExplicitDeny');
    expect(decide(cond, { ...all, 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' })).toBe('ImplicitDeny');
    expect(decide(cond, { 'kms:CallerAccount': '111111111111', 'aws:PrincipalArn': ROLE.arn })).toBe(
      'ImplicitDeny',
    );
  });

  test('Null checks presence', () => {
    expect(decide({ Null: { 'aws:SourceVpce': 'true' } }, {})).toBe('ExplicitDeny');
    expect(decide({ Null: { 'aws:SourceVpce': 'true' } }, { 'aws:SourceVpce': 'vpce-1' })).toBe(
      'ImplicitDeny',
    );
  });

  test('unsupported constructs throw instead of being misread', () => {
    expect(() =>
      decide({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': 'a' }),
    ).toThrow(UnsupportedPolicyError);
    expect(() =>
      decide({ DateLessThan: { 'aws:CurrentTime': '2020-01-01' } }, { 'aws:CurrentTime': 'x' }),
    ).toThrow(/DateLessThan/);
    expect(() => evaluate([statement({ NotPrincipal: { AWS: '*' } })], request())).toThrow(/NotPrincipal/);
    expect(() => evaluate([statement({ Resource: `${BUCKET}/\${aws:username}` })], request())).toThrow(
      /variables/,
    );
    expect(() => decide({ StringEquals: { k: { Ref: 'X' } } }, { k: 'v' })).toThrow(/unresolved/);
  });
});

describe('intrinsic resolution', () => {
  const template = {
    Resources: { Models: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'models' } } },
  };
  const resolver = templateResolver(template, { account: '111111111111', region: 'eu-west-1' });

  test('resolves bucket ARNs, joins, pseudo parameters and imports', () => {
    expect(
      resolveIntrinsics(
        {
          Resource: [
            { 'Fn::GetAtt': ['Models', 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Models', 'Arn'] }, '/*']] },
          ],
          Principal: {
            AWS: {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root'],
              ],
            },
          },
          Vpce: { 'Fn::ImportValue': 'Dev-Network:Vpce' },
          Key: { 'Fn::GetStackOutput': { StackName: 'Dev-Keys', Region: 'eu-west-1', OutputName: 'KeyArn' } },
        },
        resolver,
      ),
    ).toEqual({
      Resource: ['arn:aws:s3:::models', 'arn:aws:s3:::models/*'],
      Principal: { AWS: 'arn:aws:iam::111111111111:root' },
      Vpce: 'import:Dev-Network:Vpce',
      Key: 'import:Dev-Keys/KeyArn',
    });
  });

  test('unknown references and functions throw with the name', () => {
    expect(() => resolveIntrinsics({ Ref: 'Missing' }, resolver)).toThrow(/Missing/);
    expect(() => resolveIntrinsics({ 'Fn::Sub': 'x' }, resolver)).toThrow(/Fn::Sub/);
  });
});
