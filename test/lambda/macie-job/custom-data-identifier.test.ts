import {
  DEFAULT_CUSTOMER_ID_KEYWORDS,
  InvalidIdentifierError,
  buildCustomerIdIdentifier,
} from '../../../lambda/macie-job/custom-data-identifier';

const CUSTOMER_ID = 'CUST-[0-9]{8}';

test('a selective pattern becomes an identifier with the default keywords and match distance', () => {
  const identifier = buildCustomerIdIdentifier({ regex: ` ${CUSTOMER_ID} `, examples: ['CUST-00012345'] });

  expect(identifier).toEqual({
    name: 'customer-id',
    description: expect.stringContaining('DATA-2'),
    regex: CUSTOMER_ID,
    keywords: [...DEFAULT_CUSTOMER_ID_KEYWORDS],
    maximumMatchDistance: 50,
  });
});

test('explicit keywords, ignore words and distance are kept (trimmed, de-duplicated); [] drops keywords', () => {
  const identifier = buildCustomerIdIdentifier({
    regex: CUSTOMER_ID,
    name: 'churn-customer-id',
    keywords: ['customer_ref ', 'customer_ref'],
    ignoreWords: ['CUST-00000000'],
    maximumMatchDistance: 300,
  });
  expect(identifier.keywords).toEqual(['customer_ref']);
  expect(identifier.ignoreWords).toEqual(['CUST-00000000']);
  expect(identifier.maximumMatchDistance).toBe(300);

  const anywhere = buildCustomerIdIdentifier({ regex: CUSTOMER_ID, keywords: [] });
  expect(anywhere).not.toHaveProperty('keywords');
  expect(anywhere).not.toHaveProperty('ignoreWords');
});

test.each<[string, Parameters<typeof buildCustomerIdIdentifier>[0], RegExp]>([
  ['an empty pattern', { regex: '  ' }, /regex is required/],
  ['a pattern that does not compile', { regex: 'CUST-[0-9{8}' }, /does not compile/],
  ['a pattern that matches the empty string', { regex: '[0-9]*' }, /matches the empty string/],
  ['a pattern that matches everything', { regex: '.' }, /matches the single character ' '/],
  ['a pattern that matches any word character', { regex: '\\w+' }, /matches the single character '0'/],
  ['a pattern longer than 512 characters', { regex: `A${'[0-9]'.repeat(103)}` }, /at most 512 characters/],
  [
    'an example the pattern does not match in full',
    { regex: CUSTOMER_ID, examples: ['CUST-1234'] },
    /examples\[0\] 'CUST-1234'/,
  ],
  [
    'a non-example the pattern finds',
    { regex: CUSTOMER_ID, nonExamples: ['order CUST-12345678'] },
    /finds 'CUST-12345678' in nonExamples\[0\]/,
  ],
  [
    'a keyword shorter than 3 characters',
    { regex: CUSTOMER_ID, keywords: ['id'] },
    /keywords\[0\] 'id' must be 3-90/,
  ],
  [
    'more than 50 keywords',
    { regex: CUSTOMER_ID, keywords: Array.from({ length: 51 }, (_, i) => `kw${i}x`) },
    /at most 50/,
  ],
  [
    'more than 10 ignore words',
    { regex: CUSTOMER_ID, ignoreWords: Array.from({ length: 11 }, (_, i) => `word${i}`) },
    /at most 10/,
  ],
  ['a match distance of 0', { regex: CUSTOMER_ID, maximumMatchDistance: 0 }, /from 1 to 300, got 0/],
  [
    'a fractional match distance',
    { regex: CUSTOMER_ID, maximumMatchDistance: 2.5 },
    /from 1 to 300, got 2.5/,
  ],
  ['a name over 128 characters', { regex: CUSTOMER_ID, name: 'n'.repeat(129) }, /name must be 1-128/],
])('rejects %s with a message naming the field', (_label, options, message) => {
  expect(() => buildCustomerIdIdentifier(options)).toThrow(InvalidIdentifierError);
  expect(() => buildCustomerIdIdentifier(options)).toThrow(message);
});
