import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chainToRuntimePackage, runtimeImports, typeScriptFiles } from './import-graph';

/**
 * Infrastructure code (bin/, lib/) never loads a module that pulls in an AWS SDK client: constants it
 * shares with a function live in modules with no runtime imports (a function's `environment.ts`, for
 * example), so synthesis never loads handler code and a handler's dependencies never reach the CDK app.
 */
const REPO_ROOT = path.resolve(__dirname, '..', '..');
// The CDK app and the report it writes; bin/preflight.ts is an operator CLI that calls AWS on purpose.
const INFRASTRUCTURE = [
  path.join(REPO_ROOT, 'bin', 'app.ts'),
  path.join(REPO_ROOT, 'bin', 'compliance-report.ts'),
  ...typeScriptFiles(path.join(REPO_ROOT, 'lib')),
];

describe('infrastructure code never loads an AWS SDK client', () => {
  test('the import-graph check finds a client reached through a runtime module, and ignores type imports', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'graph-'));
    mkdirSync(path.join(root, 'lib'));
    mkdirSync(path.join(root, 'lambda'));
    writeFileSync(path.join(root, 'lib', 'construct.ts'), "import { LIMIT } from '../lambda/core';\n");
    writeFileSync(
      path.join(root, 'lambda', 'core.ts'),
      "import { S3Client } from '@aws-sdk/client-s3';\nexport const LIMIT = 1;\n",
    );
    writeFileSync(
      path.join(root, 'lib', 'typed.ts'),
      "import type { S3Client } from '@aws-sdk/client-s3';\n",
    );
    expect(chainToRuntimePackage(path.join(root, 'lib', 'construct.ts'), root)).toBe(
      'lib/construct.ts -> lambda/core.ts -> @aws-sdk/client-s3',
    );
    expect(chainToRuntimePackage(path.join(root, 'lib', 'typed.ts'), root)).toBeUndefined();
    expect(runtimeImports("import { type A, type B } from 'x';\nexport * from './y';")).toEqual(['./y']);
  });

  test.each(INFRASTRUCTURE.map((file) => [path.relative(REPO_ROOT, file), file]))(
    '%s loads no AWS SDK client, directly or through what it imports',
    (_name, file) => {
      expect(chainToRuntimePackage(file, REPO_ROOT)).toBeUndefined();
    },
  );
});

/** Rule ids ESLint reports for each snippet, linted with the project's config as if it were `file`. */
function lintSnippets(cases: ReadonlyArray<{ code: string; file: string }>): string[][] {
  // ESLint loads its flat config with a dynamic import, which Jest's module sandbox refuses: lint in node.
  const script = `
    const { ESLint } = require('eslint');
    const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    const eslint = new ESLint({ cwd: process.cwd() });
    Promise.all(cases.map((c) => eslint.lintText(c.code, { filePath: require('node:path').resolve(c.file) })))
      .then((results) => console.log(JSON.stringify(results.map((r) => r[0].messages.map((m) => m.ruleId)))));`;
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: REPO_ROOT,
    input: JSON.stringify(cases),
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

describe('ESLint keeps the boundaries at the line that crosses them', () => {
  const cases = [
    // Infrastructure code may not import an SDK client, Powertools, a handler or a core ...
    ...[
      "import { S3Client as X } from '@aws-sdk/client-s3';",
      "import { Logger as X } from '@aws-lambda-powertools/logger';",
      "import { handler as X } from '../../lambda/inference/handler';",
      "import { rotate as X } from '../../lambda/secret-rotation/core';",
    ].map((source) => ({ code: `${source}\nexport const x = X;\n`, file: 'lib/constructs/example.ts' })),
    // ... but may import a contract.
    {
      code: "import { secretRotationEnvironment } from '../../lambda/secret-rotation/environment';\nexport const x = secretRotationEnvironment;\n",
      file: 'lib/constructs/example.ts',
    },
    // Runtime code may not import the CDK.
    { code: "import { Stack } from 'aws-cdk-lib';\nexport const x = Stack;\n", file: 'lambda/x/core.ts' },
    // A handler reads its environment through its contract, never process.env.
    { code: 'export const bucket = process.env.BUCKET;\n', file: 'lambda/x/handler.ts' },
    {
      code: "import { environmentContract, text } from '../shared/environment-contract';\nexport const e = environmentContract({ bucket: text('BUCKET') }).read();\n",
      file: 'lambda/x/handler.ts',
    },
  ];
  const results = lintSnippets(cases);

  test('infrastructure code may not import an SDK client, Powertools, a handler or a core; a contract is fine', () => {
    expect(results.slice(0, 4)).toEqual(Array(4).fill(['no-restricted-imports']));
    expect(results[4]).toEqual([]);
  });

  test('runtime code may not import the CDK', () => {
    expect(results[5]).toEqual(['no-restricted-imports']);
  });

  test('a handler reads its environment through its contract, never process.env', () => {
    expect(results[6]).toEqual(['no-restricted-properties']);
    expect(results[7]).toEqual([]);
  });
});
