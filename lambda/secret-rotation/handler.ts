import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createLogger } from '../shared/observability';
import { parseRotationEvent, rotate, type RotationOutcome, validateValueSpec } from './core';
import { secretRotationEnvironment } from './environment';

// Read once at cold start so a misconfigured deployment fails on its first invocation, by name.
const spec = validateValueSpec({ length: secretRotationEnvironment.read().valueLength });

const secrets = new SecretsManagerClient({});
const logger = createLogger('secret-rotation');

/** Rotation function invoked by Secrets Manager once per step (SEC-1). */
export async function handler(event: unknown): Promise<{ step: string; outcome: RotationOutcome }> {
  const parsed = parseRotationEvent(event);
  logger.info('rotation step', {
    secretId: parsed.SecretId,
    token: parsed.ClientRequestToken,
    step: parsed.Step,
  });
  const outcome = await rotate(parsed, spec, { secrets, logger });
  return { step: parsed.Step, outcome };
}
