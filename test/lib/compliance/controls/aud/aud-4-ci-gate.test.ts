import * as path from 'node:path';
import { AUD_4 } from '../../../../../lib/compliance/controls/aud/aud-4-ci-gate';
import { RepositoryFacts } from '../../../../../lib/compliance/controls/control';
import { readRepositoryFacts } from '../../../../../lib/compliance/write';
import { context, describeControl, environment } from '../harness';

const ROOT = path.join(__dirname, '..', '..', '..', '..', '..');
const repository = readRepositoryFacts(ROOT);
const withWorkflow = (file: string, edit: (text: string) => string): RepositoryFacts => ({
  workflows: repository.workflows.map((w) => (w.file.endsWith(file) ? { ...w, text: edit(w.text) } : w)),
});
const ctx = (repo: RepositoryFacts) => context(environment({ stacks: {} }), { repository: repo });

describeControl(AUD_4, {
  compliant: [
    {
      name: 'the repository workflows: gate before every deployment, prod approved',
      context: () => ctx(repository),
      evidence: [
        'CI runs dependency audit (high)',
        'prod deploys through the protected GitHub environment "prod" (required reviewers)',
        /^deploy job prod runs only after the CI gate/,
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'an action pinned to a tag instead of a commit',
      context: () =>
        ctx(
          withWorkflow('ci.yml', (t) => t.replace(/actions\/checkout@[0-9a-f]{40}/, 'actions/checkout@v4')),
        ),
      problem: '.github/workflows/ci.yml: actions/checkout@v4 is not pinned to a full commit SHA',
    },
    {
      name: 'the dependency audit step removed',
      context: () =>
        ctx(withWorkflow('ci.yml', (t) => t.replace('npm audit --audit-level=high', 'echo skipped'))),
      problem: 'CI does not run dependency audit (high)',
    },
    {
      name: 'the prod job without its protected environment',
      context: () => ctx(withWorkflow('deploy.yml', (t) => t.replace('    environment: prod\n', ''))),
      problem: 'prod deployment does not use a protected GitHub environment',
    },
    {
      name: 'a deploy job that does not wait for the gate',
      context: () => ctx(withWorkflow('deploy.yml', (t) => t.replace('    needs: gate\n', ''))),
      problem: 'deploy job dev does not depend on the CI gate',
    },
    {
      name: 'a workflow GitHub could not parse',
      context: () => ctx(withWorkflow('ci.yml', (t) => `${t}\n  bad: [unclosed\n`)),
      problem: /^\.github\/workflows\/ci\.yml is not valid YAML/,
    },
  ],
});
