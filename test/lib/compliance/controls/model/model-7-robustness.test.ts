import { MODEL_7 } from '../../../../../lib/compliance/controls/model/model-7-robustness';
import { changed, context, describeControl, environment, Resources } from '../harness';

const resources: Resources = {
  Gate: {
    Type: 'Custom::ModelGate',
    Properties: {
      ModelPackageGroupName: 'churn-prod',
      ModelVersion: 'latest-approved',
      RequireApproval: 'true',
      RobustnessEnforcement: 'refuse',
      DecisionThreshold: '0.7',
      MaxDecisionFlipRate: '0.05',
      MaxMonotonicityViolations: '0',
      MinExtractionQueries: '1024',
    },
  },
};
const ctx =
  (r: Resources, name = 'Prod') =>
  () =>
    context(environment({ name, stacks: { Serving: r } }));
const devGate = (r: Resources) => {
  r.Gate.Properties!.RequireApproval = 'false';
  r.Gate.Properties!.RobustnessEnforcement = 'warn';
};

describeControl(MODEL_7, {
  compliant: [
    {
      name: 'prod refuses a version without a passing assessment',
      context: ctx(resources),
      evidence: [
        'gate Prod/Serving/Gate: robustness refused when missing or failing (flip rate <= 0.05 at threshold 0.7, monotonicity violations <= 0, extraction queries >= 1024)',
      ],
    },
    {
      name: 'dev, where unapproved versions deploy, may only warn',
      context: ctx(changed(resources, devGate), 'Dev'),
      evidence: [/^gate Dev\/Serving\/Gate: robustness warned about when missing or failing/],
    },
  ],
  nonCompliant: [
    {
      name: 'prod only warning about a failing assessment',
      context: ctx(changed(resources, (r) => (r.Gate.Properties!.RobustnessEnforcement = 'warn'))),
      problem: /promotion here must refuse a version without a passing assessment$/,
    },
    {
      name: 'a gate that carries no robustness requirements',
      context: ctx(changed(resources, (r) => delete r.Gate.Properties!.MaxDecisionFlipRate)),
      problem: 'gate Prod/Serving/Gate has no robustness requirements (MaxDecisionFlipRate missing)',
    },
    {
      name: 'no model gate at all',
      context: ctx({}),
      problem: 'no deploy-time model gate, so nothing checks a robustness assessment',
    },
  ],
});
