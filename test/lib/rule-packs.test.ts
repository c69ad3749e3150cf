import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { ChurnControlsChecks } from '../../lib/nag/churn-controls-pack';
import { Construct } from 'constructs';
import { App } from 'aws-cdk-lib';
import { acknowledgeRule, MIN_REASON_LENGTH } from '../../lib/compliance/acknowledge';
import { allTemplates, buildTestApp, resourcesOfType } from '../helpers/app';

describe('rule packs on the example configuration (AUD-2, SEC-2)', () => {
  const testApp = buildTestApp();

  test.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['NIST 800-53 R5', () => new NIST80053R5Checks()],
    ['ChurnControls', () => new ChurnControlsChecks()],
  ])('%s reports no unacknowledged finding in any environment', (_name, makePack) => {
    for (const stage of testApp.stages) {
      const report = makePack().validateScope(stage);
      const findings = report.violations.map(
        (v) =>
          `${v.ruleName}: ${v.violatingResources.map((r) => r.locations?.join(',') ?? r.resourceLogicalId).join('; ')}`,
      );
      expect({ stage: stage.stageName, findings }).toEqual({ stage: stage.stageName, findings: [] });
      expect(report.success).toBe(true);
    }
  });

  test('the whole app synthesises through the registered packs, where cross-stack ARNs resolve as in cdk synth', () => {
    // validateScope runs before references between stacks are resolved; an acknowledgment that names
    // a token-built ARN can match there and miss in a real synth. Only a full synth shows that.
    const synthApp = buildTestApp();
    expect(() => synthApp.app.synth()).not.toThrow();
  });

  test('the rule packs are registered on the app, so synth fails on a finding', () => {
    const packNames = testApp.rulePacks.map((p) => p.name).sort();
    expect(packNames).toEqual(['AwsSolutions', 'ChurnControls', 'NIST.800.53.R5']);
  });

  test('every acknowledgment is written into the template with a reason of substance', () => {
    const acknowledged: Array<{ id: string; reason: string }> = [];
    for (const { template } of allTemplates(testApp)) {
      for (const [, resource] of Object.entries(
        template.toJSON().Resources as Record<string, { Metadata?: Record<string, unknown> }>,
      )) {
        const nag = resource.Metadata?.cdk_nag as
          { rules_to_suppress?: Array<{ id: string; reason: string }> } | undefined;
        acknowledged.push(...(nag?.rules_to_suppress ?? []));
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledged) {
      expect({ id, long: reason.length >= MIN_REASON_LENGTH }).toEqual({ id, long: true });
    }
  });

  test('acknowledgments sit on single resources, never on a whole stack or stage', () => {
    for (const { template, label } of allTemplates(testApp)) {
      for (const [logicalId, resource] of resourcesOfType(template, 'AWS::S3::Bucket')) {
        const nag = resource.Metadata?.cdk_nag as { rules_to_suppress?: Array<{ id: string }> } | undefined;
        for (const rule of nag?.rules_to_suppress ?? []) {
          expect(`${label}/${logicalId}: ${rule.id}`).toMatch(
            /S3BucketReplicationEnabled|S3DefaultEncryptionKMS/,
          );
        }
      }
    }
    for (const stage of testApp.stages) {
      expect(stage.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules')).toEqual([]);
    }
  });

  test('a vague acknowledgment is refused at synth', () => {
    const construct = new Construct(new App(), 'Thing');
    expect(() => acknowledgeRule(construct, 'AwsSolutions-S1', 'not needed')).toThrow(
      /AwsSolutions-S1 on Thing needs a specific reason of at least 60 characters/,
    );
  });
});
