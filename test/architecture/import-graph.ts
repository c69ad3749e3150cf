import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/** Packages whose import loads an AWS SDK client (or Powertools, which loads one for metrics). */
export const RUNTIME_PACKAGES = /^@aws-sdk\/|^@aws-lambda-powertools\//;

/** Specifiers a module loads when it runs: `import type` and `export type` load nothing. */
export function runtimeImports(source: string, fileName = 'module.ts'): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const found: string[] = [];
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause !== undefined &&
          clause.name === undefined &&
          clause.namedBindings !== undefined &&
          ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.length > 0 &&
          clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) found.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      found.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return found;
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  return [base, `${base}.ts`, path.join(base, 'index.ts')].find(
    (candidate) => candidate.endsWith('.ts') && existsSync(candidate),
  );
}

/**
 * Follows relative imports from `entry` and returns, for the first runtime package reached, the chain of
 * modules that loads it (`lib/x.ts -> lambda/y/core.ts -> @aws-sdk/client-s3`); undefined when none is.
 */
export function chainToRuntimePackage(
  entry: string,
  root: string,
  read: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): string | undefined {
  const seen = new Set<string>();
  const visit = (file: string, chain: string[]): string | undefined => {
    if (seen.has(file)) return undefined;
    seen.add(file);
    const here = [...chain, path.relative(root, file)];
    for (const specifier of runtimeImports(read(file), file)) {
      if (RUNTIME_PACKAGES.test(specifier)) return [...here, specifier].join(' -> ');
      if (!specifier.startsWith('.')) continue;
      const next = resolveRelative(file, specifier);
      const found = next && visit(next, here);
      if (found) return found;
    }
    return undefined;
  };
  return visit(entry, []);
}

export function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts') && !d.name.endsWith('.d.ts'))
    .map((d) => path.join(d.parentPath, d.name));
}
