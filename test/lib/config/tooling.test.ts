import { toolingNames } from '../../../lib/config';
import { exampleConfig } from '../../helpers/app';
import { problemsOf } from '../../helpers/config-problems';

describe('tooling.packageRepository configuration (SEC-5)', () => {
  test('defaults: domain <project>-packages, store npm-store, CI repository ci, a created OIDC provider', () => {
    const config = exampleConfig();
    expect(config.tooling?.githubOidcProvider).toBe('create');
    expect(toolingNames(config.project.name, config.tooling!)).toEqual({
      domain: 'churn-packages',
      storeRepository: 'npm-store',
      repository: 'ci',
      ciRole: 'churn-github-ci',
    });
  });

  test('a domain name CodeArtifact refuses names the field and the allowed form', () => {
    expect(problemsOf((r) => (r.tooling.packageRepository = { domain: 'Churn_Packages' }))).toEqual([
      "tooling.packageRepository.domain: 'Churn_Packages' is not allowed; expected a CodeArtifact domain name: 3-50 lower-case letters, digits or dashes, starting with a letter",
    ]);
  });

  test('a repository name with a slash names the field', () => {
    expect(problemsOf((r) => (r.tooling.packageRepository = { repository: 'ci/main' }))).toEqual([
      "tooling.packageRepository.repository: 'ci/main' is not allowed; expected a CodeArtifact repository name: 2-100 letters, digits, dots, dashes or underscores",
    ]);
  });

  test('CI cannot install from the store itself: the two repositories must differ', () => {
    expect(
      problemsOf((r) => (r.tooling.packageRepository = { storeRepository: 'npm', repository: 'npm' })),
    ).toEqual([
      "tooling.packageRepository.repository: 'npm' is also the store repository; CI installs from its own repository, whose upstream is the store (SEC-5)",
    ]);
  });

  test('an unknown field is refused with the allowed ones', () => {
    expect(problemsOf((r) => (r.tooling.packageRepository = { upstream: 'x' }))).toEqual([
      'tooling.packageRepository.upstream: unknown field; allowed: domain, storeRepository, repository',
    ]);
  });
});
