import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { acknowledgeRule } from '../../../lib/compliance/acknowledge';
import { CHURN_PACK_NAME, CHURN_RULES, ChurnControlsChecks } from '../../../lib/nag/churn-controls-pack';
import { CONTROLS } from '../../../lib/compliance/catalogue';
import { buildTestApp } from '../../helpers/app';
import { findings, newStack } from './helpers';

describe('the ChurnControls pack (AUD-2)', () => {
  test('rules have unique ids and name catalogue controls', () => {
    const ids = CHURN_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of CHURN_RULES) {
      expect(rule.controls.length).toBeGreaterThan(0);
      for (const id of rule.controls) expect(CONTROLS.map((c) => c.id)).toContain(id);
      expect(rule.explanation.length).toBeGreaterThan(60);
    }
  });

  test('an acknowledged finding is silenced only on the construct it was acknowledged on', () => {
    const stack = newStack();
    const accepted = new sagemaker.CfnModel(stack, 'Accepted', {
      executionRoleArn: 'arn:aws:iam::123456789012:role/r',
    });
    new sagemaker.CfnModel(stack, 'Other', { executionRoleArn: 'arn:aws:iam::123456789012:role/r' });
    acknowledgeRule(
      accepted,
      `${CHURN_PACK_NAME}-SageMakerModelIsolated`,
      'A test fixture standing in for a reviewed exception; the reason is long enough to be judged.',
    );
    expect(findings(stack)).toEqual(['ChurnControls-SageMakerModelIsolated Subject/Other']);
  });

  test('is registered on the app, so it runs on every synth', () => {
    const { rulePacks } = buildTestApp();
    expect(rulePacks.some((p) => p instanceof ChurnControlsChecks && p.name === CHURN_PACK_NAME)).toBe(true);
  });
});
