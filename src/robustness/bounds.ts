import type { RawRecord } from '../features';
import type { AssessmentContext } from './context';

export interface BoundsResult {
  /** Rows the probes were built from (the first ones of the assessed set). */
  readonly rows: number;
  /** Inputs scored, through the encoder (what the API accepts) and straight into the model (what an endpoint sees). */
  readonly probes: number;
  /** Scores that are NaN, infinite or outside [0, 1]. Must be 0. */
  readonly invalidOutputs: number;
  /** Inputs outside the specification (beyond a bound, an unknown category, a missing required field) that the encoder accepted. Must be 0. */
  readonly validationGaps: number;
  /** Values at the specification's own bounds that the encoder refused. */
  readonly boundsRefused: number;
  /** The first problems found, for the report. */
  readonly problems: readonly string[];
}

const MAX_PROBLEMS = 20;

/**
 * Probes each field at and beyond the specification's bounds and as a missing value. Through the encoder
 * (the API's path): the bounds are accepted and score validly; values beyond them, unknown categories and
 * missing required fields are refused. Straight into the model (an endpoint reading CSV rows applies no
 * specification): values beyond the bounds, ±Infinity, missing values (NaN), all-zero one-hot groups and
 * whole rows of missing values still give a finite probability in [0, 1].
 */
export function boundsBehaviour(context: AssessmentContext, maxRows: number): BoundsResult {
  const { model, encoder, vectors, records } = context;
  const rows = Math.min(maxRows, vectors.length);
  let probes = 0;
  let invalidOutputs = 0;
  let validationGaps = 0;
  let boundsRefused = 0;
  const problems: string[] = [];
  const note = (message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(message);
  };
  const check = (p: number, what: string) => {
    probes++;
    if (!(Number.isFinite(p) && p >= 0 && p <= 1)) {
      invalidOutputs++;
      note(`${what} scored ${p}`);
    }
  };
  const viaEncoder = (row: number, record: RawRecord, what: string, shouldAccept: boolean) => {
    const encoded = encoder.encode(record);
    if (encoded.ok) {
      check(model.predict(encoded.vector), `row ${row + 1} with ${what} (through the specification)`);
      if (!shouldAccept) {
        validationGaps++;
        note(`row ${row + 1}: the specification accepted ${what}`);
      }
    } else if (shouldAccept) {
      boundsRefused++;
      note(`row ${row + 1}: the specification refused ${what}: ${encoded.errors[0].message}`);
    }
  };
  const direct = (row: number, vector: Float64Array, what: string) =>
    check(model.predict(vector), `row ${row + 1} with ${what} (straight into the model)`);

  for (let i = 0; i < rows; i++) {
    const record = records[i];
    const vector = Float64Array.from(vectors[i]);
    for (const { spec, columns } of context.fields) {
      const saved = Array.from(columns, (c) => vector[c]);
      const restore = () => columns.forEach((c, k) => (vector[c] = saved[k]));
      const name = spec.name;
      viaEncoder(i, { ...record, [name]: null }, `${name} missing`, !spec.required);
      columns.forEach((c) => (vector[c] = NaN));
      direct(i, vector, `${name} missing (NaN)`);
      restore();
      if (spec.type === 'categorical') {
        viaEncoder(i, { ...record, [name]: '(not a category)' }, `an unknown ${name}`, false);
        columns.forEach((c) => (vector[c] = 0));
        direct(i, vector, `every ${name} column 0`);
        restore();
        continue;
      }
      const span = Math.max(1, (spec.maximum ?? 0) - (spec.minimum ?? 0));
      const outside: number[] = [Infinity, -Infinity];
      if (spec.minimum !== undefined) {
        viaEncoder(i, { ...record, [name]: spec.minimum }, `${name} at its minimum ${spec.minimum}`, true);
        viaEncoder(i, { ...record, [name]: spec.minimum - span }, `${name} below its minimum`, false);
        outside.push(spec.minimum - span, -1e30);
      }
      if (spec.maximum !== undefined) {
        viaEncoder(i, { ...record, [name]: spec.maximum }, `${name} at its maximum ${spec.maximum}`, true);
        viaEncoder(i, { ...record, [name]: spec.maximum + span }, `${name} above its maximum`, false);
        outside.push(spec.maximum + span, 1e30);
      }
      for (const value of outside) {
        vector[columns[0]] = value;
        direct(i, vector, `${name} = ${value}`);
      }
      restore();
    }
  }
  if (rows > 0) {
    const width = vectors[0].length;
    direct(-1, new Float64Array(width).fill(NaN), 'every column missing');
    direct(-1, new Float64Array(width), 'every column 0');
  }
  return { rows, probes, invalidOutputs, validationGaps, boundsRefused, problems };
}
