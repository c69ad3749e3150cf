import * as path from 'node:path';
import { CONTROL_IDS } from '../../../lib/compliance/catalogue';
import { controlModules } from '../../../lib/compliance/controls';
import { controlModuleFiles, testCommand } from '../../../lib/compliance/trail';
import { declaredTests } from '../../helpers/test-names';

const ROOT = path.join(__dirname, '..', '..', '..');

describe('trail commands and files (AUD-3)', () => {
  test('AUD-3: the command printed for each proving test selects that test (jest -t reads a regular expression)', () => {
    for (const m of controlModules()) {
      for (const proof of m.provenBy) {
        const pattern = /-t '(.*)'$/s.exec(testCommand(proof))![1].replace(/'\\''/g, "'");
        const declared = declaredTests(path.join(ROOT, proof.file)).map((t) => t.name);
        expect({
          id: m.id,
          name: proof.name,
          selected: declared.filter((n) => new RegExp(pattern).test(n)),
        }).toEqual({
          id: m.id,
          name: proof.name,
          selected: expect.arrayContaining([proof.name]),
        });
      }
    }
    expect(testCommand({ file: 'test/a.test.ts', name: "KEY-2 (x) costs $1 for env *'s key" })).toBe(
      "npx jest test/a.test.ts -t 'KEY-2 \\(x\\) costs \\$1 for env .*'\\''s key'",
    );
  });

  test('AUD-3: every control has a module file and a mirrored test file found by the layout', () => {
    const files = controlModuleFiles(ROOT);
    expect(Object.keys(files).sort()).toEqual([...CONTROL_IDS].sort());
    expect(files['NET-4']).toEqual({
      module: 'lib/compliance/controls/net/net-4-flow-logs.ts',
      test: 'test/lib/compliance/controls/net/net-4-flow-logs.test.ts',
    });
  });
});
