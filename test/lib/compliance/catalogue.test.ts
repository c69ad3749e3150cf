import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CONTROL_SECTIONS,
  CONTROLS,
  parseControlCatalogue,
  sectionOf,
} from '../../../lib/compliance/catalogue';

/** The catalogue lives beside the repository (../shared/CONTROLS.md); clones without it skip the comparison. */
const CATALOGUE = path.join(__dirname, '..', '..', '..', '..', 'shared', 'CONTROLS.md');
const catalogueTest = fs.existsSync(CATALOGUE) ? test : test.skip;

describe('the machine-readable control catalogue', () => {
  catalogueTest('has exactly the IDs and requirement texts of ../shared/CONTROLS.md, in order', () => {
    const source = parseControlCatalogue(fs.readFileSync(CATALOGUE, 'utf8'));
    expect(source.length).toBeGreaterThan(0);
    expect(CONTROLS).toEqual(source);
  });

  test('IDs are unique and every one belongs to a known section', () => {
    const ids = CONTROLS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(Object.keys(CONTROL_SECTIONS)).toContain(sectionOf(id));
    expect(() => sectionOf('XYZ-1')).toThrow(/control XYZ-1 has no known section prefix/);
  });

  test('the parser reads only control lines', () => {
    const parsed = parseControlCatalogue(
      '# Title\n\n## NET: network\n- NET-1 Isolated.\n- not a control\n- NET-2  Endpoints. \n',
    );
    expect(parsed).toEqual([
      { id: 'NET-1', title: 'Isolated.' },
      { id: 'NET-2', title: 'Endpoints.' },
    ]);
  });
});
