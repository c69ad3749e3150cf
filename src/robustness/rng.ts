/**
 * A seeded xorshift32 generator: the assessment must give the same figures for the same inputs, so a
 * recorded assessment can be reproduced by anyone holding the artifact, specification and rows.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}
