import { EnvironmentModel, ResourceHandle } from '../../model';
import { defineControl, Findings } from '../control';
import { apiBackends, list } from '../template-readers';
import { MODEL_GATE_TYPE } from './model-2-registry-approval';

/**
 * The gate attribute a value is, when it is `Fn::GetAtt` of a model gate: directly, across stacks, or
 * through the served-model record (an SSM parameter whose value the gate's answer is).
 */
function gateAttribute(
  model: EnvironmentModel,
  value: unknown,
  from: ResourceHandle,
): { gate: ResourceHandle; attribute: string } | undefined {
  const att = model.attributeOf(value, from.stack);
  return att && att.target.type === MODEL_GATE_TYPE
    ? { gate: att.target, attribute: att.attribute }
    : undefined;
}

export const MODEL_3 = defineControl({
  id: 'MODEL-3',
  implementedBy: [
    { name: 'ModelGate', file: 'lib/constructs/model-gate.ts' },
    { name: 'InferenceFunction', file: 'lib/constructs/inference-function.ts' },
    { name: 'InferenceEndpoint', file: 'lib/constructs/inference-endpoint.ts' },
  ],
  provenBy: [
    {
      file: 'test/lambda/model-gate/core.test.ts',
      name: 'model gate: integrity (MODEL-3) refuses when the artifact no longer matches the digest recorded at publish time',
    },
    {
      file: 'test/lambda/inference/model-source.test.ts',
      name: 'served model artifact (MODEL-3) a tampered artifact is refused before parsing, in both forms',
    },
    {
      file: 'test/lib/serving/serving-stack.test.ts',
      name: 'MODEL-2, MODEL-3: the deploy-time gate the model takes its artifact and image from the record the gate wrote, so it cannot change before the gate passes',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const gates = model.ofType(MODEL_GATE_TYPE);
    if (gates.length === 0) f.bad('no deploy-time model gate verifies an artifact digest');
    // Every SageMaker model: each container's artifact is what a gate verified.
    for (const m of model.ofType('AWS::SageMaker::Model')) {
      const containers = [m.props.PrimaryContainer, ...list<unknown>(m.props.Containers)].filter(
        (c): c is Record<string, unknown> => c !== undefined && c !== null,
      );
      if (containers.length === 0) f.bad('SageMaker model has no container', m);
      for (const c of containers) {
        const artifact = gateAttribute(model, c.ModelDataUrl, m);
        f.check(
          artifact?.attribute === 'ModelDataUrl',
          `SageMaker model serves the artifact ${artifact?.gate.path} verified (SHA-256 against the registry) before the model is created`,
          `SageMaker model artifact ${model.describe(c.ModelDataUrl, m.stack)} does not come through a model gate`,
          m,
        );
      }
    }
    // Every function that loads a gate-resolved artifact, and every inference backend, verifies its digest.
    const loaders = new Set<ResourceHandle>(apiBackends(model));
    for (const fn of model.ofType('AWS::Lambda::Function')) {
      const vars =
        (fn.props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      if (Object.values(vars).some((v) => gateAttribute(model, v, fn)?.attribute === 'ModelDataUrl'))
        loaders.add(fn);
    }
    for (const fn of loaders) {
      const vars =
        (fn.props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      const resolved = Object.values(vars).flatMap((v) => {
        const a = gateAttribute(model, v, fn);
        return a ? [a] : [];
      });
      const artifact = resolved.find((a) => a.attribute === 'ModelDataUrl');
      const digest = resolved.find((a) => a.attribute === 'ArtifactSha256');
      if (!artifact) f.bad('inference function serves no artifact resolved by a model gate', fn);
      else if (!digest || digest.gate !== artifact.gate)
        f.bad(
          `function loads the artifact of ${artifact.gate.path} without that gate's recorded SHA-256`,
          fn,
        );
      else
        f.ok(
          `function loads the artifact of ${artifact.gate.path} and verifies its recorded SHA-256 before loading it`,
          fn,
        );
    }
    return f.conclude(
      'enforced',
      'every SageMaker model and every served artifact comes through a gate that verified its digest',
    );
  },
});
