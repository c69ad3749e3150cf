import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCloudAssembly } from './assembly';
import { RepositoryFacts } from './evidence';
import { buildReport, ComplianceReport, failureOf, ReportOptions } from './report';
import {
  dpiaPage,
  frameworkPage,
  renderDpiaHtml,
  renderEnvironmentHtml,
  renderFrameworkHtml,
  renderOverviewHtml,
} from './render-html';
import {
  countsLine,
  renderDpiaMarkdown,
  renderEnvironmentMarkdown,
  renderFrameworkMarkdown,
  renderOverviewMarkdown,
} from './render-text';
import { toSarif } from './sarif';
import { controlModuleFiles } from './trail';
import { readSbomIndex } from '../sbom/sbom-index';

/** Where the report goes inside the assembly directory. */
export const REPORT_DIRECTORY = 'compliance';

/**
 * Writes the overview, one page per environment and one per framework in HTML, Markdown and JSON, plus one
 * SARIF log.
 */
export function writeReport(report: ComplianceReport, directory: string): string[] {
  fs.mkdirSync(directory, { recursive: true });
  const files: Array<[string, string]> = [
    ['index.html', renderOverviewHtml(report)],
    ['README.md', renderOverviewMarkdown(report)],
    ['report.json', `${JSON.stringify(report, null, 2)}\n`],
    ['compliance.sarif', `${JSON.stringify(toSarif(report), null, 2)}\n`],
  ];
  for (const view of report.frameworks) {
    files.push([frameworkPage(view.id, 'html'), renderFrameworkHtml(report, view)]);
    files.push([frameworkPage(view.id, 'md'), renderFrameworkMarkdown(report, view)]);
    files.push([`framework-${view.id}.json`, `${JSON.stringify(view, null, 2)}\n`]);
  }
  for (const env of report.environments) {
    const base = env.name.toLowerCase();
    files.push([`${base}.html`, renderEnvironmentHtml(report, env)]);
    files.push([`${base}.md`, renderEnvironmentMarkdown(report, env)]);
    files.push([`${base}.json`, `${JSON.stringify(env, null, 2)}\n`]);
    if (env.dpia) {
      files.push([dpiaPage(env.name, 'html'), renderDpiaHtml(report, env, env.dpia)]);
      files.push([dpiaPage(env.name, 'md'), renderDpiaMarkdown(report, env, env.dpia)]);
    }
  }
  return files.map(([name, content]) => {
    const file = path.join(directory, name);
    fs.writeFileSync(file, content);
    return file;
  });
}

/** Workflow files of the repository, read for the CI controls (AUD-4, SEC-3). */
export function readRepositoryFacts(root: string): RepositoryFacts {
  const dir = path.join(root, '.github', 'workflows');
  const controlFiles = controlModuleFiles(root);
  if (!fs.existsSync(dir)) return { workflows: [], controlFiles };
  return {
    controlFiles,
    workflows: fs
      .readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => ({ file: `.github/workflows/${f}`, text: fs.readFileSync(path.join(dir, f), 'utf8') })),
  };
}

export interface GenerateOptions extends Omit<ReportOptions, 'repository'> {
  readonly assemblyDirectory: string;
  /** @default <assemblyDirectory>/compliance */
  readonly outputDirectory?: string;
  /** Repository root for the workflow checks. @default the current directory */
  readonly repositoryRoot?: string;
}

export function generateComplianceReport(options: GenerateOptions): {
  report: ComplianceReport;
  files: string[];
} {
  const assembly = readCloudAssembly(options.assemblyDirectory);
  if (assembly.environments.length === 0) {
    throw new Error(`${options.assemblyDirectory} holds no stage assemblies; run cdk synth first`);
  }
  const report = buildReport(assembly, {
    ...options,
    sboms: options.sboms ?? readSbomIndex(options.assemblyDirectory),
    repository: readRepositoryFacts(options.repositoryRoot ?? process.cwd()),
  });
  const files = writeReport(
    report,
    options.outputDirectory ?? path.join(options.assemblyDirectory, REPORT_DIRECTORY),
  );
  return { report, files };
}

/** The loud summary printed after synth: counts per status and every failing control. */
export function summarize(report: ComplianceReport): string {
  const out: string[] = [];
  const failing = report.overview.filter((o) => o.status === 'failing');
  const rule = '='.repeat(78);
  out.push(
    rule,
    `COMPLIANCE REPORT: ${report.overview.length} controls x ${report.environments.length} environments`,
  );
  out.push(`  overall: ${countsLine(report.counts, ', ')}`);
  for (const env of report.environments) out.push(`  ${env.name.padEnd(6)}: ${countsLine(env.counts, ', ')}`);
  if (failing.length) {
    out.push('', `!!! ${failing.length} CONTROL(S) FAILING — evidence missing or wrong:`);
    for (const o of failing) {
      const { environments, firstProblem } = failureOf(report, o);
      out.push(`  ✗ ${o.id.padEnd(8)} [${environments.join(', ')}] ${firstProblem ?? ''}`);
    }
  } else {
    out.push('', 'No control is failing.');
  }
  out.push(rule);
  return out.join('\n');
}
