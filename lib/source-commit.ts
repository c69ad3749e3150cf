import { execFileSync } from 'node:child_process';

/** Used when neither the environment nor git can say which commit is being built. */
export const UNKNOWN_COMMIT = 'unknown-commit';

/**
 * The commit the templates are built from: `SOURCE_COMMIT` or CI's `GITHUB_SHA`/`CODEBUILD_RESOLVED_SOURCE_VERSION`
 * first, then `git rev-parse HEAD` (with `-dirty` when the tree has uncommitted changes), else
 * `unknown-commit`, so a resource built from an unidentifiable tree says so instead of lying.
 */
export function resolveSourceCommit(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  for (const name of ['SOURCE_COMMIT', 'GITHUB_SHA', 'CODEBUILD_RESOLVED_SOURCE_VERSION']) {
    const value = env[name]?.trim();
    if (value) return sanitiseTagValue(value);
  }
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    return sanitiseTagValue(dirty ? `${head}-dirty` : head);
  } catch {
    return UNKNOWN_COMMIT;
  }
}

/** Tag values allow letters, digits, spaces and `_ . : / = + - @`, up to 256 characters. */
function sanitiseTagValue(value: string): string {
  return value.replace(/[^\w .:/=+\-@]/g, '-').slice(0, 256);
}
