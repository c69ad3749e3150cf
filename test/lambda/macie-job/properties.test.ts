import fc from 'fast-check';
import {
  clientToken,
  definitionHash,
  parseJobProperties,
  parseScheduleFrequency,
} from '../../../lambda/macie-job/properties';
import { jobProperties } from './events';

const prefix = fc.stringMatching(/^[a-z0-9][a-z0-9/_-]{0,20}$/);

test('the definition hash ignores the order and repetition of prefixes and ids', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(prefix, { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 0, max: 5 }),
      (prefixes, seed) => {
        // Rotate by `seed`, reverse, and repeat a few entries: the same set of prefixes in another shape.
        const rotated = [
          ...prefixes.slice(seed % prefixes.length),
          ...prefixes.slice(0, seed % prefixes.length),
        ];
        const shuffled = [...rotated.reverse(), ...prefixes.slice(0, seed % 3)];
        const a = parseJobProperties(jobProperties({ Prefixes: prefixes })).definition;
        const b = parseJobProperties(jobProperties({ Prefixes: shuffled })).definition;
        expect(definitionHash(b)).toBe(definitionHash(a));
      },
    ),
    { numRuns: 100 },
  );
});

test('adding or removing a prefix always changes the definition hash', () => {
  fc.assert(
    fc.property(fc.uniqueArray(prefix, { minLength: 2, maxLength: 6 }), (prefixes) => {
      const all = parseJobProperties(jobProperties({ Prefixes: prefixes })).definition;
      const fewer = parseJobProperties(jobProperties({ Prefixes: prefixes.slice(1) })).definition;
      expect(definitionHash(fewer)).not.toBe(definitionHash(all));
    }),
    { numRuns: 100 },
  );
});

test('the client token is a deterministic 64-hex digest that changes with every input', () => {
  const parts = { stackId: 's', logicalResourceId: 'l', definitionHash: 'h' };
  expect(clientToken(parts)).toMatch(/^[0-9a-f]{64}$/);
  expect(clientToken(parts)).toBe(clientToken({ ...parts }));
  const variants = [
    clientToken(parts),
    clientToken({ ...parts, stackId: 's2' }),
    clientToken({ ...parts, logicalResourceId: 'l2' }),
    clientToken({ ...parts, definitionHash: 'h2' }),
    clientToken({ ...parts, previousJobId: 'j' }),
  ];
  expect(new Set(variants).size).toBe(variants.length);
});

test('every day of the month 1-31 parses, and nothing outside it does', () => {
  for (let day = 1; day <= 31; day++) {
    expect(parseScheduleFrequency(`MONTHLY:${day}`)).toEqual({ kind: 'MONTHLY', dayOfMonth: day });
  }
  for (const bad of [
    'MONTHLY:0',
    'MONTHLY:32',
    'MONTHLY:1.5',
    'MONTHLY:',
    'MONTHLY',
    'DAILY:1',
    'WEEKLY',
    'WEEKLY:MON:X',
  ]) {
    expect(() => parseScheduleFrequency(bad)).toThrow(/ScheduleFrequency/);
  }
});
