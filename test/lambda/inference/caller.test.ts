import { callerLabel, inferenceIdFor } from '../../../lambda/inference/caller';
import { CALLER_LABEL } from '../../../src/capture';

describe('MON-6 the caller label of a request names the API client or principal, never a customer', () => {
  test('an API key (per-client usage plan) wins over the principal that signed the request', () => {
    expect(
      callerLabel({
        identity: {
          apiKeyId: 'k3y1d2',
          userArn: 'arn:aws:sts::111122223333:assumed-role/churn-api-client/session-1',
        },
      }),
    ).toBe('api-key:k3y1d2');
  });

  test.each([
    ['arn:aws:sts::111122223333:assumed-role/churn-api-client/i-0abc', 'role:churn-api-client'],
    ['arn:aws:iam::111122223333:user/ops/alice', 'user:alice'],
    ['arn:aws:iam::111122223333:root', 'account:111122223333'],
    ['arn:aws-us-gov:sts::111122223333:assumed-role/batch/x', 'role:batch'],
  ])('IAM caller %s is labelled %s', (userArn, expected) => {
    expect(callerLabel({ identity: { apiKeyId: null, userArn } })).toBe(expected);
  });

  test('a Cognito token names its app client (client_id of an access token, aud of an ID token)', () => {
    expect(callerLabel({ authorizer: { claims: { client_id: '4tq8abc', sub: 'u-1' } } })).toBe(
      'app-client:4tq8abc',
    );
    expect(callerLabel({ authorizer: { claims: { aud: '7hj2xyz' } } })).toBe('app-client:7hj2xyz');
  });

  test('nothing usable gives no label: no context, an unknown ARN, or text a label cannot hold', () => {
    expect(callerLabel(undefined)).toBeUndefined();
    expect(
      callerLabel({ identity: { userArn: 'arn:aws:sts::111122223333:federated-user/bob' } }),
    ).toBeUndefined();
    expect(callerLabel({ identity: { apiKeyId: 'has space' } })).toBeUndefined();
    expect(callerLabel({ authorizer: { claims: { sub: 'user-only' } } })).toBeUndefined();
  });

  test('every label it gives is one the capture record and the drift check accept', () => {
    const labels = [
      callerLabel({ identity: { apiKeyId: 'abc' } }),
      callerLabel({ identity: { userArn: 'arn:aws:sts::111122223333:assumed-role/r/s' } }),
      callerLabel({ authorizer: { claims: { client_id: 'c' } } }),
    ];
    for (const l of labels) expect(l).toMatch(CALLER_LABEL);
  });

  test("SageMaker's InferenceId takes the label only when it fits its 64 characters", () => {
    expect(inferenceIdFor('role:churn-api-client')).toBe('role:churn-api-client');
    expect(inferenceIdFor(`role:${'r'.repeat(64)}`)).toBeUndefined();
    expect(inferenceIdFor(undefined)).toBeUndefined();
  });
});
