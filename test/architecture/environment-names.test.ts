import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ENVIRONMENT_NAMES } from '../../lib/config';

/**
 * What differs in prod is a setting with a prod default (lib/config/schema.ts, `perEnvironment`), never a
 * branch on the environment's name in a stack or construct: a new environment, or a prod-like test, then
 * gets the behaviour by configuration.
 */
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SCANNED = ['bin', 'lib/churn-app.ts', 'lib/stages', 'lib/stacks', 'lib/constructs', 'lib/nag'];

function sourceFiles(entry: string): string[] {
  const absolute = path.join(REPO_ROOT, entry);
  if (absolute.endsWith('.ts')) return [absolute];
  return readdirSync(absolute, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts'))
    .map((d) => path.join(d.parentPath, d.name));
}

/** Lines of code (comments removed) that name an environment in a string literal. */
export function environmentNameLiterals(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const literal = new RegExp(
    `(['"\`])(${ENVIRONMENT_NAMES.join('|')})\\1|/\\^?(${ENVIRONMENT_NAMES.join('|')})\\b[^/]*/`,
  );
  return code.split('\n').filter((line) => literal.test(line));
}

describe('no stack or construct branches on an environment name', () => {
  test('the check catches a branch on the name, and ignores comments', () => {
    expect(environmentNameLiterals("const level = env.name === 'prod' ? 'ERROR' : 'INFO';")).toHaveLength(1);
    expect(environmentNameLiterals('if (/^prod/i.test(stage.stageName)) retain();')).toHaveLength(1);
    expect(environmentNameLiterals("// prod: 'prod' is mentioned in a comment\n/** e.g. 'dev' */")).toEqual(
      [],
    );
  });

  test.each(SCANNED)('%s names no environment', (entry) => {
    const offenders = sourceFiles(entry).flatMap((file) =>
      environmentNameLiterals(readFileSync(file, 'utf8')).map(
        (line) => `${path.relative(REPO_ROOT, file)}: ${line.trim()}`,
      ),
    );
    expect(offenders).toEqual([]);
  });
});
