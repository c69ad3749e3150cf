import { ConfigValidationError, validateConfig } from '../../lib/config';
import { rawExampleConfig } from './app';

export type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The problems validation reports for the example configuration after `mutate`; fails if it is accepted. */
export function problemsOf(mutate: (raw: Raw) => void): string[] {
  const raw = rawExampleConfig() as Raw;
  mutate(raw);
  try {
    validateConfig(raw, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return [...(error as ConfigValidationError).problems];
  }
  throw new Error('configuration was accepted');
}
