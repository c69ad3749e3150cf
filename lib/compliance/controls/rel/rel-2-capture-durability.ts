import { notBuiltYet } from '../control';

/** Built by issue 13 (capture records never lost silently). */
export const REL_2 = notBuiltYet('REL-2', 13);
