import type { GenerateMacCommand } from '@aws-sdk/client-kms';
import { CaptureShipper, type CaptureSink } from '../../../lambda/inference/capture-shipper';
import { handleInference } from '../../../lambda/inference/core';
import {
  budgetOf,
  callWithin,
  DeadlineExceededError,
  KMS_CALL_POLICY,
  type CallPolicy,
} from '../../../lambda/inference/deadline';
import { contractFor, deps, jsonRequest, macFor, pseudonymiserOf, recorders, validRecord } from './fixtures';

const POLICY: CallPolicy = {
  attemptTimeoutMs: 100,
  maxAttempts: 3,
  minAttemptMs: 20,
  baseDelayMs: 10,
  maxDelayMs: 20,
};

function sdkError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

/** A KMS stand-in that answers after `ms` and counts calls (and the most in flight at once). */
function slowKms(ms: number) {
  const stats = { calls: 0, inFlight: 0, maxInFlight: 0 };
  const kms = {
    send: async (command: GenerateMacCommand) => {
      stats.calls++;
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      await new Promise((r) => setTimeout(r, ms));
      stats.inFlight--;
      return { Mac: macFor(command.input.Message as Uint8Array) };
    },
  };
  return { kms, stats };
}

describe('REL-1: every call runs inside the request budget', () => {
  test('a hung attempt is abandoned at its timeout and retried; the budget ends the call', async () => {
    let attempts = 0;
    const started = performance.now();
    await expect(
      callWithin(
        budgetOf(350),
        POLICY,
        () => {
          attempts++;
          return new Promise<never>(() => undefined);
        },
        'test',
      ),
    ).rejects.toThrow(/deadline|no answer/);
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  test('throttling and 5xx are retried, access denied is not', async () => {
    let n = 0;
    const flaky = () =>
      ++n < 3 ? Promise.reject(sdkError('ThrottlingException', 400)) : Promise.resolve('ok');
    await expect(callWithin(budgetOf(2_000), POLICY, flaky, 'test')).resolves.toBe('ok');
    expect(n).toBe(3);
    let denied = 0;
    await expect(
      callWithin(
        budgetOf(2_000),
        POLICY,
        () => {
          denied++;
          return Promise.reject(sdkError('AccessDeniedException', 400));
        },
        'test',
      ),
    ).rejects.toThrow('AccessDeniedException');
    expect(denied).toBe(1);
  });

  test('no attempt starts once the budget is below the shortest useful attempt', async () => {
    const attempt = jest.fn(() => Promise.resolve('late'));
    await expect(callWithin(budgetOf(5), POLICY, attempt, 'test')).rejects.toBeInstanceOf(
      DeadlineExceededError,
    );
    expect(attempt).not.toHaveBeenCalled();
  });

  test('each attempt gets an abort signal that fires at its timeout', async () => {
    let seen: AbortSignal | undefined;
    await expect(
      callWithin(
        budgetOf(1_000),
        { ...POLICY, maxAttempts: 1 },
        (signal) => {
          seen = signal;
          return new Promise<never>(() => undefined);
        },
        'test',
      ),
    ).rejects.toThrow(/no answer within 100 ms/);
    expect(seen?.aborted).toBe(true);
  });
});

describe('fewer KMS calls: an LRU pseudonym cache and de-duplication within a batch', () => {
  test('a warm function does not ask KMS again for a customer it has seen; a batch asks once per distinct id', async () => {
    const { kms, stats } = slowKms(0);
    const pseudonymiser = pseudonymiserOf(kms, { cacheSize: 100 });
    const batch = ['1111-AAAAA', '2222-BBBBB', '1111-AAAAA', '3333-CCCCC', '2222-BBBBB'];
    const first = await pseudonymiser.pseudonymise(batch, budgetOf(1_000));
    expect(stats.calls).toBe(3);
    const second = await pseudonymiser.pseudonymise(['2222-BBBBB', '1111-AAAAA'], budgetOf(1_000));
    expect(stats.calls).toBe(3);
    expect(second.get('1111-AAAAA')).toBe(first.get('1111-AAAAA'));
  });

  test('the cache is bounded (least recently used evicted) and entries expire after the TTL', async () => {
    const { kms, stats } = slowKms(0);
    const pseudonymiser = pseudonymiserOf(kms, { cacheSize: 2, cacheTtlMs: 50 });
    await pseudonymiser.pseudonymise(['1111-AAAAA', '2222-BBBBB', '3333-CCCCC'], budgetOf(1_000));
    expect(stats.calls).toBe(3);
    await pseudonymiser.pseudonymise(['1111-AAAAA'], budgetOf(1_000)); // evicted by the third
    expect(stats.calls).toBe(4);
    await new Promise((r) => setTimeout(r, 80));
    await pseudonymiser.pseudonymise(['1111-AAAAA'], budgetOf(1_000)); // expired
    expect(stats.calls).toBe(5);
  });

  test('slow KMS (400 ms a call), 50 distinct customers: 25 calls at a time, answered inside a 2 s budget that 8 at a time (7 rounds) would miss (issue 13, defect 2)', async () => {
    const { kms, stats } = slowKms(400);
    const records = Array.from({ length: 50 }, (_, i) => validRecord(`${1000 + i}-ABCDE`));
    // Warm the scorer and TreeSHAP first: their first run is compiled on the spot.
    await handleInference(jsonRequest(records.slice(0, 5)), deps(slowKms(0).kms));
    const started = performance.now();
    const answer = await handleInference(
      jsonRequest(records),
      deps(kms, {
        pseudonymiser: pseudonymiserOf(kms, { concurrency: 25 }),
        budget: budgetOf(2_000),
        contract: contractFor(50),
      }),
    );
    expect(answer.statusCode).toBe(200);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(stats.maxInFlight).toBe(25);
    expect(stats.calls).toBe(50);
  });

  test('a batch that cannot be pseudonymised in the budget answers 503 ScoringTimeout with Retry-After in time', async () => {
    const { kms } = slowKms(10_000);
    const started = performance.now();
    const answer = await handleInference(
      jsonRequest([validRecord('1111-AAAAA'), validRecord('2222-BBBBB')]),
      deps(kms, { pseudonymiser: pseudonymiserOf(kms, { policy: KMS_CALL_POLICY }), budget: budgetOf(300) }),
    );
    expect(answer.statusCode).toBe(503);
    expect(JSON.parse(answer.body).error.code).toBe('ScoringTimeout');
    expect(answer.headers['Retry-After']).toBe('2');
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('REL-2: a capture that cannot be written is parked, retried and, past the bound, counted', () => {
  function sink(behaviour: () => Promise<void>) {
    const written: string[][] = [];
    const s: CaptureSink = {
      write: async (lines) => {
        await behaviour();
        written.push([...lines]);
      },
    };
    return { s, written };
  }

  test('failed records are written with the next capture; overflow beyond the bound is counted as dropped', async () => {
    let failing = true;
    const { s, written } = sink(() => (failing ? Promise.reject(new Error('down')) : Promise.resolve()));
    const { log, metrics, recorded } = recorders();
    const shipper = new CaptureShipper(s, { waitMs: 100, maxParkedRecords: 3 }, metrics, log);
    await shipper.ship(['a\n', 'b\n'], budgetOf(1_000));
    expect(shipper.parkedRecords).toBe(2);
    await shipper.ship(['c\n', 'd\n'], budgetOf(1_000));
    // Four records, room for three: the oldest is dropped, counted and logged by count.
    expect(shipper.parkedRecords).toBe(3);
    expect(recorded.metrics).toContainEqual({ name: 'CaptureDropped', value: 1 });
    expect(JSON.stringify(recorded.logs)).toContain('capture records dropped');
    failing = false;
    await shipper.ship(['e\n'], budgetOf(1_000));
    expect(written).toEqual([['b\n', 'c\n', 'd\n', 'e\n']]);
    expect(shipper.parkedRecords).toBe(0);
    expect(recorded.metrics).toContainEqual({ name: 'CaptureRecordsRetried', value: 3 });
  });

  test('a hung write costs the answer at most the wait, and never past the deadline', async () => {
    const { s } = sink(() => new Promise<never>(() => undefined));
    const { log, metrics } = recorders();
    const shipper = new CaptureShipper(s, { waitMs: 100, maxParkedRecords: 10 }, metrics, log);
    let started = performance.now();
    await shipper.ship(['a\n'], budgetOf(5_000));
    expect(performance.now() - started).toBeLessThan(600);
    started = performance.now();
    await shipper.ship(['b\n'], budgetOf(20));
    expect(performance.now() - started).toBeLessThan(500);
    expect(shipper.parkedRecords).toBe(2);
  });
});
