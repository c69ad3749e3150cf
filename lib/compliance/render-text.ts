import { CONTROL_STATUSES, CONTROLS } from './catalogue';
import { ComplianceReport, EnvironmentReport, failureOf } from './report';
import { STATUS_LABEL } from './render-html';

/** Pipes and line breaks would break a Markdown table cell. */
const cell = (text: unknown) => String(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

const badge = (status: keyof typeof STATUS_LABEL) =>
  status === 'failing' ? '❌ **FAILING**' : STATUS_LABEL[status];

/** `0 FAILING · 1 documented · ...`, in status order. */
export function countsLine(counts: Readonly<Record<string, number>>, separator = ' · '): string {
  return CONTROL_STATUSES.map((s) => `${counts[s]} ${STATUS_LABEL[s]}`).join(separator);
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
    out.push('');
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
  out.push(
    '',
    'Per environment: ' + envs.map((e) => `[${e.name}](${e.name.toLowerCase()}.md)`).join(', '),
    '',
  );
  return out.join('\n');
}
