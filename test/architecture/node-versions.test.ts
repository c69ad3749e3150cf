import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FUNCTION_RUNTIME } from '../../lib/constructs/secure-function';
import packageJson from '../../package.json';

/**
 * One Node.js across the project: the Lambda runtime's major is what CI runs and what the types describe;
 * `engines` admits the oldest Node.js the tools and tests still pass on (this machine's, until it moves).
 */
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const runtimeMajor = Number(/^nodejs(\d+)\.x$/.exec(FUNCTION_RUNTIME.name)![1]);
const workflows = path.join(REPO_ROOT, '.github', 'workflows');

function versionParts(version: string): number[] {
  return version.split('.').map(Number);
}

function atLeast(version: string, minimum: string): boolean {
  const [a, b] = [versionParts(version), versionParts(minimum)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

describe('Node.js versions', () => {
  test('the Lambda functions run Node.js 24', () => {
    expect(runtimeMajor).toBe(24);
  });

  test.each(readdirSync(workflows).filter((f) => f.endsWith('.yml')))(
    'GitHub workflow %s sets up the Lambda runtime major on every job',
    (file) => {
      const versions = [
        ...readFileSync(path.join(workflows, file), 'utf8').matchAll(/node-version:\s*['"]?([\d.x]+)/g),
      ].map((m) => m[1]);
      expect(versions.length).toBeGreaterThan(0);
      expect(versions).toEqual(versions.map(() => String(runtimeMajor)));
    },
  );

  test('@types/node describes the Lambda runtime major', () => {
    expect(packageJson.devDependencies['@types/node'].split('.')[0]).toBe(String(runtimeMajor));
  });

  test('engines admits the Node.js these tests run on, and no older one than the tools need', () => {
    const minimum = /^>=(\d+\.\d+\.\d+)$/.exec(packageJson.engines.node)?.[1];
    expect(minimum).toBeDefined();
    expect(atLeast(process.versions.node, minimum!)).toBe(true);
    // ESLint 10 and the AWS SDK need 20.19 or newer.
    expect(atLeast(minimum!, '20.19.0')).toBe(true);
    expect(atLeast('20.18.9', minimum!)).toBe(false);
  });
});
