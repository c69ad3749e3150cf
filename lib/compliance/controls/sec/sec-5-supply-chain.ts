import { notBuiltYet } from '../control';

/** Built by issue 16 (private package repository, CycloneDX bills of materials). */
export const SEC_5 = notBuiltYet('SEC-5', 16);
