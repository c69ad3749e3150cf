/**
 * The trail from a control to its proof (AUD-3): for one control in one environment, what implements it
 * (constructs with their source files), the resources of the templates its evidence is about, the tests
 * that prove it (with the command that runs each), the acknowledgments that concern it, and the
 * framework controls it maps to (AUD-5).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ControlId } from './catalogue';
import { ControlModule, ControlResult, Implementation, ProvingTest } from './controls/control';
import { CONTROL_FRAMEWORKS, FrameworkMapping } from './frameworks';
import { EnvironmentModel } from './model';

/** The directory of the control modules, relative to the repository root. */
export const CONTROL_MODULE_DIRECTORY = path.join('lib', 'compliance', 'controls');

/**
 * Each control's module file and the mirrored test file of its evidence check, found by the layout
 * `lib/compliance/controls/<section>/<id>-<what-it-checks>.ts`; paths relative to `root`.
 */
export function controlModuleFiles(root: string): Record<string, { module: string; test?: string }> {
  const files: Record<string, { module: string; test?: string }> = {};
  const dir = path.join(root, CONTROL_MODULE_DIRECTORY);
  if (!fs.existsSync(dir)) return files;
  for (const section of fs.readdirSync(dir)) {
    const sectionDir = path.join(dir, section);
    if (!fs.statSync(sectionDir).isDirectory()) continue;
    for (const file of fs.readdirSync(sectionDir)) {
      const match = /^([a-z]+-\d+)-[a-z0-9-]+\.ts$/.exec(file);
      if (!match) continue;
      const module = path.posix.join('lib', 'compliance', 'controls', section, file);
      const test = module.replace(/^lib\//, 'test/lib/').replace(/\.ts$/, '.test.ts');
      // A control another issue has not built yet has no tests: the trail must not name a file that is not there.
      files[match[1].toUpperCase()] = fs.existsSync(path.join(root, test)) ? { module, test } : { module };
    }
  }
  return files;
}

/** A resource of the templates a control's evidence or problems are about. */
export interface TrailResource {
  readonly path: string;
  readonly type: string;
  readonly logicalId: string;
  readonly templatePath: string;
}

/** An acknowledged rule-pack finding whose rule concerns the control. */
export interface TrailAcknowledgment {
  readonly ruleId: string;
  readonly path: string;
  readonly reason: string;
}

export interface ControlTrail {
  readonly implementedBy: readonly Implementation[];
  readonly provenBy: readonly ProvingTest[];
  /** The control's evidence check and its compliant/non-compliant tests, when the repository is known. */
  readonly evidenceCheck?: { readonly module: string; readonly test?: string };
  readonly resources: readonly TrailResource[];
  /** Rule-pack rules whose acknowledgments concern the control. */
  readonly rules: readonly string[];
  readonly acknowledgments: readonly TrailAcknowledgment[];
  /** Set while another issue builds the control. */
  readonly pendingIssue?: number;
}

/** A control's outcome in one environment with its trail and framework mapping. */
export interface ControlReport extends ControlResult {
  readonly trail: ControlTrail;
  readonly frameworks: FrameworkMapping;
}

/** The command that runs one proving test. */
export function testCommand(test: ProvingTest): string {
  // jest reads -t as a regular expression; `*` marks a computed part of the name.
  const pattern = test.name
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return `npx jest ${test.file} -t '${pattern.replace(/'/g, `'\\''`)}'`;
}

const ruleMatches = (ruleId: string, rule: string) => ruleId === rule || ruleId.startsWith(`${rule}[`);

export function controlTrail(
  module: ControlModule,
  result: ControlResult,
  model: EnvironmentModel,
  files?: Readonly<Record<string, { module: string; test?: string }>>,
  /** Stacks outside the environment the evidence may name (the tooling account's, for SEC-5). */
  shared: readonly EnvironmentModel[] = [],
): ControlTrail {
  const resources = new Map<string, TrailResource>();
  for (const item of [...result.problems, ...result.evidence]) {
    if (!item.templatePath || !item.logicalId) continue;
    const key = `${item.templatePath}#${item.logicalId}`;
    if (resources.has(key)) continue;
    const owner = [model, ...shared].find((m) => m.stacks.some((s) => s.templatePath === item.templatePath));
    const stack = owner?.stacks.find((s) => s.templatePath === item.templatePath);
    const handle = stack && owner?.get(stack, item.logicalId);
    resources.set(key, {
      path: item.path ?? handle?.path ?? item.logicalId,
      type: handle?.type ?? 'unknown',
      logicalId: item.logicalId,
      templatePath: item.templatePath,
    });
  }
  const rules = module.rules ?? [];
  const acknowledgments = model
    .acknowledgments()
    .filter((a) => rules.some((r) => ruleMatches(a.ruleId, r)))
    .map((a) => ({ ruleId: a.ruleId, path: a.resource.path, reason: a.reason }));
  const evidenceCheck = files?.[module.id];
  return {
    implementedBy: module.implementedBy,
    provenBy: module.provenBy,
    ...(evidenceCheck ? { evidenceCheck } : {}),
    resources: [...resources.values()],
    rules,
    acknowledgments,
    ...(module.pending ? { pendingIssue: module.pending.issue } : {}),
  };
}

export function withTrail(
  module: ControlModule,
  result: ControlResult,
  model: EnvironmentModel,
  files?: Readonly<Record<string, { module: string; test?: string }>>,
  shared: readonly EnvironmentModel[] = [],
): ControlReport {
  return {
    ...result,
    trail: controlTrail(module, result, model, files, shared),
    frameworks: CONTROL_FRAMEWORKS[result.id as ControlId],
  };
}
