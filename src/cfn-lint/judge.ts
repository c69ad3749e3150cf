import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Judges cfn-lint's findings on the synthesized templates: every error fails, and every warning fails
 * unless the accepted-findings file lists it with a reason. The file also holds the rare error that is
 * a defect of the linter (a resource schema older than CloudFormation's): such an entry must say so
 * (`linterDefect`), name the resource type and property, and explain, so it cannot silence anything else.
 */

export interface CfnLintFinding {
  readonly rule: string;
  readonly level: 'Error' | 'Warning' | 'Informational';
  readonly message: string;
  readonly file: string;
  /** `Resources/<logical id>/Properties/...` */
  readonly path: readonly (string | number)[];
  /** The resource type at `path`, when the finding is inside a resource. */
  readonly resourceType?: string;
}

export interface AcceptedFinding {
  readonly rule: string;
  /** Why this finding is acceptable here; read by reviewers. */
  readonly reason: string;
  /** Only findings on resources of this type. @default any */
  readonly resourceType?: string;
  /** Only findings whose path contains this element (a property name). @default any */
  readonly pathElement?: string;
  /**
   * For an error: true when the linter is wrong (its schema lags CloudFormation's). Errors without it
   * are never accepted.
   */
  readonly linterDefect?: boolean;
}

export interface Judgement {
  readonly failing: readonly CfnLintFinding[];
  readonly accepted: ReadonlyArray<{ finding: CfnLintFinding; by: AcceptedFinding }>;
  readonly informational: number;
}

/** Every `*.template.json` of the assembly and its nested stage assemblies. */
export function findTemplates(assembly: string): string[] {
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name.startsWith('assembly-')) visit(full);
      else if (entry.isFile() && entry.name.endsWith('.template.json')) found.push(full);
    }
  };
  if (existsSync(assembly)) visit(assembly);
  return found.sort();
}

/** The regions the stage assemblies deploy to (`aws://<account>/<region>` in their manifests). */
export function findRegions(assembly: string): string[] {
  const regions = new Set<string>();
  for (const entry of existsSync(assembly) ? readdirSync(assembly) : []) {
    const manifest = path.join(assembly, entry, 'manifest.json');
    if (!entry.startsWith('assembly-') || !existsSync(manifest)) continue;
    const artifacts = (
      JSON.parse(readFileSync(manifest, 'utf8')) as {
        artifacts?: Record<string, { environment?: string }>;
      }
    ).artifacts;
    for (const artifact of Object.values(artifacts ?? {})) {
      const region = /^aws:\/\/[^/]+\/([a-z0-9-]+)$/.exec(artifact.environment ?? '')?.[1];
      if (region && region !== 'unknown-region') regions.add(region);
    }
  }
  return [...regions].sort();
}

interface RawFinding {
  Rule?: { Id?: string };
  Level?: string;
  Message?: string;
  Filename?: string;
  Location?: { Path?: Array<string | number> };
}

const templateCache = new Map<string, { Resources?: Record<string, { Type?: string }> }>();

function resourceTypeOf(file: string, findingPath: readonly (string | number)[]): string | undefined {
  if (findingPath[0] !== 'Resources' || typeof findingPath[1] !== 'string') return undefined;
  let template = templateCache.get(file);
  if (!template) {
    try {
      template = JSON.parse(readFileSync(file, 'utf8')) as { Resources?: Record<string, { Type?: string }> };
    } catch {
      return undefined;
    }
    templateCache.set(file, template);
  }
  return template.Resources?.[findingPath[1]]?.Type;
}

/** cfn-lint's `--format json` output. */
export function parseCfnLintJson(stdout: string): CfnLintFinding[] {
  const raw = JSON.parse(stdout.trim() === '' ? '[]' : stdout) as RawFinding[];
  return raw.map((r) => {
    const findingPath = r.Location?.Path ?? [];
    const file = r.Filename ?? '';
    const resourceType = resourceTypeOf(file, findingPath);
    return {
      rule: r.Rule?.Id ?? '?',
      level: r.Level === 'Error' || r.Level === 'Warning' ? r.Level : 'Informational',
      message: r.Message ?? '',
      file,
      path: findingPath,
      ...(resourceType ? { resourceType } : {}),
    };
  });
}

export function loadAccepted(file: string): AcceptedFinding[] {
  if (!existsSync(file)) return [];
  const document = JSON.parse(readFileSync(file, 'utf8')) as { accepted?: AcceptedFinding[] };
  const accepted = document.accepted ?? [];
  for (const [i, entry] of accepted.entries()) {
    if (!/^[EWI]\d{4}$/.test(entry.rule ?? ''))
      throw new Error(`${file}: accepted[${i}].rule must be a cfn-lint rule id`);
    if ((entry.reason ?? '').trim().length < 40)
      throw new Error(`${file}: accepted[${i}] (${entry.rule}) needs a reason of at least 40 characters`);
    if (entry.rule.startsWith('E') && (!entry.linterDefect || !entry.resourceType || !entry.pathElement))
      throw new Error(
        `${file}: accepted[${i}] (${entry.rule}) is an error: only a linter defect, scoped to a resourceType and pathElement, may be accepted`,
      );
  }
  return accepted;
}

function matches(entry: AcceptedFinding, finding: CfnLintFinding): boolean {
  return (
    entry.rule === finding.rule &&
    (entry.resourceType === undefined || entry.resourceType === finding.resourceType) &&
    (entry.pathElement === undefined || finding.path.includes(entry.pathElement))
  );
}

export function judgeFindings(
  findings: readonly CfnLintFinding[],
  accepted: readonly AcceptedFinding[],
): Judgement {
  const failing: CfnLintFinding[] = [];
  const acceptedFindings: Array<{ finding: CfnLintFinding; by: AcceptedFinding }> = [];
  let informational = 0;
  for (const finding of findings) {
    if (finding.level === 'Informational') {
      informational++;
      continue;
    }
    const by = accepted.find((entry) => matches(entry, finding));
    if (by && (finding.level === 'Warning' || by.linterDefect === true))
      acceptedFindings.push({ finding, by });
    else failing.push(finding);
  }
  return { failing, accepted: acceptedFindings, informational };
}

export function formatJudgement(
  judgement: Judgement,
  run: { templates: number; seconds: string; version: string },
): string {
  const lines = [
    `${run.version}: ${run.templates} templates in ${run.seconds} s; ` +
      `${judgement.failing.length} failing, ${judgement.accepted.length} accepted (cfn-lint-accepted.json), ` +
      `${judgement.informational} informational`,
  ];
  for (const f of judgement.failing) {
    lines.push(`  ✗ ${f.rule} ${f.level} ${path.basename(f.file)} ${f.path.join('/')}: ${f.message}`);
  }
  return lines.join('\n');
}
