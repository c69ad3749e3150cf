import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { LRUCache } from 'lru-cache';
import { callWithin, type Budget, type CallPolicy } from './deadline';

/**
 * Customer id → pseudonym (HMAC-SHA-256 under the KMS key, DATA-1/DATA-4). The pseudonym of an id never
 * changes, so a warm function keeps recent ones in a bounded in-memory LRU cache (size and TTL configured;
 * never written anywhere) and asks KMS only for ids it has not seen; ids repeated within a batch are asked
 * once. Misses run `concurrency` at a time, each GenerateMac inside the request's budget.
 */

export interface PseudonymiserOptions {
  readonly keyId: string;
  /** Pseudonyms kept in memory; 0 turns the cache off. */
  readonly cacheSize: number;
  /** How long a cached pseudonym is reused. */
  readonly cacheTtlMs: number;
  /** GenerateMac calls in flight per request. */
  readonly concurrency: number;
  readonly policy: CallPolicy;
}

export class EmptyMacError extends Error {
  constructor() {
    super('KMS answered without a MAC');
    this.name = 'EmptyMac';
  }
}

export class Pseudonymiser {
  private readonly cache?: LRUCache<string, string>;
  /** GenerateMac calls made (for the bench's calls-per-request figure). */
  kmsCalls = 0;

  constructor(
    private readonly kms: Pick<KMSClient, 'send'>,
    private readonly options: PseudonymiserOptions,
  ) {
    if (options.cacheSize > 0) {
      this.cache = new LRUCache({ max: options.cacheSize, ttl: options.cacheTtlMs, ttlAutopurge: false });
    }
  }

  /** One GenerateMac, as lower-case hex; the key never leaves KMS. */
  private async mac(customerId: string, budget: Budget): Promise<string> {
    const out = await callWithin(
      budget,
      this.options.policy,
      (abortSignal) => {
        this.kmsCalls++;
        return this.kms.send(
          new GenerateMacCommand({
            KeyId: this.options.keyId,
            MacAlgorithm: 'HMAC_SHA_256',
            Message: new TextEncoder().encode(customerId),
          }),
          { abortSignal },
        );
      },
      'pseudonymisation',
    );
    if (!out.Mac || out.Mac.length === 0) throw new EmptyMacError();
    return Buffer.from(out.Mac).toString('hex');
  }

  /**
   * Pseudonyms of all `ids` (repeats asked once, cached ones not asked at all). The first failure stops
   * the remaining lookups and rejects.
   */
  async pseudonymise(ids: readonly string[], budget: Budget): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const hit = this.cache?.get(id);
      if (hit !== undefined) result.set(id, hit);
      else missing.push(id);
    }
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < missing.length) {
        const id = missing[next++];
        try {
          const pseudonym = await this.mac(id, budget);
          this.cache?.set(id, pseudonym);
          result.set(id, pseudonym);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, missing.length) }, worker));
    return result;
  }
}
