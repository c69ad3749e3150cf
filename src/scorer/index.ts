/**
 * Embedded XGBoost scorer (controls DATA-5, MODEL-3): loads `Booster.save_model('model.json')` files,
 * reproduces XGBoost's predictions and its `pred_contribs=True` TreeSHAP explanations.
 */
export { ModelArtifactError, modelFileFromArtifact, modelFromArtifact } from './artifact';
export { ModelFormatError, UnsupportedModelError } from './errors';
export { loadModel, loadModelFile, type LoadModelOptions } from './load';
export {
  DEFAULT_FLAT_FOREST_BYTES,
  DEFAULT_TREESHAP_TABLE_BYTES,
  TreeEnsembleModel,
  type Contributions,
  type ModelOptions,
  type PredictionKind,
} from './model';
export { SUPPORTED_OBJECTIVES } from './objectives';
export { RecordScorer, type ScoredRecord, type ScoreRecordResult } from './record-scorer';
export { DigestMismatchError } from '../integrity/digest';
