import { defineControl, Findings } from '../control';
import { grantsOf } from '../template-readers';

export const MODEL_GATE_TYPE = 'Custom::ModelGate';

export const MODEL_2 = defineControl({
  id: 'MODEL-2',
  implementedBy: [
    { name: 'ModelRegistry', file: 'lib/constructs/model-registry.ts' },
    { name: 'ModelGate', file: 'lib/constructs/model-gate.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/serving/serving-stack.test.ts',
      name: 'MODEL-2, MODEL-3: the deploy-time gate test and prod require approval; dev lets a pending version through',
    },
    {
      file: 'test/lambda/model-gate/core.test.ts',
      name: 'model gate: approval (MODEL-2) refuses a version pending approval where approval is required (test, prod)',
    },
    {
      file: 'test/lib/config/schema.test.ts',
      name: 'configuration schema (ENV-1, ENV-2) test and prod cannot serve unapproved models (MODEL-2)',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const groups = model.ofType('AWS::SageMaker::ModelPackageGroup');
    if (groups.length === 0) f.bad('no SageMaker model package group (registry) in the templates');
    for (const g of groups) f.ok(`registry ${model.describe(g.props.ModelPackageGroupName, g.stack)}`, g);
    const gates = model.ofType(MODEL_GATE_TYPE);
    if (gates.length === 0) f.bad('no deploy-time model gate resolves the served version from the registry');
    const required = ctx.configuration
      ? ctx.configuration.environment.name !== 'dev'
      : !/^dev/i.test(model.name);
    for (const g of gates) {
      const approval = String(g.props.RequireApproval ?? 'true');
      const text = `gate ${g.path}: ${model.describe(g.props.ModelPackageGroupName, g.stack)} version ${model.describe(g.props.ModelVersion, g.stack)}, approval ${approval === 'true' ? 'required' : 'not required'}`;
      if (required && approval !== 'true') f.bad(`${text} — only approved versions may deploy here`, g);
      else f.ok(text, g);
    }
    const readers = grantsOf(model, 'sagemaker:DescribeModelPackage');
    if (gates.length && readers.length === 0)
      f.bad('no role may read the registry (sagemaker:DescribeModelPackage)');
    return f.conclude(
      'enforced',
      'a model registry per environment; only approved versions deploy to test and prod',
    );
  },
});
