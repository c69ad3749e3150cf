import { CONTROL_STATUSES, CONTROLS } from './catalogue';
import { FRAMEWORKS } from './frameworks';
import { FrameworkView } from './framework-view';
import { ComplianceReport, EnvironmentReport, failureOf } from './report';
import { anchorOf, dpiaPage, frameworkPage, STATUS_LABEL } from './render-html';
import { DpiaDraft } from './dpia';
import { ControlReport, testCommand } from './trail';

/** Pipes and line breaks would break a Markdown table cell. */
const cell = (text: unknown) => String(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

const badge = (status: keyof typeof STATUS_LABEL) =>
  status === 'failing' ? '❌ **FAILING**' : STATUS_LABEL[status];

/** `0 FAILING · 1 documented · ...`, in status order. */
export function countsLine(counts: Readonly<Record<string, number>>, separator = ' · '): string {
  return CONTROL_STATUSES.map((s) => `${counts[s]} ${STATUS_LABEL[s]}`).join(separator);
}

/** A control's trail as a Markdown list: what implements it, where, what proves it, what is acknowledged. */
function trailMarkdown(c: ControlReport): string[] {
  const t = c.trail;
  const out = ['**Trail**', ''];
  out.push(
    t.pendingIssue
      ? `- Implemented by: not built yet (issue ${t.pendingIssue})`
      : `- Implemented by: ${t.implementedBy.map((i) => `\`${i.name}\` (${i.file})`).join(', ')}`,
  );
  out.push(`- Resources (${t.resources.length}):`);
  for (const r of t.resources) out.push(`  - \`${r.path}\` ${r.type} (${r.templatePath} ${r.logicalId})`);
  out.push('- Proven by:');
  for (const p of t.provenBy) out.push(`  - ${p.name} — \`${testCommand(p)}\``);
  if (t.evidenceCheck)
    out.push(
      `- Evidence check: ${t.evidenceCheck.module}${t.evidenceCheck.test ? `, tested in ${t.evidenceCheck.test}` : ' (no tests yet)'}`,
    );
  out.push(
    `- Acknowledgments (${t.acknowledgments.length}${t.rules.length ? `; rules ${t.rules.join(', ')}` : ''}):`,
  );
  for (const a of t.acknowledgments) out.push(`  - \`${a.ruleId}\` on \`${a.path}\`: ${a.reason}`);
  for (const fw of FRAMEWORKS) {
    const ids = c.frameworks[fw.key] as readonly string[];
    out.push(
      `- ${fw.name}: ${ids.length ? ids.map((id) => `[${id}](${frameworkPage(fw.id, 'md')}#${anchorOf(id).toLowerCase()})`).join(', ') : 'none'}`,
    );
  }
  if (c.frameworks.note) out.push(`- Mapping note: ${c.frameworks.note}`);
  return out;
}

export function renderFrameworkMarkdown(report: ComplianceReport, view: FrameworkView): string {
  const envs = report.environments;
  const out = [`# ${view.name} — what this deployment covers`, ''];
  out.push(
    `${view.coveredCount} of ${view.rows.length} mapped requirements covered in every environment · source: ${view.source} · generated ${report.generatedAt}`,
    '',
    view.scope,
    '',
  );
  for (const r of view.rows) {
    out.push(`## ${r.id}`, '', `${r.title} — ${r.covered ? 'covered' : '**not covered**'}`, '');
    out.push(`- Project controls: ${r.controls.join(', ')}`);
    out.push(`- ${envs.map((e) => `${e.name}: ${badge(r.byEnvironment[e.name])}`).join(' · ')}`, '');
  }
  return out.join('\n');
}

export function renderEnvironmentMarkdown(report: ComplianceReport, env: EnvironmentReport): string {
  const out: string[] = [];
  const failing = env.controls.filter((c) => c.status === 'failing');
  out.push(`# Compliance report — ${env.name}`, '');
  out.push(
    `Account ${env.account}, ${env.region} · commit ${env.sourceCommit ?? 'unknown'} · generated ${report.generatedAt}`,
    '',
  );
  if (failing.length) {
    out.push(`> **${failing.length} control(s) FAILING**`, '>');
    for (const c of failing) out.push(`> - **${c.id}**: ${c.problems[0]?.text ?? c.summary}`);
    out.push('');
  }
  out.push(countsLine(env.counts), '', '## Controls', '');
  for (const c of env.controls) {
    out.push(`### ${c.id} — ${badge(c.status)}`, '', `${c.summary}`, '', `_${c.title}_`, '');
    for (const p of c.problems) out.push(`- ❌ ${p.text}${p.path ? ` (\`${p.path}\`)` : ''}`);
    for (const e of c.evidence) out.push(`- ${e.text}${e.path ? ` (\`${e.path}\`)` : ''}`);
    out.push('', ...trailMarkdown(c), '');
  }
  out.push('## Needs a human', '');
  for (const a of env.needsHuman) {
    out.push(`- **${a.topic}** (${a.controls.join(', ')}): ${a.action}`);
    if (a.command) out.push('', '  ```sh', `  ${a.command}`, '  ```', '');
  }
  out.push('', '## Rule packs', '', '| Pack | Acknowledged | Unacknowledged |', '| --- | --- | --- |');
  for (const p of env.packCounts) out.push(`| ${cell(p.pack)} | ${p.acknowledged} | ${p.unacknowledged} |`);
  out.push('', '### Acknowledged findings', '', '| Rule | Construct | Reason |', '| --- | --- | --- |');
  for (const a of env.acknowledgments)
    out.push(`| \`${cell(a.ruleId)}\` | \`${cell(a.path)}\` | ${cell(a.reason)} |`);
  const inv = env.inventory;
  out.push(
    '',
    '## Inventory',
    '',
    '### KMS keys',
    '',
    '| Alias | Rotation | Encrypts |',
    '| --- | --- | --- |',
  );
  for (const k of inv.keys)
    out.push(
      `| ${cell(k.alias)} | ${k.rotation ? 'on' : 'off'} (${k.spec}) | ${cell(k.encrypts.join(', '))} |`,
    );
  out.push(
    '',
    '### Buckets',
    '',
    '| Bucket | Encryption | Versioning | Object Lock |',
    '| --- | --- | --- | --- |',
  );
  for (const b of inv.buckets)
    out.push(`| ${cell(b.name)} | ${cell(b.encryption)} | ${b.versioning} | ${cell(b.objectLock)} |`);
  out.push('', '### Endpoints', '', '| Kind | Service | Detail |', '| --- | --- | --- |');
  for (const e of inv.endpoints) out.push(`| ${cell(e.kind)} | ${cell(e.service)} | ${cell(e.detail)} |`);
  out.push('', '### Public entry points', '');
  if (inv.publicEntryPoints.length === 0) out.push('None.');
  for (const e of inv.publicEntryPoints) out.push(`- ${e.kind}: \`${e.path}\` — ${e.detail}`);
  out.push(
    '',
    '### IAM roles (least-privilege matrix)',
    '',
    '| Role | Actions | Resources |',
    '| --- | --- | --- |',
  );
  for (const r of inv.roles) {
    for (const p of r.permissions) {
      out.push(
        `| \`${cell(r.path)}\` | ${cell(`${p.effect === 'Deny' ? 'DENY ' : ''}${p.actions.join(', ')}`)} | ${cell(p.resources.join(', '))} |`,
      );
    }
  }
  out.push('');
  return out.join('\n');
}

export function renderDpiaMarkdown(
  report: ComplianceReport,
  env: EnvironmentReport,
  dpia: DpiaDraft,
): string {
  const out = [`# Data protection impact assessment — ${env.name} (DRAFT)`, ''];
  out.push(
    `GDPR art. 35 · account ${dpia.account}, ${dpia.region} · owner ${dpia.controller.owner} · data classification ${dpia.controller.dataClassification} · status ${dpia.status} · generated ${report.generatedAt}`,
    '',
    '> **Draft, not an assessment.** Generated from the configuration, the feature specification and the templates. The sections marked "needs a person" must be completed, reviewed by the data protection officer and signed before customer data is processed.',
    '',
    '## 1. The processing and its purpose',
    '',
    dpia.processing.description,
    '',
    `**Purpose.** ${dpia.processing.purpose}`,
    '',
    `**Automated decision-making.** ${dpia.processing.automatedDecision}`,
    '',
    `**Data subjects.** ${dpia.dataSubjects}`,
    '',
    '## 2. Categories of personal data',
    '',
    '| Field | Description | Kind | Treatment |',
    '| --- | --- | --- | --- |',
    ...dpia.dataCategories.map(
      (d) => `| \`${cell(d.field)}\` | ${cell(d.description)} | ${d.kind} | ${cell(d.treatment)} |`,
    ),
    '',
    '## 3. Recipients and processors',
    '',
    "Amazon Web Services acts as processor for the services below (resources of this environment's templates).",
    '',
    '| Service | What it does with the data | Resources |',
    '| --- | --- | --- |',
    ...dpia.recipients.map((r) => `| ${cell(r.service)} | ${cell(r.role)} | ${r.resources} |`),
    '',
    '## 4. Retention',
    '',
    '| Data | Kept for | Configured by |',
    '| --- | --- | --- |',
    ...dpia.retention.map((r) => `| ${cell(r.what)} | ${r.days} days | \`${r.source}\` |`),
    '',
    '## 5. Transfers',
    '',
    `Regions: ${dpia.transfers.regions.join(', ')}. ${dpia.transfers.assessment}`,
    '',
    '## 6. Safeguards and their status',
    '',
    '| Control | Status | GDPR | Requirement |',
    '| --- | --- | --- | --- |',
    ...dpia.safeguards.map(
      (g) =>
        `| [${g.control}](${env.name.toLowerCase()}.md) | ${badge(g.status)} | ${g.articles.join(', ')} | ${cell(g.title)} |`,
    ),
    '',
    '## 7. Needs a person',
    '',
  );
  for (const h of dpia.needsAPerson)
    out.push(
      `### ${h.title} — NEEDS A PERSON`,
      '',
      `_${h.article}_`,
      '',
      h.guidance,
      '',
      '_(to be completed)_',
      '',
    );
  return out.join('\n');
}

export function renderOverviewMarkdown(report: ComplianceReport): string {
  const envs = report.environments;
  const out: string[] = ['# Compliance report — overview', ''];
  out.push(
    `${envs.length} environments · ${CONTROLS.length} controls · rule packs ${report.rulePacks.join(', ')} · generated ${report.generatedAt}`,
    '',
  );
  const failing = report.overview.filter((o) => o.status === 'failing');
  if (failing.length) {
    out.push(`> **${failing.length} control(s) FAILING** in at least one environment:`, '>');
    for (const o of failing) {
      out.push(`> - **${o.id}** (${failureOf(report, o).environments.join(', ')})`);
    }
    out.push('');
  }
  out.push(countsLine(report.counts), '');
  out.push(
    `| Control | ${envs.map((e) => e.name).join(' | ')} |`,
    `| --- | ${envs.map(() => '---').join(' | ')} |`,
  );
  for (const o of report.overview)
    out.push(`| ${o.id} | ${envs.map((e) => badge(o.byEnvironment[e.name])).join(' | ')} |`);
  out.push('', ...sbomMarkdown(report));
  out.push('', '## Frameworks', '', '| Framework | Covered | Not covered |', '| --- | --- | --- |');
  for (const f of report.frameworks)
    out.push(
      `| [${f.name}](${frameworkPage(f.id, 'md')}) | ${f.coveredCount} of ${f.rows.length} | ${cell(
        f.rows
          .filter((r) => !r.covered)
          .map((r) => r.id)
          .join(', ') || 'none',
      )} |`,
    );
  out.push(
    '',
    'Per environment: ' + envs.map((e) => `[${e.name}](${e.name.toLowerCase()}.md)`).join(', '),
    '',
    'DPIA drafts: ' +
      (envs
        .filter((e) => e.dpia)
        .map((e) => `[${e.name}](${dpiaPage(e.name, 'md')})`)
        .join(', ') ||
        'none (the report was written without the configuration or the feature specification)'),
    '',
  );
  return out.join('\n');
}

/** The bills of materials (SEC-5): one row per SBOM with its package count, and what is missing. */
function sbomMarkdown(report: ComplianceReport): string[] {
  const index = report.sboms;
  if (!index) return ['## Bills of materials (SEC-5)', '', 'None were written: run `npm run synth`.'];
  const out = [
    '## Bills of materials (SEC-5)',
    '',
    `CycloneDX ${index.specVersion}, by ${index.generator}, in \`sbom/\` of the assembly.`,
    '',
    '| SBOM | Kind | Packages | From | Used by |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const s of index.sboms)
    out.push(
      `| ${cell(s.file)} | ${s.kind} | ${s.packages} | ${s.source} | ${cell(s.functions.length ? s.functions.join(', ') : s.subject)} |`,
    );
  for (const m of index.missing)
    out.push(
      `| **missing** ${cell(m.subject)} | lambda-asset | — | ${cell(m.reason)} | ${cell(m.functions.join(', '))} |`,
    );
  return out;
}
