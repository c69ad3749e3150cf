import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONTROL_IDS } from '../../lib/compliance/catalogue';

const README = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The control IDs the "What you get" table names, with ranges such as `MON-1..6` expanded. */
function overviewControlIds(readme: string): Set<string> {
  const section = readme.split('## What you get')[1]?.split('\n## ')[0] ?? '';
  const ids = new Set<string>();
  for (const row of section.split('\n').filter((line) => line.startsWith('|'))) {
    const controls = row.split('|')[2] ?? '';
    for (const [, prefix, from, to] of controls.matchAll(/\b([A-Z]+)-(\d+)(?:\.\.(\d+))?/g)) {
      for (let n = Number(from); n <= Number(to ?? from); n++) ids.add(`${prefix}-${n}`);
    }
  }
  return ids;
}

describe("README's overview table", () => {
  test('names every control of the catalogue in some area, and no control the catalogue lacks', () => {
    const named = overviewControlIds(README);
    expect(CONTROL_IDS.filter((id) => !named.has(id))).toEqual([]);
    expect([...named].filter((id) => !(CONTROL_IDS as readonly string[]).includes(id))).toEqual([]);
  });
});
