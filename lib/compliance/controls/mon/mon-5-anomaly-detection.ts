import { notBuiltYet } from '../control';

/** Built by issue 16 (anomaly-band alarms per client, error rate, latency and mean probability). */
export const MON_5 = notBuiltYet('MON-5', 16);
