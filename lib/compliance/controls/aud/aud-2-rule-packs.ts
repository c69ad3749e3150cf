import { ValidationReport, ValidationViolation } from '../../assembly';
import { MIN_REASON_LENGTH } from '../../acknowledge';
import { defineControl, Findings } from '../control';

/** Where a validation finding applies: construct paths, or template#logical-id when a resource has no path. */
export function findingLocations(v: ValidationViolation): string[] {
  return [
    ...(v.violatingResources ?? []).map((r) => r.constructPath ?? `${r.templatePath}#${r.resourceLogicalId}`),
    ...(v.violatingConstructs ?? []).map((c) => c.constructPath ?? ''),
  ].filter((w) => w !== '');
}

/** Whether a finding location belongs to an environment (its stage's construct path or nested assembly). */
export function inEnvironment(location: string, environment: string): boolean {
  return location.startsWith(`${environment}/`) || location.startsWith(`assembly-${environment}/`);
}

/**
 * The unacknowledged findings of the registered rule packs in one environment: what AUD-2 fails on
 * and what the report counts per pack, from one function so the two never disagree.
 */
export function unacknowledgedFindings(
  report: ValidationReport | undefined,
  rulePacks: readonly string[],
  environment: string,
): Array<{ pack: string; rule: string; severity: string; where: string }> {
  return (report?.pluginReports ?? [])
    .filter((plugin) => rulePacks.includes(plugin.pluginName))
    .flatMap((plugin) =>
      plugin.violations.flatMap((v) =>
        findingLocations(v)
          .filter((w) => inEnvironment(w, environment))
          .map((where) => ({
            pack: plugin.pluginName,
            rule: v.ruleName,
            severity: v.severity ?? 'error',
            where,
          })),
      ),
    );
}

export const AUD_2 = defineControl({
  id: 'AUD-2',
  implementedBy: [
    { name: 'buildChurnApp', file: 'lib/churn-app.ts' },
    { name: 'acknowledgeRule', file: 'lib/compliance/acknowledge.ts' },
    { name: 'ChurnControlsChecks', file: 'lib/nag/churn-controls-pack.ts' },
  ],
  provenBy: [
    {
      file: 'test/lib/rule-packs.test.ts',
      name: 'rule packs on the example configuration (AUD-2, SEC-2) %s reports no unacknowledged finding in any environment',
    },
    {
      file: 'test/lib/rule-packs.test.ts',
      name: 'rule packs on the example configuration (AUD-2, SEC-2) a vague acknowledgment is refused at synth',
    },
    {
      file: 'test/lib/nag/churn-controls-pack.test.ts',
      name: 'the ChurnControls pack (AUD-2) is registered on the app, so it runs on every synth',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const acks = ctx.model.acknowledgments();
    const byPack = new Map<string, number>();
    for (const a of acks) byPack.set(a.pack, (byPack.get(a.pack) ?? 0) + 1);
    f.ok(`packs run on every synth: ${ctx.rulePacks.join(', ')}`);
    for (const [pack, n] of byPack) f.ok(`${pack}: ${n} acknowledged finding${n === 1 ? '' : 's'}`);
    for (const a of acks) {
      if (a.reason.trim().length < MIN_REASON_LENGTH)
        f.bad(`${a.ruleId} acknowledged with a vague reason: "${a.reason}"`, a.resource);
    }
    for (const u of unacknowledgedFindings(ctx.validationReport, ctx.rulePacks, ctx.model.name))
      f.bad(`unacknowledged ${u.severity} ${u.rule} on ${u.where}`);
    return f.conclude(
      'enforced',
      `${acks.length} acknowledged findings, each with a specific reason; none unacknowledged`,
    );
  },
});
