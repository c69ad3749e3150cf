import { notBuiltYet } from '../control';

/** Built by issue 14 (golden predictions, writer version, serving image check). */
export const MODEL_6 = notBuiltYet('MODEL-6', 14);
