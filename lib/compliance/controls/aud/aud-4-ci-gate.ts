import { defineControl, Findings } from '../control';
import { ParsedWorkflow, parseWorkflows, WorkflowJob, workflowUses } from '../template-readers';

/** The gate's steps, each recognised by the shell command a step runs (or the action it uses). */
const GATE_STEPS: ReadonlyArray<[string, (run: string) => boolean]> = [
  ['install (npm ci)', (r) => /(^|\s)npm ci\b/.test(r)],
  ['type-check', (r) => /tsc --noEmit|npm run typecheck/.test(r)],
  ['lint', (r) => /npm run lint|eslint/.test(r)],
  ['tests', (r) => /npm test|npx jest|npm run test/.test(r)],
  ['synth with rule packs and report', (r) => /npm run synth/.test(r)],
  ['dependency audit (high)', (r) => /npm audit --audit-level=(high|moderate|low)/.test(r)],
];

const CI_FILE = /(^|\/)ci\.ya?ml$/;
const DEPLOY_FILE = /(^|\/)deploy\.ya?ml$/;

/** The jobs a job waits for, directly or through others. */
function upstream(workflow: ParsedWorkflow, job: WorkflowJob, seen = new Set<string>()): Set<string> {
  for (const need of job.needs) {
    if (seen.has(need)) continue;
    seen.add(need);
    const other = workflow.jobs.find((j) => j.id === need);
    if (other) upstream(workflow, other, seen);
  }
  return seen;
}

const deploysWith = (job: WorkflowJob) => job.steps.some((s) => /\bcdk deploy\b/.test(s.run ?? ''));

export const AUD_4 = defineControl({
  id: 'AUD-4',
  implementedBy: [
    { name: 'gate', file: '.github/workflows/ci.yml' },
    { name: 'prod', file: '.github/workflows/deploy.yml' },
  ],
  provenBy: [
    {
      file: 'test/lib/compliance/controls/aud/aud-4-ci-gate.test.ts',
      name: 'AUD-4 evidence check AUD-4 compliant: the repository workflows: gate before every deployment, prod approved',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const workflows = parseWorkflows(ctx.repository);
    for (const w of workflows) for (const e of w.errors) f.bad(`${w.file} is not valid YAML: ${e}`);
    const ci = workflows.find((w) => CI_FILE.test(w.file));
    const deploy = workflows.find((w) => DEPLOY_FILE.test(w.file));
    if (!ci) f.bad('no CI workflow (.github/workflows/ci.yml)');
    if (!deploy) f.bad('no deployment workflow (.github/workflows/deploy.yml)');
    if (ci) {
      const runs = ci.jobs.flatMap((j) => j.steps.map((s) => s.run ?? ''));
      for (const [step, test] of GATE_STEPS)
        f.check(runs.some(test), `CI runs ${step}`, `CI does not run ${step}`);
      f.check(
        workflowUses(ci).some((u) => u.startsWith('actions/upload-artifact@')),
        'CI uploads the compliance report',
        'CI does not upload the compliance report',
      );
    }
    for (const w of workflows) {
      for (const uses of workflowUses(w)) {
        if (uses.startsWith('./')) continue;
        const [action, ref] = uses.split('@');
        if (!/^[0-9a-f]{40}$/.test(ref ?? ''))
          f.bad(`${w.file}: ${action}@${ref ?? ''} is not pinned to a full commit SHA`);
      }
      f.check(
        w.keys.includes('permissions'),
        `${w.file}: top-level permissions set`,
        `${w.file}: no top-level permissions (defaults are broad)`,
      );
    }
    if (deploy) {
      const gates = deploy.jobs.filter((j) => j.uses !== undefined && CI_FILE.test(j.uses)).map((j) => j.id);
      if (gates.length === 0) f.bad('the deployment workflow does not run the CI gate');
      const deployers = deploy.jobs.filter(deploysWith);
      if (deployers.length === 0) f.bad('the deployment workflow deploys nothing (no cdk deploy step)');
      for (const job of deployers) {
        f.check(
          gates.some((g) => upstream(deploy, job).has(g)),
          `deploy job ${job.id} runs only after the CI gate (${[...upstream(deploy, job)].join(' → ')})`,
          `deploy job ${job.id} does not depend on the CI gate`,
        );
      }
      const prod = deployers.filter((j) => j.steps.some((s) => /\bcdk deploy\s+'?Prod\//.test(s.run ?? '')));
      if (prod.length === 0) f.bad('no job deploys Prod');
      for (const job of prod) {
        f.check(
          job.environment === 'prod',
          `prod deploys through the protected GitHub environment "prod" (required reviewers)`,
          'prod deployment does not use a protected GitHub environment',
        );
      }
    }
    return f.conclude('enforced', 'CI gate before any deployment; prod needs a manual approval');
  },
});
