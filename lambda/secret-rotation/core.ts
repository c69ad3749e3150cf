import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { errorMessage, errorName } from '../shared/errors';
import { secretRotationEnvironment, VALUE_LENGTH_BOUNDS } from './environment';

/**
 * SEC-1: rotation of a secret whose value this project generates and whose every user reads it from
 * Secrets Manager at run time (a webhook signing key, a client secret of our own). Follows the
 * four-step protocol Secrets Manager drives: createSecret, setSecret, testSecret, finishSecret, each
 * of which may be retried and must therefore be idempotent. Secret values are never logged.
 */

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

export const CURRENT = 'AWSCURRENT';
export const PENDING = 'AWSPENDING';

/** The event Secrets Manager sends to a rotation function. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: RotationStep;
}

/** What new values look like: letters and digits only, so they survive headers, URLs and JSON unescaped. */
export interface ValueSpec {
  /** Number of characters, 32 to 4096 (GetRandomPassword's upper bound). */
  readonly length: number;
}

export type RotationOutcome =
  | 'already-current'
  | 'pending-created'
  | 'pending-exists'
  | 'nothing-to-set'
  | 'pending-valid'
  | 'promoted'
  | 'promoted-already';

export interface CoreLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface RotationDeps {
  readonly secrets: Pick<SecretsManagerClient, 'send'>;
  readonly logger: CoreLogger;
}

export class RotationError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RotationError';
  }
}

const VALUE_CHARACTERS = /^[A-Za-z0-9]+$/;

export function validateValueSpec(spec: ValueSpec): ValueSpec {
  if (
    !Number.isInteger(spec.length) ||
    spec.length < VALUE_LENGTH_BOUNDS.min ||
    spec.length > VALUE_LENGTH_BOUNDS.max
  ) {
    throw new RotationError(
      `${secretRotationEnvironment.variables.valueLength.name} must be an integer from ${VALUE_LENGTH_BOUNDS.min} to ${VALUE_LENGTH_BOUNDS.max}, got ${spec.length}`,
      'InvalidValueSpec',
    );
  }
  return spec;
}

/** Validates the raw event; every error names the field. */
export function parseRotationEvent(raw: unknown): RotationEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new RotationError('rotation event must be an object', 'InvalidEvent');
  }
  const event = raw as Record<string, unknown>;
  const field = (name: string): string => {
    const value = event[name];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new RotationError(`rotation event field ${name} must be a non-empty string`, 'InvalidEvent');
    }
    return value;
  };
  const step = field('Step');
  if (!(ROTATION_STEPS as readonly string[]).includes(step)) {
    throw new RotationError(
      `rotation event field Step must be one of ${ROTATION_STEPS.join(', ')}, got '${step}'`,
      'InvalidEvent',
    );
  }
  return {
    SecretId: field('SecretId'),
    ClientRequestToken: field('ClientRequestToken'),
    Step: step as RotationStep,
  };
}

/** Runs one step. Every step first checks that the token names a version staged for rotation. */
export async function rotate(
  event: RotationEvent,
  spec: ValueSpec,
  deps: RotationDeps,
): Promise<RotationOutcome> {
  validateValueSpec(spec);
  const { SecretId: secretId, ClientRequestToken: token } = event;
  const description = await describe(secretId, deps);
  if (description.RotationEnabled !== true) {
    throw new RotationError(`secret ${secretId} is not enabled for rotation`, 'RotationNotEnabled');
  }
  const stages = description.VersionIdsToStages?.[token];
  if (stages === undefined) {
    throw new RotationError(
      `secret ${secretId} has no version ${token}; the rotation request is stale or for another secret`,
      'UnknownVersion',
    );
  }
  if (stages.includes(CURRENT)) {
    // A retry after finishSecret succeeded, or a rotation that already completed.
    deps.logger.info('version is already AWSCURRENT; nothing to do', { secretId, token, step: event.Step });
    return 'already-current';
  }
  if (!stages.includes(PENDING)) {
    throw new RotationError(
      `version ${token} of secret ${secretId} is not staged AWSPENDING, so it is not being rotated`,
      'NotPending',
    );
  }

  switch (event.Step) {
    case 'createSecret':
      return createSecret(secretId, token, spec, deps);
    case 'setSecret':
      // Nothing outside Secrets Manager holds a copy: signers and verifiers read the value at run time.
      deps.logger.info('no external system to update; readers fetch the value from Secrets Manager', {
        secretId,
        token,
      });
      return 'nothing-to-set';
    case 'testSecret':
      return testSecret(secretId, token, spec, deps);
    case 'finishSecret':
      return finishSecret(secretId, token, description, deps);
  }
}

async function createSecret(
  secretId: string,
  token: string,
  spec: ValueSpec,
  deps: RotationDeps,
): Promise<RotationOutcome> {
  // The current value must exist: rotating a secret that never had one would hide a broken deployment.
  await getValue(secretId, { VersionStage: CURRENT }, deps);
  const pending = await getValue(secretId, { VersionId: token, VersionStage: PENDING }, deps, {
    missingIsUndefined: true,
  });
  if (pending !== undefined) {
    deps.logger.info('pending value already exists (retried step)', { secretId, token });
    return 'pending-exists';
  }
  let value: string | undefined;
  try {
    const generated = await deps.secrets.send(
      new GetRandomPasswordCommand({
        PasswordLength: spec.length,
        ExcludePunctuation: true,
        IncludeSpace: false,
        RequireEachIncludedType: true,
      }),
    );
    value = generated.RandomPassword;
  } catch (err) {
    throw awsError('GetRandomPassword', secretId, err);
  }
  if (value === undefined || value.length !== spec.length) {
    throw new RotationError('GetRandomPassword returned no value of the requested length', 'NoRandomValue');
  }
  try {
    await deps.secrets.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: value,
        VersionStages: [PENDING],
      }),
    );
  } catch (err) {
    throw awsError('PutSecretValue', secretId, err);
  }
  deps.logger.info('pending value created', { secretId, token, length: spec.length });
  return 'pending-created';
}

async function testSecret(
  secretId: string,
  token: string,
  spec: ValueSpec,
  deps: RotationDeps,
): Promise<RotationOutcome> {
  const pending = await getValue(secretId, { VersionId: token, VersionStage: PENDING }, deps);
  const value = pending?.SecretString;
  // The reasons describe the value's shape, never its content.
  if (value === undefined) {
    throw new RotationError(`pending version ${token} of ${secretId} has no string value`, 'NoPendingValue');
  }
  if (value.length !== spec.length) {
    throw new RotationError(
      `pending version ${token} of ${secretId} has ${value.length} characters, expected ${spec.length}`,
      'PendingValueInvalid',
    );
  }
  if (!VALUE_CHARACTERS.test(value)) {
    throw new RotationError(
      `pending version ${token} of ${secretId} contains characters other than letters and digits`,
      'PendingValueInvalid',
    );
  }
  deps.logger.info('pending value is well formed', { secretId, token });
  return 'pending-valid';
}

async function finishSecret(
  secretId: string,
  token: string,
  description: DescribeSecretCommandOutput,
  deps: RotationDeps,
): Promise<RotationOutcome> {
  const current = Object.entries(description.VersionIdsToStages ?? {}).find(([, stages]) =>
    stages.includes(CURRENT),
  )?.[0];
  if (current === token) return 'promoted-already';
  try {
    await deps.secrets.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: CURRENT,
        MoveToVersionId: token,
        ...(current !== undefined ? { RemoveFromVersionId: current } : {}),
      }),
    );
  } catch (err) {
    throw awsError('UpdateSecretVersionStage', secretId, err);
  }
  deps.logger.info('pending version promoted to AWSCURRENT', { secretId, token, previous: current });
  return 'promoted';
}

async function describe(secretId: string, deps: RotationDeps): Promise<DescribeSecretCommandOutput> {
  try {
    return await deps.secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
  } catch (err) {
    throw awsError('DescribeSecret', secretId, err);
  }
}

async function getValue(
  secretId: string,
  selector: { VersionId?: string; VersionStage: string },
  deps: RotationDeps,
  options: { readonly missingIsUndefined?: boolean } = {},
): Promise<{ SecretString?: string } | undefined> {
  try {
    const output = await deps.secrets.send(new GetSecretValueCommand({ SecretId: secretId, ...selector }));
    return { ...(output.SecretString !== undefined ? { SecretString: output.SecretString } : {}) };
  } catch (err) {
    if (options.missingIsUndefined && errorName(err) === 'ResourceNotFoundException') return undefined;
    throw awsError(`GetSecretValue (${selector.VersionStage})`, secretId, err);
  }
}

function awsError(operation: string, secretId: string, err: unknown): RotationError {
  const name = errorName(err);
  const message = errorMessage(err);
  const hint =
    name === 'AccessDeniedException'
      ? '; the rotation role needs it on this secret and kms:Decrypt/GenerateDataKey on its key through Secrets Manager'
      : '';
  return new RotationError(`${operation} on ${secretId} failed: ${name}: ${message}${hint}`, name, {
    cause: err,
  });
}
