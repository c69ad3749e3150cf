/**
 * What the rollback function remembers between invocations. Kept small and versioned: it is a JSON
 * object in the data bucket (KMS-encrypted by the bucket's default), one per endpoint.
 */
export const STATE_VERSION = 1;
export const HISTORY_LIMIT = 50;

/** The parts of a model that must be recreated if CloudFormation deleted it after a later deploy. */
export interface ModelSnapshot {
  readonly modelName: string;
  readonly executionRoleArn: string;
  readonly image: string;
  readonly modelDataUrl?: string;
  readonly environment?: Record<string, string>;
  readonly vpcConfig?: { readonly securityGroupIds: readonly string[]; readonly subnets: readonly string[] };
  readonly enableNetworkIsolation: boolean;
}

export interface VariantSnapshot {
  readonly variantName: string;
  readonly modelName: string;
  readonly instanceType?: string;
  readonly initialInstanceCount?: number;
  readonly initialVariantWeight?: number;
}

export interface EndpointConfigSnapshot {
  readonly endpointConfigName: string;
  readonly kmsKeyId?: string;
  readonly productionVariants: readonly VariantSnapshot[];
  readonly shadowProductionVariants: readonly VariantSnapshot[];
  readonly dataCapture?: {
    readonly destinationS3Uri: string;
    readonly kmsKeyId?: string;
    readonly initialSamplingPercentage: number;
    readonly captureModes: readonly string[];
  };
}

export interface KnownGood {
  readonly recordedAt: string;
  readonly endpointConfig: EndpointConfigSnapshot;
  readonly models: readonly ModelSnapshot[];
}

export type HistoryAction =
  'recorded-known-good' | 'rolled-back' | 'no-op' | 'skipped' | 'failed' | 'disabled' | 'reset';

export interface HistoryEntry {
  readonly at: string;
  readonly action: HistoryAction;
  readonly detail: string;
}

export interface RollbackState {
  readonly version: typeof STATE_VERSION;
  readonly endpointName: string;
  readonly knownGood?: KnownGood;
  readonly consecutiveFailures: number;
  /** Set after repeated failures; only a person clears it (the `reset` event). */
  readonly disabled: boolean;
  readonly history: readonly HistoryEntry[];
}

export function initialState(endpointName: string): RollbackState {
  return { version: STATE_VERSION, endpointName, consecutiveFailures: 0, disabled: false, history: [] };
}

export function withHistory(state: RollbackState, entry: HistoryEntry): RollbackState {
  return { ...state, history: [...state.history, entry].slice(-HISTORY_LIMIT) };
}

/** Parses stored state, refusing anything that is not ours rather than acting on a guess. */
export function parseState(text: string, endpointName: string): RollbackState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`rollback state for ${endpointName} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const state = value as Partial<RollbackState>;
  if (typeof value !== 'object' || value === null || state.version !== STATE_VERSION) {
    throw new Error(
      `rollback state for ${endpointName} has an unknown format (expected version ${STATE_VERSION})`,
    );
  }
  if (state.endpointName !== endpointName) {
    throw new Error(`rollback state names endpoint '${String(state.endpointName)}', not '${endpointName}'`);
  }
  if (
    typeof state.consecutiveFailures !== 'number' ||
    typeof state.disabled !== 'boolean' ||
    !Array.isArray(state.history)
  ) {
    throw new Error(`rollback state for ${endpointName} is missing consecutiveFailures, disabled or history`);
  }
  return state as RollbackState;
}

/** Where state lives; the handler implements it with S3, tests with memory. */
export interface StateStore {
  load(): Promise<RollbackState | undefined>;
  save(state: RollbackState): Promise<void>;
}
