import { MON_2 } from '../../../../../lib/compliance/controls/mon/mon-2-prediction-drift';
import { alarm } from '../fixtures';
import { changed, context, describeControl, environment, Resources } from '../harness';

const resources: Resources = { Prediction: alarm('PredictionDrift'), Quality: alarm('DataQualityBreaches') };
const ctx = (r: Resources) => () => context(environment({ stacks: { Monitoring: r } }));

describeControl(MON_2, {
  compliant: [
    {
      name: 'alarms on prediction drift and on data-quality breaches',
      context: ctx(resources),
      evidence: ['alarm on PredictionDrift: prediction drift'],
    },
  ],
  nonCompliant: [
    {
      name: 'no data-quality alarm',
      context: ctx(changed(resources, (r) => delete r.Quality)),
      problem:
        'no alarm on DataQualityBreaches (data quality (null, type-error, out-of-bounds and NaN/Inf rates))',
    },
    {
      name: 'no prediction-drift alarm',
      context: ctx(changed(resources, (r) => delete r.Prediction)),
      problem: 'no alarm on PredictionDrift (prediction drift)',
    },
  ],
});
