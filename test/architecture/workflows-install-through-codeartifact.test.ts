import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const DIR = path.join(__dirname, '..', '..', '.github', 'workflows');

type Step = { uses?: string; run?: string; with?: Record<string, unknown> };
type Job = { uses?: string; permissions?: Record<string, string>; steps?: Step[] };
type Workflow = { permissions?: Record<string, string>; jobs: Record<string, Job> };

const workflows = fs
  .readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((file) => ({ file, workflow: parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as Workflow }));
const jobs = workflows.flatMap(({ file, workflow }) =>
  Object.entries(workflow.jobs).map(([id, job]) => ({ file, id, job })),
);
const INSTALL = /\bnpm\s+(ci|install|i)\b/;
const configureCredentials = (s: Step) =>
  s.uses?.startsWith('aws-actions/configure-aws-credentials@') ?? false;

test('SEC-5: every workflow job that installs packages logs in to CodeArtifact first, with an OIDC session', () => {
  const installers = jobs.filter(({ job }) => (job.steps ?? []).some((s) => INSTALL.test(s.run ?? '')));
  expect(installers.map(({ file, id }) => `${file}:${id}`).sort()).toEqual([
    'ci.yml:gate',
    'deploy.yml:dev',
    'deploy.yml:prod',
    'deploy.yml:test',
  ]);
  for (const { file, id, job } of installers) {
    const steps = job.steps!;
    const install = steps.findIndex((s) => INSTALL.test(s.run ?? ''));
    const credentials = steps.findIndex(configureCredentials);
    const login = steps.findIndex((s) => /\baws codeartifact login --tool npm\b/.test(s.run ?? ''));
    expect({ file, id, order: credentials >= 0 && credentials < login && login < install }).toEqual({
      file,
      id,
      order: true,
    });
    // The CI role of the tooling account (read packages only), by OIDC: no access keys.
    expect(steps[credentials].with).toMatchObject({
      'role-to-assume': '${{ vars.AWS_CI_ROLE_ARN }}',
      'aws-region': '${{ vars.AWS_TOOLING_REGION }}',
    });
    expect(Object.keys(steps[credentials].with ?? {})).not.toContain('aws-access-key-id');
    expect(steps[login].run).toMatch(
      /--domain "\$\{\{ vars\.CODEARTIFACT_DOMAIN \}\}"\s+--domain-owner "\$\{\{ vars\.CODEARTIFACT_DOMAIN_OWNER \}\}" --repository "\$\{\{ vars\.CODEARTIFACT_REPOSITORY \}\}"/,
    );
    expect({ file, id, permissions: job.permissions }).toEqual({
      file,
      id,
      permissions: { contents: 'read', 'id-token': 'write' },
    });
  }
});

test('SEC-5: deploy.yml lets the gate it calls request an OIDC token (a called workflow gets no more than its caller grants)', () => {
  const deploy = workflows.find((w) => w.file === 'deploy.yml')!.workflow;
  expect(deploy.jobs.gate).toMatchObject({
    uses: './.github/workflows/ci.yml',
    permissions: { contents: 'read', 'id-token': 'write' },
  });
});

test('SEC-5: the dependency audit asks the public registry, since CodeArtifact serves no audit endpoint', () => {
  const runs = jobs.flatMap(({ job }) => (job.steps ?? []).map((s) => s.run ?? ''));
  const audits = runs.filter((r) => /\bnpm audit\b/.test(r));
  expect(audits.length).toBeGreaterThan(0);
  for (const audit of audits) expect(audit).toContain('--registry=https://registry.npmjs.org/');
});

test('SEC-5: the CI artifact carries the bills of materials beside the report that links to them', () => {
  const upload = jobs
    .flatMap(({ job }) => job.steps ?? [])
    .find((s) => s.uses?.startsWith('actions/upload-artifact@'));
  expect(String(upload?.with?.path).split('\n').filter(Boolean)).toEqual([
    'cdk.out/compliance',
    'cdk.out/sbom',
  ]);
});
