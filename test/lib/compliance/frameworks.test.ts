import { CONTROL_IDS, sectionOf } from '../../../lib/compliance/catalogue';
import {
  CONTROL_FRAMEWORKS,
  FRAMEWORKS,
  frameworkTags,
  GDPR_ARTICLES,
  ISO_27001_ANNEX_A,
  mappingProblems,
  NIST_800_53,
} from '../../../lib/compliance/frameworks';

describe('framework mappings (AUD-5)', () => {
  test('AUD-5: every control maps to at least one NIST SP 800-53 Rev. 5 and one ISO/IEC 27001:2022 Annex A control', () => {
    const unmapped = CONTROL_IDS.flatMap((id) => [
      ...(CONTROL_FRAMEWORKS[id].nist.length ? [] : [`${id}: no NIST control`]),
      ...(CONTROL_FRAMEWORKS[id].iso.length ? [] : [`${id}: no ISO control`]),
    ]);
    expect(unmapped).toEqual([]);
  });

  test('AUD-5: every privacy (DATA) control and the DPIA control map to GDPR articles, and every article the issue names is used', () => {
    const personal = CONTROL_IDS.filter((id) => sectionOf(id) === 'DATA' || id === 'AUD-5');
    expect(personal.filter((id) => CONTROL_FRAMEWORKS[id].gdpr.length === 0)).toEqual([]);
    const used = new Set(CONTROL_IDS.flatMap((id) => CONTROL_FRAMEWORKS[id].gdpr));
    expect([...used].sort()).toEqual(
      ['Art. 5', 'Art. 22', 'Art. 25', 'Art. 30', 'Art. 32', 'Art. 35'].sort(),
    );
  });

  test('AUD-5: every framework control in the tables is mapped by some project control, with a title, and none is listed twice for one control', () => {
    for (const fw of FRAMEWORKS) {
      const used = new Set(CONTROL_IDS.flatMap((id) => CONTROL_FRAMEWORKS[id][fw.key] as readonly string[]));
      expect({ framework: fw.id, unused: Object.keys(fw.controls).filter((c) => !used.has(c)) }).toEqual({
        framework: fw.id,
        unused: [],
      });
      for (const title of Object.values(fw.controls)) expect(title.length).toBeGreaterThan(3);
    }
    for (const id of CONTROL_IDS) {
      for (const fw of FRAMEWORKS) {
        const list = CONTROL_FRAMEWORKS[id][fw.key] as readonly string[];
        expect({ id, framework: fw.id, duplicates: list.length - new Set(list).size }).toEqual({
          id,
          framework: fw.id,
          duplicates: 0,
        });
      }
    }
  });

  test('AUD-5: identifiers follow each framework’s own notation', () => {
    for (const c of Object.keys(NIST_800_53)) expect(c).toMatch(/^[A-Z]{2}-\d{1,2}(\(\d{1,2}\))?$/);
    for (const c of Object.keys(ISO_27001_ANNEX_A)) expect(c).toMatch(/^A\.[5-8]\.\d{1,2}$/);
    for (const c of Object.keys(GDPR_ARTICLES)) expect(c).toMatch(/^Art\. \d{1,2}$/);
  });

  test('AUD-5: frameworkTags names every mapped id with its framework prefix (as SARIF carries them)', () => {
    expect(frameworkTags('KEY-1')).toEqual([
      'nist-800-53:SC-28',
      'nist-800-53:SC-12',
      'nist-800-53:SC-13',
      'iso-27001:A.8.24',
      'gdpr:Art. 32',
    ]);
  });

  test('AUD-5: mappingProblems finds a control without NIST or ISO ids, a privacy control without GDPR articles and a duplicate id', () => {
    expect(mappingProblems(CONTROL_FRAMEWORKS)).toEqual([]);
    expect(
      mappingProblems({
        ...CONTROL_FRAMEWORKS,
        'NET-1': { nist: [], iso: ['A.8.20'], gdpr: [] },
        'NET-2': { nist: ['SC-7'], iso: [], gdpr: [] },
        'DATA-3': { nist: ['SI-12'], iso: ['A.8.10'], gdpr: [] },
        'KEY-1': { nist: ['SC-28', 'SC-28'], iso: ['A.8.24'], gdpr: [] },
      }),
    ).toEqual([
      'NET-1 is mapped to no NIST SP 800-53 control',
      'NET-2 is mapped to no ISO/IEC 27001 Annex A control',
      'KEY-1 lists a NIST SP 800-53 Rev. 5 id twice',
      'DATA-3 concerns personal data but is mapped to no GDPR article',
    ]);
  });
});
