import { ACCOUNT_SINGLETON_TYPES, fixedNameProperties } from '../../../nag/rules/retry-safe-fixed-names';
import { defineControl, Findings } from '../control';
import { MODEL_GATE_TYPE } from '../model/model-2-registry-approval';
import { plural, str } from '../template-readers';

/**
 * ENV-4 from the templates: nothing a rolled-back first deploy creates stays behind to block the retry
 * (a fixed name or an account singleton under `DeletionPolicy: Retain`), and the first deploy needs no
 * model (every model gate reads a registry that an earlier stack creates, so a model can be published
 * between the two, and the gate serves nothing while no version is approved). The documented sequence
 * and the read-only preflight are code and README, proven by the tests listed.
 */
export const ENV_4 = defineControl({
  id: 'ENV-4',
  implementedBy: [
    { name: 'RetrySafeFixedNames', file: 'lib/nag/rules/retry-safe-fixed-names.ts' },
    { name: 'ModelGate', file: 'lib/constructs/model-gate.ts' },
    { name: 'ModelRegistry', file: 'lib/constructs/model-registry.ts' },
    { name: 'checkFixedNames', file: 'src/preflight/checks.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/first-deploy/retry-safety.test.ts',
      name: 'ENV-4 no resource of any environment keeps a fixed name (or an account singleton) through a rollback of its creation',
    },
    {
      file: 'test/rehearsal/model-lifecycle.test.ts',
      name: 'model lifecycle rehearsal against moto_server (ENV-4, MODEL-1, MODEL-2, MODEL-3) ENV-4 an empty registry lists no versions and the gate serves nothing instead of failing the deploy',
    },
    {
      file: 'test/docs/first-deploy-readme.test.ts',
      name: 'ENV-4 the section is the documented sequence: bootstrap, preflight, deploy, assess, publish, list, approve, deploy, verify',
    },
    {
      file: 'test/src/preflight/checks.test.ts',
      name: 'preflight checks (ENV-4) leftovers under fixed names outside their stack are each reported with how to remove them',
    },
  ],
  rules: ['ChurnControls-RetrySafeFixedNames'],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    let fixed = 0;
    let blocking = 0;
    for (const h of model.resources()) {
      const name = fixedNameProperties(h.type).find((p) => h.props[p] !== undefined);
      const singleton = ACCOUNT_SINGLETON_TYPES.has(h.type);
      if (name === undefined && !singleton) continue;
      fixed += 1;
      if (h.resource.DeletionPolicy !== 'Retain') continue;
      const what = singleton
        ? `${h.type} (one per account)`
        : `${h.type} named ${model.describe(h.props[name!], h.stack)}`;
      if (model.isAcknowledged(h, 'ChurnControls-RetrySafeFixedNames'))
        f.ok(`${what} is retained on a rolled-back creation; acknowledged with how the retry clears it`, h);
      else {
        blocking += 1;
        f.bad(
          `${what} has DeletionPolicy Retain: a rolled-back first deploy leaves it behind and the retry fails with "already exists" (use RetainExceptOnCreate)`,
          h,
        );
      }
    }
    if (blocking === 0)
      f.ok(
        `${plural(fixed, 'resource')} with a fixed name or one per account; none outlives a rolled-back creation unacknowledged`,
      );
    const groups = model.ofType('AWS::SageMaker::ModelPackageGroup');
    for (const gate of model.ofType(MODEL_GATE_TYPE)) {
      const group = str(gate.props.ModelPackageGroupName);
      const creators = groups.filter((g) => str(g.props.ModelPackageGroupName) === group);
      const label = `gate ${gate.path} reads registry '${group}'`;
      if (creators.length === 0) f.bad(`${label}, which no stack of the environment creates`, gate);
      else if (creators.some((g) => g.stack === gate.stack))
        f.bad(
          `${label}, created in the same stack: no model can be published before the gate runs, so the first deploy fails`,
          gate,
        );
      else
        f.ok(
          `${label}, created earlier by ${creators[0]!.stack.displayName}: a model can be published between the two, and the gate serves nothing until one is approved`,
          gate,
        );
    }
    return f.conclude(
      'enforced',
      'a failed first deploy leaves nothing that blocks its retry, and the first deploy needs no model',
    );
  },
});
