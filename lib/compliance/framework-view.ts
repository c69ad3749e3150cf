/**
 * The report's view per framework (AUD-5): which of the framework's controls this deployment addresses,
 * with which project controls, and how they stand in each environment. A framework control counts as
 * covered in an environment when none of the project controls mapped to it is failing there; the view
 * never claims more than the mapped project controls show.
 */
import { CONTROL_STATUSES, ControlId, ControlStatus } from './catalogue';
import { CONTROL_FRAMEWORKS, FRAMEWORKS } from './frameworks';
import type { ControlReport } from './trail';

export interface FrameworkRow {
  /** The framework's control id (`SC-7`, `A.8.24`, `Art. 32`). */
  readonly id: string;
  readonly title: string;
  /** Project controls mapped to it, in catalogue order. */
  readonly controls: readonly ControlId[];
  /** The worst status of those controls, per environment. */
  readonly byEnvironment: Readonly<Record<string, ControlStatus>>;
  /** No mapped project control is failing in any environment. */
  readonly covered: boolean;
}

export interface FrameworkView {
  /** `nist-800-53`, `iso-27001`, `gdpr`: the file names and anchors of the view. */
  readonly id: string;
  readonly name: string;
  readonly source: string;
  readonly rows: readonly FrameworkRow[];
  readonly coveredCount: number;
  /** Said on every page: what the view is and is not. */
  readonly scope: string;
}

/** The catalogue lists statuses worst first. */
const worst = (statuses: readonly ControlStatus[]): ControlStatus =>
  statuses.reduce<ControlStatus>(
    (w, s) => (CONTROL_STATUSES.indexOf(s) < CONTROL_STATUSES.indexOf(w) ? s : w),
    'not-applicable',
  );

export function buildFrameworkViews(
  environments: ReadonlyArray<{ readonly name: string; readonly controls: readonly ControlReport[] }>,
): FrameworkView[] {
  const ids = Object.keys(CONTROL_FRAMEWORKS) as ControlId[];
  return FRAMEWORKS.map((fw) => {
    const rows = Object.entries(fw.controls).map(([id, title]): FrameworkRow => {
      const controls = ids.filter((c) => (CONTROL_FRAMEWORKS[c][fw.key] as readonly string[]).includes(id));
      const byEnvironment = Object.fromEntries(
        environments.map((env) => [
          env.name,
          worst(controls.map((c) => env.controls.find((r) => r.id === c)?.status ?? 'failing')),
        ]),
      );
      return {
        id,
        title,
        controls,
        byEnvironment,
        covered: Object.values(byEnvironment).every((s) => s !== 'failing'),
      };
    });
    return {
      id: fw.id,
      name: fw.name,
      source: fw.source,
      rows,
      coveredCount: rows.filter((r) => r.covered).length,
      scope: `The ${rows.length} ${fw.name} ${fw.key === 'gdpr' ? 'articles' : 'controls'} this project's controls map to (a reviewed judgment kept in lib/compliance/frameworks.ts, not an official crosswalk). "Covered" means no mapped project control is failing; it does not mean the ${fw.key === 'gdpr' ? 'article' : 'control'} is met in full: most also need organisational measures no template shows. Requirements not listed are not addressed by this deployment.`,
    };
  });
}
