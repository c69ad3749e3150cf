import {
  MAX_CHECK_RECORDS,
  type AnswerCheckEvent,
  type AnswerCheckReply,
  type RefusedRecord,
} from '../../src/registry/function-check-event';
import { NOTHING_SERVED } from '../../src/registry/served-model';
import { columnOrder, ModelOutputError, type LogSink, type ScoringBackend } from './core';
import { withinBudget, type Budget } from './deadline';
import { errorName } from './errors';
import type { RequestContract } from './request';

export interface AnswerCheckDeps {
  /** The version of the model this function serves (`none` while nothing is). */
  readonly modelVersion: string;
  /** The same encoder API requests are validated and encoded with. */
  readonly contract: Pick<RequestContract, 'encoder'>;
  /** The same backend API requests are scored with (the digest-verified model in embedded mode). */
  readonly backend: () => Promise<ScoringBackend>;
  readonly budget: Budget;
  readonly log: LogSink;
}

/**
 * Answers the served-answer check (MODEL-6): each golden record goes through the encoder and the scoring
 * backend API requests go through, and the probabilities come back unrounded, so the check compares what
 * the API would have scored with what the exact scorer recorded at publish. It is not traffic: no
 * pseudonymisation (the records carry no customer id), no capture record (the drift check's stream stays
 * customers only), no request, caller or probability metric; one log line says the check was answered.
 */
export async function answerGoldenRecords(
  event: AnswerCheckEvent,
  deps: AnswerCheckDeps,
): Promise<AnswerCheckReply> {
  const { modelVersion, log } = deps;
  const records = event.servedAnswerCheck.records;
  if (modelVersion === NOTHING_SERVED) {
    return { ok: false, modelVersion, error: 'no model is deployed: there is nothing to check' };
  }
  if (records.length === 0 || records.length > MAX_CHECK_RECORDS) {
    return { ok: false, modelVersion, error: `send 1..${MAX_CHECK_RECORDS} records, not ${records.length}` };
  }
  const encoder = deps.contract.encoder;
  const refused: RefusedRecord[] = [];
  const vectors: Float64Array[] = [];
  records.forEach((record, i) => {
    const encoded = encoder.encode(record);
    if (encoded.ok) vectors.push(encoded.vector);
    else refused.push(...encoded.errors.map((e) => ({ row: i + 1, field: e.field, message: e.message })));
  });
  if (refused.length > 0) {
    log.warn('served-answer check: records refused', { records: records.length, refused: refused.length });
    return { ok: false, modelVersion, refused };
  }
  try {
    const backend = await withinBudget(deps.budget, deps.backend(), 'model');
    const reorder = columnOrder(encoder, backend.encoder);
    const scores = await withinBudget(
      deps.budget,
      backend.score(vectors.map(reorder), deps.budget),
      'scoring',
    );
    if (scores.length !== records.length) {
      throw new ModelOutputError(`expected ${records.length} scores, got ${scores.length}`);
    }
    log.info('served-answer check answered', {
      records: records.length,
      backend: backend.kind,
      modelVersion,
    });
    return { ok: true, modelVersion, probabilities: Array.from(scores) };
  } catch (error) {
    log.error('served-answer check could not be answered', { errorName: errorName(error) });
    return { ok: false, modelVersion, error: `scoring failed (${errorName(error)})` };
  }
}
