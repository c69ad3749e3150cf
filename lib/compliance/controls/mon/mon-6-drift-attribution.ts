import { driftCheckEnvironment } from '../../../../lambda/drift-check/environment';
import { defineControl, Findings } from '../control';
import { alarmsOnMetrics, fnLabel, functionDescription, scheduledFunctions } from '../template-readers';

/** The metric the drift check publishes when a drift is concentrated in few callers (src/drift/report.ts). */
export const CONCENTRATED_DRIFT_METRIC = 'ConcentratedDrift';
/** The drift function's settings of what counts as concentrated (its environment contract). */
const SHARE = driftCheckEnvironment.variables.minConcentratedShare.name;
const CALLERS = driftCheckEnvironment.variables.maxConcentratedCallers.name;
const SETTINGS = [SHARE, CALLERS] as const;

export const MON_6 = defineControl({
  id: 'MON-6',
  implementedBy: [
    { name: 'DriftMonitor', file: 'lib/constructs/drift-monitor.ts' },
    { name: 'attributeNumeric', file: 'src/drift/attribution.ts' },
    { name: 'attributeCategorical', file: 'src/drift/attribution.ts' },
    { name: 'callerLabel', file: 'lambda/inference/caller.ts' },
  ],
  provenBy: [
    {
      file: 'test/src/drift/attribution.test.ts',
      name: 'MON-6 drift attribution to callers, against scipy one caller shifting tenure: its records explain the distance, without it the drift is gone: concentrated',
    },
    {
      file: 'test/src/drift/attribution.test.ts',
      name: 'MON-6 drift attribution to callers, against scipy every caller shifting tenure (natural drift): spread evenly, not flagged as concentrated',
    },
    {
      file: 'test/lambda/drift-check/core.test.ts',
      name: 'MON-6: a drift from one caller is reported as concentrated, in the summary and as the ConcentratedDrift metric',
    },
    {
      file: 'test/lib/monitoring/constructs.test.ts',
      name: 'DriftMonitor (MON-1, MON-2) MON-6 alarms apart on a drift concentrated in few callers, with the first response, to the topic',
    },
    {
      file: 'test/lambda/inference/core.test.ts',
      name: 'MON-5, MON-6: the caller is recorded with the capture and counted; probabilities are published MON-6 embedded capture lines carry the caller label, which the drift decoder reads back',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const drift = scheduledFunctions(model).filter(({ fn }) =>
      /drift/i.test(`${fn.path} ${functionDescription(model, fn)}`),
    );
    if (drift.length === 0) f.bad('no scheduled drift check function, so no drift is attributed to callers');
    for (const { fn } of drift) {
      const variables = (fn.props.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables;
      const missing = SETTINGS.filter((name) => variables?.[name] === undefined);
      if (missing.length > 0)
        f.bad(`drift check ${fnLabel(model, fn)} is not given ${missing.join(', ')}`, fn);
      else
        f.ok(
          `drift check ${fnLabel(model, fn)} calls a drift concentrated when at most ` +
            `${model.describe(variables![CALLERS], fn.stack)} callers explain at least ` +
            `${model.describe(variables![SHARE], fn.stack)} of it`,
          fn,
        );
    }
    const alarms = alarmsOnMetrics(model, (m) => m === CONCENTRATED_DRIFT_METRIC);
    if (alarms.length === 0)
      f.bad(
        `no alarm on ${CONCENTRATED_DRIFT_METRIC}: a drift concentrated in few callers is not told apart`,
      );
    for (const a of alarms) {
      const actions = Array.isArray(a.props.AlarmActions) ? a.props.AlarmActions : [];
      f.check(
        actions.length > 0,
        `alarm ${a.path} on ${CONCENTRATED_DRIFT_METRIC}, apart from the feature drift alarm`,
        `alarm on ${CONCENTRATED_DRIFT_METRIC} notifies nobody`,
        a,
      );
    }
    return f.conclude(
      'enforced',
      'drift is attributed to callers and a drift concentrated in few of them has its own alarm',
    );
  },
});
