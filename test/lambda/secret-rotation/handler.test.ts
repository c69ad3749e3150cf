import { mockClient } from 'aws-sdk-client-mock';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:churn-webhook-AbCdEf';
const TOKEN = 'c2b1f3a4-0000-4000-8000-000000000001';

const savedEnv = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnv };
  jest.resetModules();
});

/**
 * Loads the handler fresh (its environment is read at cold start) together with the SDK module copy it
 * uses, and mocks that copy's client class so the client created at module scope is covered.
 */
async function load(env: Record<string, string>) {
  process.env = { ...savedEnv, POWERTOOLS_LOG_LEVEL: 'SILENT', AWS_REGION: 'eu-west-1', ...env };
  const sdk = await import('@aws-sdk/client-secrets-manager');
  const secrets = mockClient(sdk.SecretsManagerClient);
  const { handler } = await import('../../../lambda/secret-rotation/handler');
  return { sdk, secrets, handler };
}

test('createSecret asks for a value of VALUE_LENGTH characters and reports the step and outcome', async () => {
  // Prepare
  const { sdk, secrets, handler } = await load({ VALUE_LENGTH: '40' });
  secrets.on(sdk.DescribeSecretCommand).resolves({
    RotationEnabled: true,
    VersionIdsToStages: { old: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] },
  });
  secrets
    .on(sdk.GetSecretValueCommand, { SecretId: SECRET, VersionStage: 'AWSCURRENT' })
    .resolves({ SecretString: 'x' });
  const missing = new Error('no such version');
  missing.name = 'ResourceNotFoundException';
  secrets
    .on(sdk.GetSecretValueCommand, { SecretId: SECRET, VersionId: TOKEN, VersionStage: 'AWSPENDING' })
    .rejects(missing);
  secrets.on(sdk.GetRandomPasswordCommand).resolves({ RandomPassword: 'a1'.repeat(20) });
  secrets.on(sdk.PutSecretValueCommand).resolves({});

  // Act
  const result = await handler({ SecretId: SECRET, ClientRequestToken: TOKEN, Step: 'createSecret' });

  // Assess
  expect(result).toEqual({ step: 'createSecret', outcome: 'pending-created' });
  expect(secrets.commandCalls(sdk.GetRandomPasswordCommand)[0]!.args[0].input.PasswordLength).toBe(40);
  expect(secrets.commandCalls(sdk.PutSecretValueCommand)).toHaveLength(1);
});

test('a missing VALUE_LENGTH fails at cold start, naming the variable (the default lives in RuntimeSecret)', async () => {
  await expect(load({})).rejects.toThrow('environment variable VALUE_LENGTH is required but not set');
});

test('a VALUE_LENGTH that is not a whole number fails at cold start, naming the variable', async () => {
  await expect(load({ VALUE_LENGTH: 'sixty' })).rejects.toThrow(
    "environment variable VALUE_LENGTH must be an integer, got 'sixty'",
  );
});

test('a VALUE_LENGTH out of range fails at cold start, naming the variable', async () => {
  await expect(load({ VALUE_LENGTH: '8' })).rejects.toThrow(/VALUE_LENGTH must be an integer/);
});

test('a malformed event is refused before any AWS call', async () => {
  const { secrets, handler } = await load({ VALUE_LENGTH: '64' });
  await expect(handler({ SecretId: SECRET, Step: 'createSecret' })).rejects.toThrow(/ClientRequestToken/);
  expect(secrets.calls()).toHaveLength(0);
});
