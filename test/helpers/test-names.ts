import * as fs from 'node:fs';
import ts from 'typescript';

/** A test declared in a file, with the full name jest gives it (describe titles and its own title). */
export interface DeclaredTest {
  readonly name: string;
  readonly line: number;
}

const BLOCKS = new Set(['describe', 'fdescribe', 'xdescribe']);
const TESTS = new Set(['test', 'it', 'fit', 'xit', 'chromiumTest']);

/** `describe`, `test.skip`, `test.each(...)`: the base name of a call's callee, and whether it is `.each`. */
function calleeName(expression: ts.Expression): { base?: string; each: boolean } {
  if (ts.isIdentifier(expression)) return { base: expression.text, each: false };
  if (ts.isPropertyAccessExpression(expression)) {
    const inner = calleeName(expression.expression);
    return { base: inner.base, each: inner.each };
  }
  if (ts.isCallExpression(expression)) {
    // test.each(table)(name, fn): the callee is itself a call.
    const inner = calleeName(expression.expression);
    return { base: inner.base, each: true };
  }
  return { each: false };
}

/** A title as written; a template literal's substitutions become `*`. Undefined when not a literal. */
function titleOf(node: ts.Expression | undefined): string | undefined {
  if (!node) return undefined;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    return node.head.text + node.templateSpans.map((s) => `*${s.literal.text}`).join('');
  }
  return undefined;
}

/**
 * Reads the tests a file declares, statically (the file is not run): every `test`/`it` call whose
 * title is a literal, with the titles of the `describe` blocks around it, as jest joins them.
 */
export function declaredTests(file: string): DeclaredTest[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: DeclaredTest[] = [];
  const visit = (node: ts.Node, prefix: string[]) => {
    if (ts.isCallExpression(node)) {
      const { base } = calleeName(node.expression);
      const title = titleOf(node.arguments[0]);
      if (base && title !== undefined && BLOCKS.has(base)) {
        node.arguments.slice(1).forEach((a) => visit(a, [...prefix, title]));
        return;
      }
      // describeControl(NET_4, { compliant: [{ name }], nonCompliant: [{ name }] }) (compliance harness).
      if (base === 'describeControl' && ts.isIdentifier(node.arguments[0])) {
        const id = node.arguments[0].text.replace('_', '-');
        const cases = node.arguments[1];
        if (cases && ts.isObjectLiteralExpression(cases)) {
          for (const prop of cases.properties) {
            if (!ts.isPropertyAssignment(prop) || !ts.isIdentifier(prop.name)) continue;
            const kind = prop.name.text === 'compliant' ? 'compliant' : 'non-compliant';
            if (!ts.isArrayLiteralExpression(prop.initializer)) continue;
            for (const element of prop.initializer.elements) {
              if (!ts.isObjectLiteralExpression(element)) continue;
              const nameProp = element.properties.find(
                (p): p is ts.PropertyAssignment =>
                  ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'name',
              );
              const name = titleOf(nameProp?.initializer);
              if (name === undefined) continue;
              found.push({
                name: [...prefix, `${id} evidence check`, `${id} ${kind}: ${name}`].join(' '),
                line: source.getLineAndCharacterOfPosition(element.getStart()).line + 1,
              });
            }
          }
        }
        return;
      }
      if (base && title !== undefined && TESTS.has(base)) {
        found.push({
          name: [...prefix, title].join(' '),
          line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
        });
        return;
      }
    }
    ts.forEachChild(node, (child) => visit(child, prefix));
  };
  visit(source, []);
  return found;
}

/** The names a file exports (classes, functions, constants), read statically. */
export function exportedNames(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const names: string[] = [];
  for (const statement of source.statements) {
    const exported = ts.canHaveModifiers(statement)
      ? ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
      : false;
    if (!exported) continue;
    if (
      (ts.isClassDeclaration(statement) ||
        ts.isFunctionDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement)) &&
      statement.name
    )
      names.push(statement.name.text);
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) names.push(d.name.text);
      }
    }
  }
  return names;
}
