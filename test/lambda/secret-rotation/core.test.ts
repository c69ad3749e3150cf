import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CoreLogger,
  parseRotationEvent,
  rotate,
  RotationError,
  RotationEvent,
  validateValueSpec,
} from '../../../lambda/secret-rotation/core';

const secrets = mockClient(SecretsManagerClient);
const SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:churn-webhook-AbCdEf';
const TOKEN = 'c2b1f3a4-0000-4000-8000-000000000001';
const OLD = 'a0a0a0a0-0000-4000-8000-000000000000';
const SPEC = { length: 64 };
const NEW_VALUE = 'N3wValue'.repeat(8);

function recorder(): CoreLogger & { lines: string[] } {
  const lines: string[] = [];
  const record = (message: string, ...extra: Record<string, unknown>[]) =>
    lines.push(JSON.stringify([message, ...extra]));
  return { lines, info: record, warn: record };
}

function event(step: RotationEvent['Step']): RotationEvent {
  return { SecretId: SECRET, ClientRequestToken: TOKEN, Step: step };
}

/** A secret being rotated: OLD is current, TOKEN is pending. */
function describeRotating(
  stages: Record<string, string[]> = { [OLD]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] },
) {
  secrets
    .on(DescribeSecretCommand)
    .resolves({ ARN: SECRET, RotationEnabled: true, VersionIdsToStages: stages });
}

function notFound(): Error {
  const err = new Error("Secrets Manager can't find the specified secret value for VersionId");
  err.name = 'ResourceNotFoundException';
  return err;
}

beforeEach(() => secrets.reset());

describe('createSecret', () => {
  test('generates a letters-and-digits value of the configured length and stores it as AWSPENDING under the token', async () => {
    // Prepare
    describeRotating();
    secrets
      .on(GetSecretValueCommand, { SecretId: SECRET, VersionStage: 'AWSCURRENT' })
      .resolves({ SecretString: 'old' });
    secrets
      .on(GetSecretValueCommand, { SecretId: SECRET, VersionId: TOKEN, VersionStage: 'AWSPENDING' })
      .rejects(notFound());
    secrets.on(GetRandomPasswordCommand).resolves({ RandomPassword: NEW_VALUE });
    secrets.on(PutSecretValueCommand).resolves({});
    const logger = recorder();

    // Act
    const outcome = await rotate(event('createSecret'), SPEC, { secrets, logger });

    // Assess
    expect(outcome).toBe('pending-created');
    expect(secrets.commandCalls(GetRandomPasswordCommand)[0]!.args[0].input).toEqual({
      PasswordLength: 64,
      ExcludePunctuation: true,
      IncludeSpace: false,
      RequireEachIncludedType: true,
    });
    expect(secrets.commandCalls(PutSecretValueCommand)[0]!.args[0].input).toEqual({
      SecretId: SECRET,
      ClientRequestToken: TOKEN,
      SecretString: NEW_VALUE,
      VersionStages: ['AWSPENDING'],
    });
    expect(logger.lines.join('\n')).not.toContain(NEW_VALUE);
  });

  test('a retried step finds the pending value and creates nothing', async () => {
    describeRotating();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'exists' });

    await expect(rotate(event('createSecret'), SPEC, { secrets, logger: recorder() })).resolves.toBe(
      'pending-exists',
    );

    expect(secrets.commandCalls(GetRandomPasswordCommand)).toHaveLength(0);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  test('a secret without a current value is refused instead of silently gaining one', async () => {
    describeRotating();
    secrets.on(GetSecretValueCommand).rejects(notFound());

    await expect(rotate(event('createSecret'), SPEC, { secrets, logger: recorder() })).rejects.toThrow(
      /GetSecretValue \(AWSCURRENT\) on .*churn-webhook.* failed: ResourceNotFoundException/,
    );
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  test('a value of the wrong length from GetRandomPassword is never stored', async () => {
    describeRotating();
    secrets
      .on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT', SecretId: SECRET })
      .resolves({ SecretString: 'old' });
    secrets
      .on(GetSecretValueCommand, { SecretId: SECRET, VersionId: TOKEN, VersionStage: 'AWSPENDING' })
      .rejects(notFound());
    secrets.on(GetRandomPasswordCommand).resolves({ RandomPassword: 'short' });

    await expect(rotate(event('createSecret'), SPEC, { secrets, logger: recorder() })).rejects.toThrow(
      /no value of the requested length/,
    );
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  test('access denied names the permission the role lacks', async () => {
    const denied = new Error('not authorized to perform: secretsmanager:DescribeSecret');
    denied.name = 'AccessDeniedException';
    secrets.on(DescribeSecretCommand).rejects(denied);

    await expect(rotate(event('createSecret'), SPEC, { secrets, logger: recorder() })).rejects.toThrow(
      /DescribeSecret .* AccessDeniedException: .*; the rotation role needs it/,
    );
  });
});

describe('setSecret and testSecret', () => {
  test('setSecret changes nothing: readers fetch the value from Secrets Manager', async () => {
    describeRotating();
    await expect(rotate(event('setSecret'), SPEC, { secrets, logger: recorder() })).resolves.toBe(
      'nothing-to-set',
    );
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });

  test('testSecret accepts a well-formed pending value', async () => {
    describeRotating();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: NEW_VALUE });
    await expect(rotate(event('testSecret'), SPEC, { secrets, logger: recorder() })).resolves.toBe(
      'pending-valid',
    );
    expect(secrets.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({
      SecretId: SECRET,
      VersionId: TOKEN,
      VersionStage: 'AWSPENDING',
    });
  });

  test.each([
    ['too short', 'abc123', /has 6 characters, expected 64/],
    ['punctuation', `${'a'.repeat(63)}!`, /characters other than letters and digits/],
    ['binary only', undefined, /has no string value/],
  ])('testSecret rejects a pending value that is %s, without echoing it', async (_what, value, message) => {
    describeRotating();
    secrets.on(GetSecretValueCommand).resolves(value === undefined ? {} : { SecretString: value });
    const error = await rotate(event('testSecret'), SPEC, { secrets, logger: recorder() }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RotationError);
    expect((error as Error).message).toMatch(message);
    if (value !== undefined) expect((error as Error).message).not.toContain(value);
  });
});

describe('finishSecret', () => {
  test('moves AWSCURRENT from the old version to the token', async () => {
    describeRotating();
    secrets.on(UpdateSecretVersionStageCommand).resolves({});

    await expect(rotate(event('finishSecret'), SPEC, { secrets, logger: recorder() })).resolves.toBe(
      'promoted',
    );

    expect(secrets.commandCalls(UpdateSecretVersionStageCommand)[0]!.args[0].input).toEqual({
      SecretId: SECRET,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: TOKEN,
      RemoveFromVersionId: OLD,
    });
  });

  test('a retry after the promotion is a no-op for every step', async () => {
    describeRotating({ [OLD]: ['AWSPREVIOUS'], [TOKEN]: ['AWSCURRENT', 'AWSPENDING'] });
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      await expect(rotate(event(step), SPEC, { secrets, logger: recorder() })).resolves.toBe(
        'already-current',
      );
    }
    expect(secrets.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});

describe('validation before any step', () => {
  test('a secret with rotation disabled is refused', async () => {
    secrets
      .on(DescribeSecretCommand)
      .resolves({ RotationEnabled: false, VersionIdsToStages: { [TOKEN]: ['AWSPENDING'] } });
    await expect(rotate(event('createSecret'), SPEC, { secrets, logger: recorder() })).rejects.toThrow(
      /is not enabled for rotation/,
    );
  });

  test('an unknown token is refused', async () => {
    describeRotating({ [OLD]: ['AWSCURRENT'] });
    await expect(rotate(event('finishSecret'), SPEC, { secrets, logger: recorder() })).rejects.toThrow(
      new RegExp(`has no version ${TOKEN}`),
    );
  });

  test('a token that is not AWSPENDING is refused', async () => {
    describeRotating({ [OLD]: ['AWSCURRENT'], [TOKEN]: ['AWSPREVIOUS'] });
    await expect(rotate(event('testSecret'), SPEC, { secrets, logger: recorder() })).rejects.toThrow(
      /is not staged AWSPENDING/,
    );
  });

  test('events and value specs are validated with the field named', () => {
    expect(parseRotationEvent({ SecretId: SECRET, ClientRequestToken: TOKEN, Step: 'finishSecret' })).toEqual(
      event('finishSecret'),
    );
    expect(() => parseRotationEvent({ SecretId: SECRET, ClientRequestToken: TOKEN, Step: 'rotate' })).toThrow(
      /Step must be one of createSecret, setSecret, testSecret, finishSecret, got 'rotate'/,
    );
    expect(() => parseRotationEvent({ SecretId: SECRET, Step: 'setSecret' })).toThrow(/ClientRequestToken/);
    expect(() => parseRotationEvent('x')).toThrow(/must be an object/);
    expect(() => validateValueSpec({ length: 31 })).toThrow(
      /VALUE_LENGTH must be an integer from 32 to 4096, got 31/,
    );
    expect(() => validateValueSpec({ length: 64.5 })).toThrow(/VALUE_LENGTH/);
  });
});
