/**
 * Feature specification: the single source of truth for raw input fields, their validation, their
 * encoding into model columns, the API request schema (draft-04) and the source-field view of
 * contributions. Reused by the scorer CLI, the inference API and the drift baseline.
 */
export {
  FEATURE_SPEC_VERSION,
  FeatureSpecError,
  fieldColumns,
  loadFeatureSpecFile,
  parseFeatureSpec,
  specColumns,
  type CategoricalFieldSpec,
  type FeatureSpec,
  type FieldSpec,
  type NativeEncoding,
  type Monotonicity,
  type NumericFieldSpec,
  type OneHotEncoding,
} from './spec';
export {
  describeValue,
  FeatureEncoder,
  modelEncoderOptions,
  type ModelColumns,
  SpecModelMismatchError,
  type EncodeResult,
  type EncoderOptions,
  type FieldError,
  type RawRecord,
} from './encode';
export {
  JSON_SCHEMA_DRAFT_04,
  requestJsonSchema,
  type JsonSchemaDraft4,
  type RequestSchemaOptions,
} from './json-schema';
