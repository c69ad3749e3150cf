/**
 * What the InferenceFunction construct and the inference handler agree on. No runtime imports: the
 * construct (infrastructure code) reads it without loading the handler or its AWS SDK clients.
 */

/** The configured `serving.featureSpecFile`, bundled beside the handler under this name. */
export const BUNDLED_FEATURE_SPEC_FILE = 'feature-spec.json';
