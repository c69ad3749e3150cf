import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CONTROL_IDS, CONTROLS, sectionOf } from '../../../lib/compliance/catalogue';
import { CONTROL_MODULES, controlModules } from '../../../lib/compliance/controls';
import { RULE_PACK_NAMES } from '../../../lib/nag/pack-names';
import { controlModuleFiles } from '../../../lib/compliance/trail';
import { declaredTests, exportedNames } from '../../helpers/test-names';

const ROOT = path.join(__dirname, '..', '..', '..');
const exportName = (id: string) => id.replace('-', '_');

/** The module file of every control, found by the layout `<section>/<id>-<what-it-checks>.ts`. */
const layout = controlModuleFiles(ROOT);
const files = new Map(Object.entries(layout).map(([id, f]) => [id, f.module]));

const testNames = new Map<string, string[]>();
const namesIn = (file: string) => {
  if (!testNames.has(file))
    testNames.set(
      file,
      declaredTests(path.join(ROOT, file)).map((t) => t.name),
    );
  return testNames.get(file)!;
};

describe('the control registry (AUD-3)', () => {
  test('has one module per catalogue control, at lib/compliance/controls/<section>/<id>-<what-it-checks>.ts', () => {
    expect(Object.keys(CONTROL_MODULES).sort()).toEqual([...CONTROL_IDS].sort());
    expect([...files.keys()].sort()).toEqual([...CONTROL_IDS].sort());
    for (const c of CONTROLS) {
      const file = files.get(c.id)!;
      expect({ id: c.id, dir: path.basename(path.dirname(file)) }).toEqual({
        id: c.id,
        dir: sectionOf(c.id).toLowerCase(),
      });
      expect({ id: c.id, exports: exportedNames(path.join(ROOT, file)) }).toEqual({
        id: c.id,
        exports: expect.arrayContaining([exportName(c.id)]),
      });
      expect(CONTROL_MODULES[c.id].id).toBe(c.id);
    }
  });

  test('a built module names what implements it: files that exist and export that name (or hold that workflow job)', () => {
    const problems: string[] = [];
    for (const m of controlModules()) {
      if (m.pending) continue;
      if (m.implementedBy.length === 0) problems.push(`${m.id} names nothing that implements it`);
      for (const impl of m.implementedBy) {
        const file = path.join(ROOT, impl.file);
        if (!fs.existsSync(file)) {
          problems.push(`${m.id}: ${impl.file} does not exist`);
          continue;
        }
        const names = /\.ya?ml$/.test(impl.file)
          ? Object.keys((parse(fs.readFileSync(file, 'utf8')) as { jobs?: object }).jobs ?? {})
          : exportedNames(file);
        if (!names.includes(impl.name)) problems.push(`${m.id}: ${impl.file} has no ${impl.name}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('every test a module names as its proof exists under that name, and the name carries the control id', () => {
    const problems: string[] = [];
    for (const m of controlModules()) {
      if (m.pending) continue;
      if (m.provenBy.length === 0) problems.push(`${m.id} names no test that proves it`);
      for (const proof of m.provenBy) {
        if (!fs.existsSync(path.join(ROOT, proof.file))) {
          problems.push(`${m.id}: ${proof.file} does not exist`);
          continue;
        }
        if (!namesIn(proof.file).includes(proof.name))
          problems.push(`${m.id}: no test '${proof.name}' in ${proof.file}`);
        if (!new RegExp(`\\b${m.id}\\b`).test(proof.name))
          problems.push(`${m.id}: '${proof.name}' (${proof.file}) does not carry the control id`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('every built module has its test file, mirroring its path, that calls describeControl with it', () => {
    const problems: string[] = [];
    for (const m of controlModules()) {
      if (m.pending) continue;
      const testFile =
        layout[m.id].test ??
        files
          .get(m.id)!
          .replace(/^lib\//, 'test/lib/')
          .replace(/\.ts$/, '.test.ts');
      const text = fs.existsSync(path.join(ROOT, testFile))
        ? fs.readFileSync(path.join(ROOT, testFile), 'utf8')
        : '';
      const calls = new RegExp(`describeControl\\(\\s*${exportName(m.id)}\\s*,`).test(text);
      if (!calls)
        problems.push(`${m.id}: ${testFile} does not call describeControl(${exportName(m.id)}, ...)`);
    }
    expect(problems).toEqual([]);
  });

  test('rule-pack rules a module names are rules of a registered pack', () => {
    const awsSolutions = fs.readFileSync(
      path.join(ROOT, 'node_modules/cdk-nag/lib/packs/aws-solutions.js'),
      'utf8',
    );
    const nist = fs.readFileSync(path.join(ROOT, 'node_modules/cdk-nag/lib/packs/nist-800-53-r5.js'), 'utf8');
    const churn = fs
      .readdirSync(path.join(ROOT, 'lib', 'nag', 'rules'))
      .map((f) => fs.readFileSync(path.join(ROOT, 'lib', 'nag', 'rules', f), 'utf8'))
      .join('\n');
    for (const m of controlModules()) {
      for (const rule of m.rules ?? []) {
        const [pack, name] = [rule.slice(0, rule.lastIndexOf('-')), rule.slice(rule.lastIndexOf('-') + 1)];
        expect(RULE_PACK_NAMES).toContain(pack);
        const known =
          pack === 'AwsSolutions'
            ? awsSolutions.includes(`ruleSuffixOverride: '${name}'`)
            : pack === 'NIST.800.53.R5'
              ? nist.includes(`.${name},`) || nist.includes(`.${name}\n`)
              : churn.includes(`'${name}'`);
        expect({ id: m.id, rule, known }).toEqual({ id: m.id, rule, known: true });
      }
    }
  });

  test('a control another issue has not built yet reports FAILING and names that issue', () => {
    for (const m of controlModules().filter((x) => x.pending)) {
      const outcome = m.evaluate({} as never);
      expect(outcome.status).toBe('failing');
      expect(outcome.problems[0].text).toMatch(new RegExp(`^not built yet \\(issue ${m.pending!.issue}\\)`));
    }
  });
});
