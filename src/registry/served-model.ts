/**
 * The value every field of the served-model record takes while nothing is served: a new environment whose
 * registry has no Approved version yet. The model gate writes it, the endpoint stack creates no SageMaker
 * endpoint for it, and the inference function answers 503 NoModelDeployed. Kept free of any import, so
 * the gate, the function and the infrastructure code share it without loading each other's dependencies.
 */
export const NOTHING_SERVED = 'none';

/** The fields of the served-model record (SSM parameters under `servedModelParameters`). */
export type ServedModelField =
  'modelVersion' | 'modelDataUrl' | 'image' | 'artifactSha256' | 'artifactObjectArn' | 'modelPackageArn';

/** The parameter name of each field below the record's path. */
export const SERVED_MODEL_FIELDS: Readonly<Record<ServedModelField, string>> = {
  modelVersion: 'version',
  modelDataUrl: 'model-data-url',
  image: 'image',
  artifactSha256: 'artifact-sha256',
  artifactObjectArn: 'artifact-object-arn',
  modelPackageArn: 'model-package-arn',
};
