import { defineControl, Findings } from '../control';
import { alarmsOnMetrics, fnLabel, functionDescription, scheduledFunctions } from '../template-readers';

/** The metric the drift check publishes: how many features drifted in the window. */
export const FEATURE_DRIFT_METRIC = 'DriftedFeatures';

export const MON_1 = defineControl({
  id: 'MON-1',
  implementedBy: [
    { name: 'DriftMonitor', file: 'lib/constructs/drift-monitor.ts' },
    { name: 'runDriftCheck', file: 'src/drift/run.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/monitoring/constructs.test.ts',
      name: 'DriftMonitor (MON-1, MON-2) runs on the configured schedule',
    },
    {
      file: 'test/lib/monitoring/constructs.test.ts',
      name: 'DriftMonitor (MON-1, MON-2) exposes per-feature metrics for dashboards',
    },
    {
      file: 'test/lambda/drift-check/core.test.ts',
      name: 'MON-1, MON-2: a shifted window is reported as drift, with metrics, a KMS-encrypted report and a one-line summary',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const drift = scheduledFunctions(model).filter(({ fn }) =>
      /drift/i.test(`${fn.path} ${functionDescription(model, fn)}`),
    );
    if (drift.length === 0)
      f.bad('no scheduled drift check function in the templates (the monitoring stack is not synthesized)');
    for (const { rule, fn } of drift)
      f.ok(`${model.describe(rule.props.ScheduleExpression, rule.stack)} runs ${fnLabel(model, fn)}`, fn);
    const alarms = alarmsOnMetrics(model, (m) => m === FEATURE_DRIFT_METRIC);
    if (drift.length && alarms.length === 0)
      f.bad(`no alarm on ${FEATURE_DRIFT_METRIC}: feature drift would go unnoticed`);
    for (const a of alarms) f.ok(`drift alarm ${a.path} on ${FEATURE_DRIFT_METRIC}`, a);
    return f.conclude(
      'enforced',
      'scheduled drift checks publish per-feature metrics, with an alarm on feature drift',
    );
  },
});
