import {
  FeatureEncoder,
  modelEncoderOptions,
  type FeatureSpec,
  type FieldError,
  type RawRecord,
} from '../features';
import type { TreeEnsembleModel } from './model';

/** One scored record: what an API answers. Contributions are in margin space, per source field. */
export interface ScoredRecord {
  readonly prediction: number;
  readonly margin: number;
  /** Per source field (one-hot columns summed), in specification order; present when explained. */
  readonly contributions?: Readonly<Record<string, number>>;
  /** Expected margin; bias + sum of contributions = margin. Present when explained. */
  readonly bias?: number;
}

export type ScoreRecordResult =
  | { readonly ok: true; readonly result: ScoredRecord }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

/**
 * A model paired with its feature specification: validates and encodes a raw record, scores it and
 * optionally explains it per source field. Construction fails (SpecModelMismatchError) when the
 * specification does not produce exactly the model's columns, so a mismatched pair never serves.
 */
export class RecordScorer {
  readonly encoder: FeatureEncoder;

  constructor(
    readonly model: TreeEnsembleModel,
    spec: FeatureSpec,
    options: { readonly unknownFields?: 'reject' | 'ignore' } = {},
  ) {
    this.encoder = new FeatureEncoder(spec, modelEncoderOptions(model, options.unknownFields ?? 'reject'));
  }

  score(record: RawRecord, options: { readonly explain?: boolean } = {}): ScoreRecordResult {
    const encoded = this.encoder.encode(record);
    if (!encoded.ok) return encoded;
    const margin = this.model.predictMargin(encoded.vector);
    const prediction = this.model.transformMargin(margin);
    if (!options.explain) return { ok: true, result: { prediction, margin } };
    const { values, bias } = this.model.contributions(encoded.vector);
    return {
      ok: true,
      result: { prediction, margin, contributions: this.encoder.sumBySourceField(values), bias },
    };
  }
}
