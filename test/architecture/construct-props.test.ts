import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { typeScriptFiles } from './import-graph';

/**
 * Every prop of every public construct says what it is, and every optional prop says what happens when
 * it is left out (`@default`), as aws-cdk's own construct props do.
 */
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** `Props.field: what is missing` for each exported `...Props` interface in `source`. */
export function undocumentedProps(source: string, fileName = 'x.ts'): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const problems: string[] = [];
  for (const statement of file.statements) {
    if (!ts.isInterfaceDeclaration(statement) || !statement.name.text.endsWith('Props')) continue;
    if (!statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    for (const member of statement.members) {
      if (!ts.isPropertySignature(member)) continue;
      const where = `${statement.name.text}.${member.name.getText(file)}`;
      const docs = ts.getJSDocCommentsAndTags(member);
      if (docs.length === 0) {
        problems.push(`${where}: no doc comment`);
        continue;
      }
      const text = docs.map((d) => d.getText(file)).join('\n');
      if (member.questionToken && !/@default\b/.test(text))
        problems.push(`${where}: optional without @default`);
    }
  }
  return problems;
}

describe('construct props are documented', () => {
  test('the check finds a prop without a doc comment and an optional prop without @default', () => {
    const source = `export interface ThingProps {
      /** Documented. */
      readonly a: string;
      readonly b: string;
      /** Optional but silent about its default. */
      readonly c?: number;
      /** Optional. @default 3 */
      readonly d?: number;
    }`;
    expect(undocumentedProps(source)).toEqual([
      'ThingProps.b: no doc comment',
      'ThingProps.c: optional without @default',
    ]);
  });

  test.each(
    typeScriptFiles(path.join(REPO_ROOT, 'lib', 'constructs')).map((f) => [path.relative(REPO_ROOT, f), f]),
  )('%s documents every prop', (_name, file) => {
    expect(undocumentedProps(readFileSync(file, 'utf8'), file)).toEqual([]);
  });
});
