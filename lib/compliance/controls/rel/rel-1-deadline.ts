import { notBuiltYet } from '../control';

/** Built by issue 13 (deadlines and timeouts on every AWS call of the serving path). */
export const REL_1 = notBuiltYet('REL-1', 13);
