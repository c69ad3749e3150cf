import type { EnvironmentModel, ResourceHandle } from '../../model';

/** The inference function of an environment: the Lambda function whose environment names its serving mode. */
export function inferenceFunctions(model: EnvironmentModel): ResourceHandle[] {
  return model
    .ofType('AWS::Lambda::Function')
    .filter((fn) => inferenceEnvironment(fn).SERVING_MODE !== undefined);
}

export function inferenceEnvironment(fn: ResourceHandle): Record<string, unknown> {
  const environment = fn.props.Environment as { Variables?: Record<string, unknown> } | undefined;
  return environment?.Variables ?? {};
}

/** A setting written as a decimal string into the function's environment, or undefined. */
export function numericSetting(fn: ResourceHandle, name: string): number | undefined {
  const raw = inferenceEnvironment(fn)[name];
  return typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : undefined;
}
