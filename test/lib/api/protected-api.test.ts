import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BOUNDS } from '../../../lib/config';
import { ProtectedApi, ProtectedApiProps } from '../../../lib/constructs/protected-api';

describe('ProtectedApi props validation: the bounds come from the configuration schema', () => {
  const stack = new Stack(new App(), 'Scratch', { env: { account: '111111111111', region: 'eu-west-1' } });
  const base: ProtectedApiProps = {
    apiName: 'churn-dev',
    description: 'test',
    handler: lambda.Function.fromFunctionArn(
      stack,
      'Fn',
      'arn:aws:lambda:eu-west-1:111111111111:function:inference',
    ),
    requestSchema: { $schema: 'http://json-schema.org/draft-04/schema#' },
    authorization: { kind: 'iam', allowedPrincipalArns: [] },
    throttle: { rateLimit: 50, burstLimit: 100 },
    wafRateLimitPer5Minutes: 1000,
    maxBodyBytes: 64 * 1024,
    logsKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/1234'),
    logRetentionDays: 30,
    removalPolicy: RemovalPolicy.DESTROY,
  };
  let n = 0;

  test.each([
    [
      { wafRateLimitPer5Minutes: 9 },
      `wafRateLimitPer5Minutes must be an integer from 10 to 2000000000, got 9`,
    ],
    [
      { throttle: { rateLimit: BOUNDS.throttleRateLimit.max + 1, burstLimit: 100 } },
      'throttle.rateLimit must be an integer from 1 to 10000, got 10001',
    ],
    [
      { throttle: { rateLimit: 50, burstLimit: 0 } },
      'throttle.burstLimit must be an integer from 1 to 5000, got 0',
    ],
    [
      { clients: [{ name: 'crm', rateLimit: 1, burstLimit: 5001 }] },
      'clients.crm.burstLimit must be an integer from 1 to 5000, got 5001',
    ],
  ] as Array<[Partial<ProtectedApiProps>, string]>)('refuses %o', (change, message) => {
    const id = `Api${++n}`;
    expect(() => new ProtectedApi(stack, id, { ...base, ...change })).toThrow(
      `ProtectedApi ${id}: ${message}`,
    );
  });
});
