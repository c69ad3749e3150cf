/**
 * Runs the evidence checks: every catalogue control's module (`./controls/<section>/<id>-*.ts`) against
 * one environment. A check that throws on an unexpected template shape reports its control FAILING.
 */
import { CONTROLS } from './catalogue';
import { ControlResult, EvaluationContext } from './controls/control';
import { CONTROL_MODULES } from './controls';

export type { ControlResult, EvaluationContext, EvidenceItem, RepositoryFacts } from './controls/control';

export function evaluateControls(ctx: EvaluationContext): ControlResult[] {
  return CONTROLS.map((control): ControlResult => {
    try {
      return { id: control.id, title: control.title, ...CONTROL_MODULES[control.id].evaluate(ctx) };
    } catch (error) {
      const text = `evidence check failed: ${(error as Error).message}`;
      return {
        id: control.id,
        title: control.title,
        status: 'failing',
        summary: text,
        evidence: [],
        problems: [{ text }],
      };
    }
  });
}
