import { defineControl, Findings } from '../control';
import { alarmsOnMetrics } from '../template-readers';

/** Metrics of the drift check: the score distribution shift, and data-quality breaches (nulls, types, bounds, NaN). */
export const PREDICTION_QUALITY_METRICS = {
  PredictionDrift: 'prediction drift',
  DataQualityBreaches: 'data quality (null, type-error, out-of-bounds and NaN/Inf rates)',
} as const;

export const MON_2 = defineControl({
  id: 'MON-2',
  implementedBy: [
    { name: 'DriftMonitor', file: 'lib/constructs/drift-monitor.ts' },
    { name: 'runDriftCheck', file: 'src/drift/run.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/monitoring/constructs.test.ts',
      name: 'DriftMonitor (MON-1, MON-2) alarms on feature drift, prediction drift, data quality, a check that stopped running and errors, all to the topic',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    for (const [metric, what] of Object.entries(PREDICTION_QUALITY_METRICS)) {
      const alarms = alarmsOnMetrics(ctx.model, (m) => m === metric);
      if (alarms.length === 0) f.bad(`no alarm on ${metric} (${what})`);
      for (const a of alarms) f.ok(`alarm on ${metric}: ${what}`, a);
    }
    return f.conclude('enforced', 'prediction drift and data quality alarms exist');
  },
});
