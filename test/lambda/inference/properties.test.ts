import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { handleInference } from '../../../lambda/inference/core';
import { deps, macFor, SPEC, validRecord } from './fixtures';

const kmsMock = mockClient(KMSClient);
const kms = new KMSClient({});
kmsMock
  .on(GenerateMacCommand)
  .callsFake((input: { Message: Uint8Array }) => ({ Mac: macFor(input.Message) }));

const FIELD_NAMES = ['customerId', ...SPEC.fields.map((f) => f.name)];

interface Answer {
  statusCode: number;
  body: string;
}

function assertWellFormed(answer: Answer): void {
  expect(answer.statusCode).toBeLessThan(500);
  const body = JSON.parse(answer.body);
  if (answer.statusCode !== 200) {
    expect(body.error.errors.length).toBeGreaterThan(0);
    for (const e of body.error.errors) {
      expect(typeof e.field).toBe('string');
      expect(e.field.length).toBeGreaterThan(0);
      expect(typeof e.message).toBe('string');
    }
  }
}

/** Any JSON value, including deep nesting, odd numbers and huge strings. */
const anyJson = fc.jsonValue({ maxDepth: 4 });

describe('no request body, however malformed, makes the handler throw or answer 5xx', () => {
  test('arbitrary strings as the body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.string({ unit: 'binary', maxLength: 400 })),
        fc.boolean(),
        async (body, b64) => {
          assertWellFormed(await handleInference({ body, isBase64Encoded: b64 }, deps(kms)));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('arbitrary JSON documents as the body', async () => {
    await fc.assert(
      fc.asyncProperty(anyJson, async (value) => {
        assertWellFormed(await handleInference({ body: JSON.stringify(value) ?? 'null' }, deps(kms)));
      }),
      { numRuns: 300 },
    );
  });

  test('arbitrary content types', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), async (contentType) => {
        assertWellFormed(
          await handleInference({ body: JSON.stringify(validRecord()), contentType }, deps(kms)),
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe('every rejection names the offending field', () => {
  test('one field of a valid record replaced by any JSON value: either accepted, or rejected naming that field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FIELD_NAMES), anyJson, async (field, value) => {
        const answer = await handleInference(
          { body: JSON.stringify({ ...validRecord(), [field]: value }) },
          deps(kms),
        );
        assertWellFormed(answer);
        if (answer.statusCode !== 200) {
          expect(answer.statusCode).toBe(400);
          const fields = JSON.parse(answer.body).error.errors.map((e: { field: string }) => e.field);
          expect(fields).toEqual([field]);
        }
      }),
      { numRuns: 400 },
    );
  });

  test('a field removed: rejected naming it when required, accepted when optional', async () => {
    for (const field of FIELD_NAMES) {
      const { [field]: _gone, ...rest } = validRecord();
      const answer = await handleInference({ body: JSON.stringify(rest) }, deps(kms));
      const required = field === 'customerId' || SPEC.fields.find((f) => f.name === field)?.required;
      if (required) {
        expect(answer.statusCode).toBe(400);
        expect(JSON.parse(answer.body).error.errors).toEqual([{ field, message: 'is required' }]);
      } else {
        expect(answer.statusCode).toBe(200);
      }
    }
  });

  test('extra keys of any name are rejected by name, at their batch index', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !FIELD_NAMES.includes(k)),
        fc.integer({ min: 0, max: 2 }),
        async (key, index) => {
          const records = [validRecord('1111-AAAAA'), validRecord('2222-BBBBB'), validRecord('3333-CCCCC')];
          records[index] = { ...records[index], [key]: 1 };
          const answer = await handleInference({ body: JSON.stringify(records) }, deps(kms));
          expect(answer.statusCode).toBe(400);
          expect(JSON.parse(answer.body).error.errors.map((e: { field: string }) => e.field)).toEqual([
            `[${index}].${key}`,
          ]);
        },
      ),
      { numRuns: 100 },
    );
  });
});
