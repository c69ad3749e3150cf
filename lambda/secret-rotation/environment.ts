import { environmentContract, integer, POWERTOOLS_VARIABLES } from '../shared/environment-contract';

/** Lengths the rotation can generate: long enough to resist guessing, within Secrets Manager's limit. */
export const VALUE_LENGTH_BOUNDS = { min: 32, max: 4096 } as const;

/** Set by RuntimeSecret, read by the secret-rotation handler at cold start. */
export const secretRotationEnvironment = environmentContract({
  ...POWERTOOLS_VARIABLES,
  valueLength: integer('VALUE_LENGTH'),
});
