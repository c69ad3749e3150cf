import { notBuiltYet } from '../control';

/** Built by issue 16 (drift attributed to callers, alarmed apart from broad drift). */
export const MON_6 = notBuiltYet('MON-6', 16);
