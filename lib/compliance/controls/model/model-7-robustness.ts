import { defineControl, Findings } from '../control';
import { MODEL_GATE_TYPE } from './model-2-registry-approval';

/** The gate properties that carry an environment's robustness requirements (lambda/model-gate/core.ts). */
const REQUIRED_PROPERTIES = [
  'DecisionThreshold',
  'MaxDecisionFlipRate',
  'MaxMonotonicityViolations',
] as const;

export const MODEL_7 = defineControl({
  id: 'MODEL-7',
  implementedBy: [
    { name: 'ModelGate', file: 'lib/constructs/model-gate.ts' },
    { name: 'assessRobustness', file: 'src/robustness/assess.ts' },
    { name: 'checkRobustness', file: 'lambda/model-gate/core.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/serving/inference-endpoint.test.ts',
      name: 'ModelGate props validation MODEL-7: every gate resource carries the environment robustness requirements and decision threshold',
    },
    {
      file: 'test/lambda/model-gate/core.test.ts',
      name: 'model gate: robustness assessment (MODEL-7) MODEL-7: refuses promotion of a version without an assessment where enforcement is refuse',
    },
    {
      file: 'test/src/robustness/assess.test.ts',
      name: 'MODEL-7 robustness assessment: perturbation stability finds the known unstable feature: the share of decisions that flip equals an independent count',
    },
    {
      file: 'test/src/robustness/assess.test.ts',
      name: 'MODEL-7 robustness assessment: declared monotonicity counts the known violation (risk falls at charges 60) once per row on the grid, with its size',
    },
    {
      file: 'test/lib/config/schema.test.ts',
      name: 'configuration schema (ENV-1, ENV-2) MODEL-7: robustness thresholds default per environment; test and prod must refuse, dev may warn',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const gates = model.ofType(MODEL_GATE_TYPE);
    if (gates.length === 0) f.bad('no deploy-time model gate, so nothing checks a robustness assessment');
    for (const g of gates) {
      const missing = REQUIRED_PROPERTIES.filter((p) => g.props[p] === undefined);
      if (missing.length > 0) {
        f.bad(`gate ${g.path} has no robustness requirements (${missing.join(', ')} missing)`, g);
        continue;
      }
      const enforcement = model.describe(g.props.RobustnessEnforcement, g.stack);
      const approval = String(g.props.RequireApproval ?? 'true') === 'true';
      const text =
        `gate ${g.path}: robustness ${enforcement === 'refuse' ? 'refused' : 'warned about'} when missing or failing ` +
        `(flip rate <= ${model.describe(g.props.MaxDecisionFlipRate, g.stack)} at threshold ` +
        `${model.describe(g.props.DecisionThreshold, g.stack)}, monotonicity violations <= ` +
        `${model.describe(g.props.MaxMonotonicityViolations, g.stack)}` +
        (g.props.MinExtractionQueries !== undefined
          ? `, extraction queries >= ${model.describe(g.props.MinExtractionQueries, g.stack)}`
          : '') +
        ')';
      if (enforcement !== 'refuse' && enforcement !== 'warn')
        f.bad(`${text}: enforcement '${enforcement}'`, g);
      // Where only approved versions deploy (test, prod), promotion must also need a passing assessment.
      else if (approval && enforcement !== 'refuse')
        f.bad(`${text} — promotion here must refuse a version without a passing assessment`, g);
      else f.ok(text, g);
    }
    return f.conclude(
      'enforced',
      "promotion needs a recorded robustness assessment that meets the environment's thresholds",
    );
  },
});
