import { notBuiltYet } from '../control';

/** Built by this issue (15): framework mappings, per-framework views and the DPIA draft. */
export const AUD_5 = notBuiltYet('AUD-5', 15);
