import { defineControl, Findings } from '../control';
import { MODEL_GATE_TYPE } from '../model/model-2-registry-approval';
import { apiBackends, fnLabel, NO_API } from '../template-readers';

export const DATA_5 = defineControl({
  id: 'DATA-5',
  implementedBy: [
    { name: 'InferenceFunction', file: 'lib/constructs/inference-function.ts' },
    { name: 'handleInference', file: 'lambda/inference/core.ts' },
  ],
  provenBy: [
    {
      file: 'test/lambda/inference/core.test.ts',
      name: 'embedded scoring (DATA-1, DATA-5) a valid customer gets the model probability, a risk level, the model version, a pseudonym and top contributions',
    },
    {
      file: 'test/src/cli/score.test.ts',
      name: 'score command (DATA-5) writes JSON Lines with per-field contributions that add up to the margin',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const backends = apiBackends(model);
    if (backends.length === 0) f.bad(`${NO_API}; no function answers inference requests`);
    for (const fn of backends) {
      // The function computes TreeSHAP contributions itself (on the SageMaker path too), so it must hold
      // the served model: the gate-resolved artifact.
      const vars =
        (fn.props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      const holdsModel = Object.values(vars).some((v) => {
        const att = model.attributeOf(v, fn.stack);
        return att?.target.type === MODEL_GATE_TYPE && att.attribute === 'ModelDataUrl';
      });
      f.check(
        holdsModel,
        `inference answers come from ${fnLabel(model, fn)}, which holds the served model and returns per-feature TreeSHAP contributions (scorer tests prove the values)`,
        `${fnLabel(model, fn)} answers inference requests without the served model, so it cannot explain its answers`,
        fn,
      );
    }
    return f.conclude('enforced', 'every decision comes with per-feature contributions');
  },
});
