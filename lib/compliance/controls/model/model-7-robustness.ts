import { notBuiltYet } from '../control';

/** Built by issue 16 (recorded robustness assessment per environment). */
export const MODEL_7 = notBuiltYet('MODEL-7', 16);
