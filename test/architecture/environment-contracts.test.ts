import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { typeScriptFiles } from './import-graph';
import { driftCheckEnvironment } from '../../lambda/drift-check/environment';
import { endpointRollbackEnvironment } from '../../lambda/endpoint-rollback/environment';
import { inferenceEnvironment } from '../../lambda/inference/environment';
import { macieJobEnvironment } from '../../lambda/macie-job/environment';
import { mfaDeleteCheckEnvironment } from '../../lambda/mfa-delete-check/environment';
import { secretRotationEnvironment } from '../../lambda/secret-rotation/environment';
import type { Variable } from '../../lambda/shared/environment-contract';

/**
 * The environment variables a construct sets and its handler reads are one contract per function; a
 * variable's name is written once, in the contract that declares it (or the shared one), so construct and
 * handler cannot drift apart.
 */
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CONTRACTS = [
  driftCheckEnvironment,
  endpointRollbackEnvironment,
  inferenceEnvironment,
  macieJobEnvironment,
  mfaDeleteCheckEnvironment,
  secretRotationEnvironment,
];
const NAMES = [
  ...new Set(
    CONTRACTS.flatMap((c) =>
      Object.values(c.variables as Record<string, Variable<unknown, boolean>>).map((v) => v.name),
    ),
  ),
];
const SOURCES = ['bin', 'lib', 'lambda', 'src'].flatMap((dir) => typeScriptFiles(path.join(REPO_ROOT, dir)));

/** Where each name appears as a whole string literal ('NAME', "NAME" or `NAME`), by file. */
export function literalPlaces(
  names: readonly string[],
  files: ReadonlyArray<[string, string]>,
): Map<string, string[]> {
  const places = new Map(names.map((name) => [name, [] as string[]]));
  for (const [file, text] of files) {
    for (const name of names) {
      const count = text.match(new RegExp(`(['"\`])${name}\\1`, 'g'))?.length ?? 0;
      for (let i = 0; i < count; i++) places.get(name)!.push(file);
    }
  }
  return places;
}

describe('environment-variable contracts', () => {
  test('the check finds a variable name written outside its contract', () => {
    const places = literalPlaces(
      ['BUCKET'],
      [
        ['lambda/x/environment.ts', "text('BUCKET')"],
        ['lib/constructs/x.ts', 'environment: { "BUCKET": bucketName }'],
      ],
    );
    expect(places.get('BUCKET')).toEqual(['lambda/x/environment.ts', 'lib/constructs/x.ts']);
  });

  test('every contract declares distinct variable names', () => {
    for (const contract of CONTRACTS) {
      const names = Object.values(contract.variables as Record<string, Variable<unknown, boolean>>).map(
        (v) => v.name,
      );
      expect(new Set(names).size).toBe(names.length);
    }
  });

  test('each variable name is written once, in a contract module, across bin, lib, lambda and src', () => {
    const places = literalPlaces(
      NAMES,
      SOURCES.map((file) => [path.relative(REPO_ROOT, file), readFileSync(file, 'utf8')] as [string, string]),
    );
    const wrong = [...places].filter(
      ([, files]) =>
        files.length !== 1 ||
        !/^lambda\/(shared\/environment-contract|[\w-]+\/environment)\.ts$/.test(files[0]),
    );
    expect(wrong).toEqual([]);
  });
});
