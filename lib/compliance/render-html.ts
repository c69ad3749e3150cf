import { CONTROL_STATUSES, ControlStatus } from './catalogue';
import { inEnvironment } from './controls/aud/aud-2-rule-packs';
import { FRAMEWORKS } from './frameworks';
import { FrameworkView } from './framework-view';
import { DpiaDraft } from './dpia';
import { ComplianceReport, EnvironmentReport, failureOf, HumanAction } from './report';
import { ControlReport, testCommand } from './trail';

const esc = (text: unknown): string =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

export const STATUS_LABEL: Readonly<Record<ControlStatus, string>> = {
  failing: 'FAILING',
  documented: 'documented',
  'verified-at-runtime': 'verified at runtime',
  enforced: 'enforced',
  'not-applicable': 'not applicable',
};

// Colours keep a 4.5:1 contrast with their text; the status word is always printed too, so nothing
// depends on colour alone.
const STYLE = `
:root { --fail:#b00020; --fail-bg:#fde7ea; --ok:#0b6b2e; --ok-bg:#e3f4e8; --run:#0a5aa8; --run-bg:#e3effb;
  --doc:#7a4d00; --doc-bg:#fff3d6; --na:#555; --na-bg:#eee; --ink:#1b1b1b; --line:#d0d4d9; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0; background: #f6f7f9; }
main { max-width: 1320px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 20px; margin: 32px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
.meta { color: #555; margin: 0 0 16px; }
.banner { padding: 14px 18px; border-radius: 6px; margin: 12px 0 20px; font-size: 16px; }
.banner.fail { background: var(--fail); color: #fff; } .banner.fail ul { margin: 6px 0 0 18px; padding: 0; }
.banner.pass { background: var(--ok-bg); color: var(--ok); border: 1px solid var(--ok); }
.counts { display: flex; gap: 10px; flex-wrap: wrap; margin: 8px 0 16px; }
.count { padding: 8px 14px; border-radius: 6px; font-weight: 600; }
.chip { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 700; white-space: nowrap; }
.failing { background: var(--fail-bg); color: var(--fail); } .chip.failing { background: var(--fail); color: #fff; }
.enforced { background: var(--ok-bg); color: var(--ok); }
.verified-at-runtime { background: var(--run-bg); color: var(--run); }
.documented { background: var(--doc-bg); color: var(--doc); }
.not-applicable { background: var(--na-bg); color: var(--na); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eef0f3; font-weight: 600; }
.id { font-weight: 700; white-space: nowrap; }
.control { border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 4px; margin: 8px 0; padding: 8px 12px; }
section.control { background: #fff; color: var(--ink); }
section.control.failing { border-left-color: var(--fail); background: #fff8f9; }
section.control.failing h4 { color: var(--fail); }
.control.enforced { border-left-color: var(--ok); } .control.verified-at-runtime { border-left-color: var(--run); }
.control.documented { border-left-color: var(--doc); } .control.not-applicable { border-left-color: var(--na); }
.control h4 { margin: 0 0 4px; font-size: 15px; } .control .title { color: #444; font-size: 13px; margin: 0 0 6px; }
.problems li { color: var(--fail); font-weight: 600; }
ul { margin: 4px 0; padding-left: 20px; } li { margin: 2px 0; }
code, .path { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.path { color: #555; } pre { background: #f3f4f6; padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
details > summary { cursor: pointer; font-weight: 600; margin: 6px 0; }
.human { background: var(--doc-bg); border: 1px solid #e0c070; border-radius: 6px; padding: 8px 14px; margin: 8px 0; }
nav a { margin-right: 14px; }
a.anchor { color: inherit; text-decoration: none; } a.anchor:hover { text-decoration: underline; }
table.trail { margin: 6px 0 4px; } table.trail th { width: 150px; background: #f6f7f9; }
table.trail ul { margin: 0; } .cmd { color: #333; background: #f3f4f6; padding: 0 4px; }
.fw a { margin-right: 4px; }
.person { background: var(--doc-bg); border: 2px dashed var(--doc); border-radius: 6px; padding: 8px 14px; margin: 10px 0; }
.person h3 { margin-top: 4px; } .person .blank { min-height: 3em; border-bottom: 1px solid var(--doc); margin: 6px 0; }
`;

function chip(status: ControlStatus): string {
  return `<span class="chip ${status}">${esc(STATUS_LABEL[status])}</span>`;
}

function countsBar(counts: Readonly<Record<ControlStatus, number>>): string {
  return `<div class="counts">${CONTROL_STATUSES.map(
    (s) => `<span class="count ${s}">${counts[s]} ${esc(STATUS_LABEL[s])}</span>`,
  ).join('')}</div>`;
}

function banner(failing: Array<{ id: string; text: string }>, scope: string): string {
  if (failing.length === 0) {
    return `<div class="banner pass">All controls of ${esc(scope)} have evidence: none is failing.</div>`;
  }
  return `<div class="banner fail" role="alert"><strong>${failing.length} control${failing.length === 1 ? '' : 's'} FAILING in ${esc(scope)}</strong> — evidence missing or wrong:<ul>${failing
    .map((f) => `<li><strong>${esc(f.id)}</strong>: ${esc(f.text)}</li>`)
    .join('')}</ul></div>`;
}

function item(e: { text: string; path?: string }): string {
  return `<li>${esc(e.text)}${e.path ? ` <span class="path">${esc(e.path)}</span>` : ''}</li>`;
}

/** An anchor id for a framework control (`Art. 32` → `Art-32`, `A.8.24` → `A-8-24`). */
export const anchorOf = (id: string) => id.replace(/[^A-Za-z0-9]+/g, '-');

export const frameworkPage = (frameworkId: string, extension: 'html' | 'md') =>
  `framework-${frameworkId}.${extension}`;

const list = (items: readonly string[]) =>
  items.length ? `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : '<em>none</em>';

function trailBlock(c: ControlReport): string {
  const t = c.trail;
  const rows: Array<[string, string]> = [
    [
      'Implemented by',
      t.pendingIssue
        ? `<em>not built yet (issue ${t.pendingIssue})</em>`
        : list(
            t.implementedBy.map(
              (i) => `<code>${esc(i.name)}</code> <span class="path">${esc(i.file)}</span>`,
            ),
          ),
    ],
    [
      `Resources (${t.resources.length})`,
      list(
        t.resources.map(
          (r) =>
            `<span class="path">${esc(r.path)}</span> <code>${esc(r.type)}</code> <span class="path">${esc(r.templatePath)} ${esc(r.logicalId)}</span>`,
        ),
      ),
    ],
    [
      'Proven by',
      list(
        t.provenBy.map(
          (p) =>
            `${esc(p.name)}<br><span class="path">${esc(p.file)}</span><br><code class="cmd">${esc(testCommand(p))}</code>`,
        ),
      ),
    ],
    [
      'Evidence check',
      t.evidenceCheck
        ? `<span class="path">${esc(t.evidenceCheck.module)}</span>${
            t.evidenceCheck.test
              ? `, its compliant and non-compliant cases in <span class="path">${esc(t.evidenceCheck.test)}</span>`
              : ' <em>(no tests yet)</em>'
          }`
        : '<em>unknown (report written without the repository)</em>',
    ],
    [
      `Acknowledgments (${t.acknowledgments.length})`,
      t.rules.length
        ? `<span class="path">rules ${esc(t.rules.join(', '))}</span>${list(
            t.acknowledgments.map(
              (a) =>
                `<code>${esc(a.ruleId)}</code> on <span class="path">${esc(a.path)}</span>: ${esc(a.reason)}`,
            ),
          )}`
        : '<em>no rule-pack rule concerns this control</em>',
    ],
    [
      'Frameworks',
      FRAMEWORKS.map((fw) => {
        const ids = c.frameworks[fw.key] as readonly string[];
        return `<div class="fw"><strong>${esc(fw.name)}</strong>: ${
          ids.length
            ? ids
                .map(
                  (id) =>
                    `<a href="${frameworkPage(fw.id, 'html')}#${anchorOf(id)}" title="${esc(fw.controls[id])}">${esc(id)}</a>`,
                )
                .join(' ')
            : '<em>none (no personal data concerned)</em>'
        }</div>`;
      }).join('') + (c.frameworks.note ? `<div class="path">${esc(c.frameworks.note)}</div>` : ''),
    ],
  ];
  // A control not built yet has nothing to trace; its trail stays folded so the page reaches the others.
  return `<details${t.pendingIssue ? '' : ' open'}><summary>Trail</summary><table class="trail"><tbody>${rows
    .map(([h, d]) => `<tr><th>${esc(h)}</th><td>${d}</td></tr>`)
    .join('')}</tbody></table></details>`;
}

function controlBlock(c: ControlReport): string {
  const body = `${c.problems.length ? `<ul class="problems">${c.problems.map(item).join('')}</ul>` : ''}${
    c.evidence.length
      ? `<details${c.status === 'failing' ? ' open' : ''}><summary>Evidence (${c.evidence.length})</summary><ul>${c.evidence.map(item).join('')}</ul></details>`
      : ''
  }${trailBlock(c)}`;
  return `<section class="control ${c.status}" id="${esc(c.id)}"><h4><a class="anchor" href="#${esc(c.id)}">${esc(c.id)}</a> ${chip(c.status)} ${esc(c.summary)}</h4><p class="title">${esc(c.title)}</p>${body}</section>`;
}

function humanBlock(actions: readonly HumanAction[]): string {
  return actions
    .map(
      (a) =>
        `<div class="human"><strong>${esc(a.topic)}</strong> <span class="path">(${esc(a.controls.join(', '))})</span><br>${esc(a.action)}${
          a.command ? `<pre>${esc(a.command)}</pre>` : ''
        }</div>`,
    )
    .join('');
}

/** A table; `widths` (percent per column) keeps long ARNs from squeezing the readable columns. */
function table(headers: string[], rows: string[][], widths?: number[]): string {
  if (rows.length === 0) return '<p><em>None.</em></p>';
  const cols = widths
    ? `<colgroup>${widths.map((w) => `<col style="width:${w}%">`).join('')}</colgroup>`
    : '';
  return `<table>${cols}<thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const lines = (values: readonly string[]) => values.map((v) => esc(v)).join('<br>');

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>
`;
}

export const dpiaPage = (envName: string, extension: 'html' | 'md') =>
  `dpia-${envName.toLowerCase()}.${extension}`;

/** The DPIA draft of one environment: generated facts, then the sections only people can complete. */
export function renderDpiaHtml(report: ComplianceReport, env: EnvironmentReport, dpia: DpiaDraft): string {
  const body = [
    `<nav><a href="index.html">← overview</a><a href="${esc(env.name.toLowerCase())}.html">${esc(env.name)} controls</a></nav>`,
    `<h1>Data protection impact assessment — ${esc(env.name)} (DRAFT)</h1>`,
    `<p class="meta">GDPR art. 35 · account ${esc(dpia.account)}, ${esc(dpia.region)} · owner ${esc(dpia.controller.owner)} · data classification ${esc(dpia.controller.dataClassification)} · status ${chip(dpia.status)} · generated ${esc(report.generatedAt)}</p>`,
    `<div class="human" role="note"><strong>Draft, not an assessment.</strong> Generated from the configuration, the feature specification and the templates. The sections marked "needs a person" must be completed, reviewed by the data protection officer and signed before customer data is processed.</div>`,
    `<h2>1. The processing and its purpose</h2>`,
    `<p>${esc(dpia.processing.description)}</p><p><strong>Purpose.</strong> ${esc(dpia.processing.purpose)}</p><p><strong>Automated decision-making.</strong> ${esc(dpia.processing.automatedDecision)}</p>`,
    `<p><strong>Data subjects.</strong> ${esc(dpia.dataSubjects)}</p>`,
    `<h2>2. Categories of personal data</h2>`,
    table(
      ['Field', 'Description', 'Kind', 'Treatment'],
      dpia.dataCategories.map((d) => [
        `<code>${esc(d.field)}</code>`,
        esc(d.description),
        esc(d.kind),
        esc(d.treatment),
      ]),
      [16, 30, 14, 40],
    ),
    `<h2>3. Recipients and processors</h2>`,
    `<p>Amazon Web Services acts as processor for the services below (resources of this environment's templates).</p>`,
    table(
      ['Service', 'What it does with the data', 'Resources'],
      dpia.recipients.map((r) => [esc(r.service), esc(r.role), String(r.resources)]),
      [22, 68, 10],
    ),
    `<h2>4. Retention</h2>`,
    table(
      ['Data', 'Kept for', 'Configured by'],
      dpia.retention.map((r) => [esc(r.what), `${r.days} days`, `<code>${esc(r.source)}</code>`]),
    ),
    `<h2>5. Transfers</h2>`,
    `<p>Regions: ${esc(dpia.transfers.regions.join(', '))}. ${esc(dpia.transfers.assessment)}</p>`,
    `<h2>6. Safeguards and their status</h2>`,
    table(
      ['Control', 'Status', 'GDPR', 'Requirement'],
      dpia.safeguards.map((g) => [
        `<a href="${esc(env.name.toLowerCase())}.html#${esc(g.control)}">${esc(g.control)}</a>`,
        chip(g.status),
        esc(g.articles.join(', ')),
        esc(g.title),
      ]),
      [10, 12, 14, 64],
    ),
    `<h2>7. Needs a person</h2>`,
    dpia.needsAPerson
      .map(
        (h) =>
          `<section class="person"><h3>${esc(h.title)} <span class="chip documented">needs a person</span></h3><p class="path">${esc(h.article)}</p><p>${esc(h.guidance)}</p><div class="blank"></div></section>`,
      )
      .join(''),
  ].join('\n');
  return page(`DPIA draft — ${env.name}`, body);
}

export function renderEnvironmentHtml(report: ComplianceReport, env: EnvironmentReport): string {
  const failing = env.controls.filter((c) => c.status === 'failing');
  const inv = env.inventory;
  const body = [
    `<nav><a href="index.html">← overview</a>${
      env.dpia ? `<a href="${dpiaPage(env.name, 'html')}">DPIA draft</a>` : ''
    }${report.frameworks.map((f) => `<a href="${frameworkPage(f.id, 'html')}">${esc(f.name)}</a>`).join('')}</nav>`,
    `<h1>Compliance report — ${esc(env.name)}</h1>`,
    `<p class="meta">Account ${esc(env.account)}, ${esc(env.region)} · ${env.stacks.length} stacks · commit ${esc(env.sourceCommit ?? 'unknown')} · generated ${esc(report.generatedAt)} from <code>${esc(report.assemblyDirectory)}</code></p>`,
    banner(
      failing.map((c) => ({ id: c.id, text: c.problems[0]?.text ?? c.summary })),
      env.name,
    ),
    countsBar(env.counts),
    `<h2>Controls (failing first)</h2>`,
    env.controls.map(controlBlock).join(''),
    `<h2>Needs a human</h2>`,
    humanBlock(env.needsHuman),
    `<h2>Rule packs</h2>`,
    table(
      ['Pack', 'Acknowledged', 'Unacknowledged'],
      env.packCounts.map((p) => [
        esc(p.pack),
        String(p.acknowledged),
        p.unacknowledged ? `<span class="chip failing">${p.unacknowledged}</span>` : '0',
      ]),
    ),
    `<h3>Acknowledged findings (${env.acknowledgments.length})</h3>`,
    table(
      ['Rule', 'Construct', 'Reason'],
      env.acknowledgments.map((a) => [
        `<code>${esc(a.ruleId)}</code>`,
        `<span class="path">${esc(a.path)}</span>`,
        esc(a.reason),
      ]),
      [24, 28, 48],
    ),
    `<h2>Inventory</h2>`,
    `<h3>KMS keys</h3>`,
    table(
      ['Alias', 'Spec / rotation', 'Retained', 'Encrypts'],
      inv.keys.map((k) => [
        `<strong>${esc(k.alias)}</strong><br>${esc(k.description)}`,
        `${esc(k.spec)}<br>rotation ${k.rotation ? 'on' : 'off'}`,
        esc(k.deletionPolicy),
        `<span class="path">${lines(k.encrypts)}</span>`,
      ]),
    ),
    `<h3>Buckets</h3>`,
    table(
      ['Bucket', 'Encryption', 'Versioning', 'Object Lock', 'On delete'],
      inv.buckets.map((b) => [
        `<strong>${esc(b.name)}</strong><br><span class="path">${esc(b.path)}</span>`,
        esc(b.encryption),
        esc(b.versioning),
        esc(b.objectLock),
        esc(b.deletionPolicy),
      ]),
    ),
    `<h3>Endpoints</h3>`,
    table(
      ['Kind', 'Service', 'Detail'],
      inv.endpoints.map((e) => [esc(e.kind), esc(e.service), esc(e.detail)]),
    ),
    `<h3>Public entry points</h3>`,
    table(
      ['Kind', 'Resource', 'Detail'],
      inv.publicEntryPoints.map((e) => [
        esc(e.kind),
        `<span class="path">${esc(e.path)}</span>`,
        esc(e.detail),
      ]),
    ),
    `<h3>IAM roles: who may do what (least-privilege matrix)</h3>`,
    table(
      ['Role', 'Trusted by', 'Actions', 'Resources', 'Conditions'],
      inv.roles.flatMap((r) =>
        (r.permissions.length
          ? r.permissions
          : [{ effect: '', actions: ['(no permissions)'], resources: [], conditions: [], source: '' }]
        ).map((p, i) => [
          i === 0 ? `<span class="path">${esc(r.path)}</span>` : '',
          i === 0 ? lines(r.trustedBy) : '',
          `${p.effect === 'Deny' ? '<strong>DENY</strong> ' : ''}<code>${lines(p.actions)}</code>`,
          `<span class="path">${lines(p.resources)}</span>`,
          `<span class="path">${lines(p.conditions)}</span>`,
        ]),
      ),
      [17, 20, 25, 24, 14],
    ),
    validationSection(report, env.name),
  ].join('\n');
  return page(`Compliance report — ${env.name}`, body);
}

function validationSection(report: ComplianceReport, envName?: string): string {
  const notes = report.validation.filter((v) => !envName || v.where.some((w) => inEnvironment(w, envName)));
  if (notes.length === 0)
    return '<h2>Validation report</h2><p>CDK recorded no validation findings for this synth.</p>';
  return `<h2>Validation report (cdk.out/validation-report.json)</h2>${table(
    ['Plugin', 'Rule', 'Severity', 'Description', 'Where'],
    notes.map((n) => [
      esc(n.plugin),
      `<code>${esc(n.rule)}</code>`,
      n.severity === 'error' ? '<span class="chip failing">error</span>' : esc(n.severity),
      esc(n.description),
      `<span class="path">${lines(n.where)}</span>`,
    ]),
  )}`;
}

/** One framework's view: its mapped controls, the project controls behind them, their status per environment. */
export function renderFrameworkHtml(report: ComplianceReport, view: FrameworkView): string {
  const envs = report.environments;
  const body = [
    `<nav><a href="index.html">← overview</a>${report.frameworks
      .map((f) => `<a href="${frameworkPage(f.id, 'html')}">${esc(f.name)}</a>`)
      .join('')}</nav>`,
    `<h1>${esc(view.name)} — what this deployment covers</h1>`,
    `<p class="meta">${view.coveredCount} of ${view.rows.length} mapped ${esc(view.name)} requirements covered in every environment · source: ${esc(view.source)} · generated ${esc(report.generatedAt)}</p>`,
    `<p>${esc(view.scope)}</p>`,
    table(
      [view.id === 'gdpr' ? 'Article' : 'Control', 'Title', 'Project controls', ...envs.map((e) => e.name)],
      view.rows.map((r) => [
        `<span class="id" id="${anchorOf(r.id)}"><a class="anchor" href="#${anchorOf(r.id)}">${esc(r.id)}</a></span>`,
        esc(r.title),
        r.controls
          .map((c) => `<a href="${esc(envs[0]?.name.toLowerCase() ?? 'index')}.html#${esc(c)}">${esc(c)}</a>`)
          .join(', '),
        // Each environment's status links to the mapped control that sets it there.
        ...envs.map((e) => {
          const worst = r.controls.find(
            (c) => e.controls.find((x) => x.id === c)?.status === r.byEnvironment[e.name],
          );
          return `<a href="${esc(e.name.toLowerCase())}.html#${esc(worst ?? '')}">${chip(r.byEnvironment[e.name])}</a>`;
        }),
      ]),
      [10, 30, 30, ...envs.map(() => Math.floor(30 / Math.max(envs.length, 1)))],
    ),
  ].join('\n');
  return page(`${view.name} — compliance report`, body);
}

export function renderOverviewHtml(report: ComplianceReport): string {
  const envs = report.environments;
  const failing = report.overview
    .filter((o) => o.status === 'failing')
    .map((o) => {
      const { environments, firstProblem } = failureOf(report, o);
      return { id: o.id, text: `[${environments.join(', ')}] ${firstProblem ?? ''}` };
    });
  const matrix = table(
    ['Control', ...envs.map((e) => e.name), 'Requirement'],
    report.overview.map((o) => [
      `<span class="id">${esc(o.id)}</span>`,
      ...envs.map(
        (e) =>
          `<a href="${esc(e.name.toLowerCase())}.html#${esc(o.id)}">${chip(o.byEnvironment[e.name])}</a>`,
      ),
      esc(o.title),
    ]),
  );
  const body = [
    `<h1>Compliance report — overview</h1>`,
    `<p class="meta">${envs.length} environments · ${report.overview.length} controls · rule packs ${esc(report.rulePacks.join(', '))} · generated ${esc(report.generatedAt)} from <code>${esc(report.assemblyDirectory)}</code></p>`,
    `<nav>${envs.map((e) => `<a href="${esc(e.name.toLowerCase())}.html">${esc(e.name)} (${e.counts.failing} failing)</a>`).join('')}${envs
      .filter((e) => e.dpia)
      .map((e) => `<a href="${dpiaPage(e.name, 'html')}">DPIA draft ${esc(e.name)}</a>`)
      .join('')}</nav>`,
    banner(failing, 'the deployment'),
    countsBar(report.counts),
    `<h2>Controls by environment (worst first)</h2>`,
    matrix,
    sbomSection(report),
    `<h2>Frameworks</h2>`,
    table(
      ['Framework', 'Mapped requirements covered', 'Not covered (a mapped control is failing)'],
      report.frameworks.map((f) => [
        `<a href="${frameworkPage(f.id, 'html')}">${esc(f.name)}</a>`,
        `${f.coveredCount} of ${f.rows.length}`,
        f.rows
          .filter((r) => !r.covered)
          .map((r) => `<a href="${frameworkPage(f.id, 'html')}#${anchorOf(r.id)}">${esc(r.id)}</a>`)
          .join(', ') || 'none',
      ]),
    ),
    `<h2>Rule packs</h2>`,
    table(
      ['Environment', ...report.rulePacks.map((p) => `${p} ack / open`)],
      envs.map((e) => [
        esc(e.name),
        ...report.rulePacks.map((p) => {
          const c = e.packCounts.find((x) => x.pack === p);
          return `${c?.acknowledged ?? 0} / ${c?.unacknowledged ? `<span class="chip failing">${c.unacknowledged}</span>` : '0'}`;
        }),
      ]),
    ),
    `<h2>Needs a human</h2>`,
    envs.map((e) => `<h3>${esc(e.name)}</h3>${humanBlock(e.needsHuman)}`).join(''),
    validationSection(report),
  ].join('\n');
  return page('Compliance report — overview', body);
}

/** The bills of materials (SEC-5): one row per SBOM with its package count, and what is missing. */
function sbomSection(report: ComplianceReport): string {
  const index = report.sboms;
  if (!index)
    return `<h2>Bills of materials (SEC-5)</h2><p>None were written: run <code>npm run synth</code>.</p>`;
  return [
    `<h2>Bills of materials (SEC-5)</h2>`,
    `<p class="meta">CycloneDX ${esc(index.specVersion)}, by ${esc(index.generator)}, in <code>sbom/</code> of the assembly.</p>`,
    table(
      ['SBOM', 'Kind', 'Packages', 'From', 'Used by'],
      [
        ...index.sboms.map((s) => [
          `<a href="../sbom/${esc(s.file)}"><code>${esc(s.file)}</code></a>`,
          esc(s.kind),
          String(s.packages),
          esc(s.source),
          esc(s.functions.length ? s.functions.join(', ') : s.subject),
        ]),
        ...index.missing.map((m) => [
          `<span class="chip failing">missing</span> <code>${esc(m.subject)}</code>`,
          'lambda-asset',
          '—',
          esc(m.reason),
          esc(m.functions.join(', ')),
        ]),
      ],
    ),
  ].join('\n');
}
