import { notBuiltYet } from '../control';

/** Built by issue 11 (first-deploy sequence and read-only preflight). */
export const ENV_4 = notBuiltYet('ENV-4', 11);
