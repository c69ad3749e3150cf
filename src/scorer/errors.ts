/** The bytes are not a well-formed XGBoost JSON model (corrupted, truncated, inconsistent arrays, ...). */
export class ModelFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFormatError';
  }
}

/**
 * The model is well formed but uses something this scorer does not implement (dart, gblinear, native
 * categorical splits, multi-class, an unknown objective). Refusing is the only safe answer: scoring it
 * anyway would return plausible but wrong numbers.
 */
export class UnsupportedModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedModelError';
  }
}
