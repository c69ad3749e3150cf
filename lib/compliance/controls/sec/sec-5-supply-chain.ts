import { EnvironmentModel, isPublicPrincipal, ResourceHandle, statementsOf } from '../../model';
import { defineControl, Findings } from '../control';
import {
  conditionValues,
  list,
  parseWorkflows,
  plural,
  policyDocuments,
  rolesOfPolicy,
  statementAllows,
} from '../template-readers';
import { GITHUB_OIDC_HOST } from './sec-3-ci-oidc';

const NPM_EXTERNAL_CONNECTION = 'public:npmjs';
const INSTALL = /\bnpm\s+(ci|install|i)\b/;
const CODEARTIFACT_LOGIN = /\baws\s+codeartifact\s+login\b[^\n]*--tool\s+npm/;

/**
 * The asset directory (`asset.<hash>`) a function's code comes from: the asset metadata `cdk synth` writes,
 * or else the S3 key CDK names after the asset hash.
 */
function assetOf(fn: ResourceHandle): string | undefined {
  const assetPath = fn.resource.Metadata?.['aws:asset:path'];
  if (typeof assetPath === 'string') return assetPath.split('/').pop();
  const key = (fn.props.Code as { S3Key?: unknown } | undefined)?.S3Key;
  const hash = typeof key === 'string' ? /^([0-9a-f]{64})\.zip$/.exec(key)?.[1] : undefined;
  return hash ? `asset.${hash}` : undefined;
}

/** The roles of the tooling account that GitHub Actions assumes through OIDC. */
function githubRoles(model: EnvironmentModel): ResourceHandle[] {
  return model
    .ofType('AWS::IAM::Role')
    .filter((role) =>
      statementsOf(role.props.AssumeRolePolicyDocument).some(
        (s) => conditionValues(s, 'StringEquals', `${GITHUB_OIDC_HOST}:sub`).length > 0,
      ),
    );
}

/** Checks a resource policy names only the given roles (no wildcard, no account, no other principal). */
function namesOnly(
  model: EnvironmentModel,
  resource: ResourceHandle,
  document: unknown,
  roles: readonly ResourceHandle[],
  what: string,
  f: Findings,
): void {
  const statements = statementsOf(document).filter((s) => s.effect === 'Allow');
  if (statements.length === 0) return f.bad(`${what} has no policy naming the CI role`, resource);
  for (const s of statements) {
    const principals = list<unknown>((s.principal as { AWS?: unknown } | undefined)?.AWS);
    const named = principals.map((p) => model.referencedResources(p, resource.stack)[0]);
    if (isPublicPrincipal(s.principal) || principals.length === 0)
      f.bad(`${what} allows ${s.actions.join(', ')} to any principal`, resource);
    else if (named.every((r) => r !== undefined && roles.includes(r)))
      f.ok(
        `${what} allows ${s.actions.join(', ')} only to ${named.map((r) => r!.path).join(', ')}`,
        resource,
      );
    else
      f.bad(
        `${what} allows ${s.actions.join(', ')} to ${principals.map((p) => model.describe(p, resource.stack)).join(', ')}, not only the CI role`,
        resource,
      );
  }
}

function checkRepository(model: EnvironmentModel, f: Findings): void {
  const ciRoles = githubRoles(model);
  if (ciRoles.length === 0) f.bad('no role in the tooling account trusts GitHub OIDC (the CI role)');
  const domains = model.ofType('AWS::CodeArtifact::Domain');
  if (domains.length === 0) return f.bad('no CodeArtifact domain in the tooling account');
  for (const domain of domains) {
    const name = model.describe(domain.props.DomainName, domain.stack);
    const key = model
      .referencedResources(domain.props.EncryptionKey, domain.stack)
      .find((r) => r.type === 'AWS::KMS::Key');
    if (!key) f.bad(`domain ${name} is not encrypted with a customer-managed key`, domain);
    else {
      const viaCodeArtifact = statementsOf(key.props.KeyPolicy).filter(
        (s) =>
          s.effect === 'Allow' &&
          conditionValues(s, 'StringEquals', 'kms:ViaService').some((v) =>
            String(v).startsWith('codeartifact.'),
          ),
      );
      f.check(
        ['kms:CreateGrant', 'kms:DescribeKey'].every((a) =>
          viaCodeArtifact.some((s) => statementAllows(s, a)),
        ),
        `domain ${name} is encrypted with ${key.path}, whose policy lets CodeArtifact describe it and create grants`,
        `domain ${name}: the key policy of ${key.path} does not allow kms:CreateGrant and kms:DescribeKey through CodeArtifact`,
        domain,
      );
    }
    namesOnly(model, domain, domain.props.PermissionsPolicyDocument, ciRoles, `domain ${name}`, f);
  }
  const repositories = model.ofType('AWS::CodeArtifact::Repository');
  const stores = repositories.filter((r) =>
    list<unknown>(r.props.ExternalConnections).includes(NPM_EXTERNAL_CONNECTION),
  );
  if (stores.length === 0)
    return f.bad(`no CodeArtifact repository has the external connection ${NPM_EXTERNAL_CONNECTION}`);
  const ciRepositories = repositories.filter((r) =>
    list<unknown>(r.props.Upstreams).some((u) => {
      const target = model.referencedResources(u, r.stack)[0];
      return target
        ? stores.includes(target)
        : stores.some((s) => model.describe(s.props.RepositoryName, s.stack) === String(u));
    }),
  );
  if (ciRepositories.length === 0)
    return f.bad('no CodeArtifact repository has the npm store as its upstream');
  for (const repo of ciRepositories) {
    const name = model.describe(repo.props.RepositoryName, repo.stack);
    f.ok(
      `repository ${name} installs through its upstream, which connects to ${NPM_EXTERNAL_CONNECTION}`,
      repo,
    );
    namesOnly(model, repo, repo.props.PermissionsPolicyDocument, ciRoles, `repository ${name}`, f);
  }
  for (const role of ciRoles) {
    const statements = policyDocuments(model)
      .filter(({ handle }) => rolesOfPolicy(model, handle).includes(role))
      .flatMap(({ statements: s }) => s);
    const allows = (action: string) => statements.some((s) => statementAllows(s, action));
    const bearer = statements.filter((s) => statementAllows(s, 'sts:GetServiceBearerToken'));
    f.check(
      allows('codeartifact:GetAuthorizationToken') && allows('codeartifact:ReadFromRepository'),
      `${role.path} may get an authorization token and read the repository`,
      `${role.path} may not get a CodeArtifact token and read the repository`,
      role,
    );
    f.check(
      bearer.length > 0 &&
        bearer.every((s) => {
          const services = conditionValues(s, 'StringEquals', 'sts:AWSServiceName');
          return services.length > 0 && services.every((v) => v === 'codeartifact.amazonaws.com');
        }),
      `${role.path} gets bearer tokens for CodeArtifact only (sts:AWSServiceName)`,
      `${role.path} lacks sts:GetServiceBearerToken limited to codeartifact.amazonaws.com`,
      role,
    );
  }
}

export const SEC_5 = defineControl({
  id: 'SEC-5',
  implementedBy: [
    { name: 'PackageRepository', file: 'lib/constructs/package-repository.ts' },
    { name: 'GithubCiRole', file: 'lib/constructs/github-ci-role.ts' },
    { name: 'ToolingStack', file: 'lib/stacks/tooling-stack.ts' },
    { name: 'writeAssemblySboms', file: 'lib/sbom/assembly-sboms.ts' },
    { name: 'gate', file: '.github/workflows/ci.yml' },
  ],
  provenBy: [
    {
      file: 'test/lib/constructs/package-repository.test.ts',
      name: 'private package repository (SEC-5) the domain is encrypted with the tooling key, whose policy lets CodeArtifact create grants only for AWS resources',
    },
    {
      file: 'test/lib/constructs/package-repository.test.ts',
      name: 'private package repository (SEC-5) the CI repository reads through the npm store, the only repository connected to public:npmjs',
    },
    {
      file: 'test/lib/constructs/package-repository.test.ts',
      name: 'private package repository (SEC-5) domain and repository policies name only the CI role, never a wildcard',
    },
    {
      file: 'test/lib/sbom/assembly-sboms.test.ts',
      name: 'CycloneDX bills of materials (SEC-5) a bundled package appears with its lockfile version, purl and hash; a package not bundled does not',
    },
    {
      file: 'test/architecture/workflows-install-through-codeartifact.test.ts',
      name: 'SEC-5: every workflow job that installs packages logs in to CodeArtifact first, with an OIDC session',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    if (!ctx.tooling)
      f.bad(
        'no tooling stack in the assembly: without a tooling account (config `tooling`) CI has no private package repository',
      );
    else checkRepository(ctx.tooling, f);

    const workflows = parseWorkflows(ctx.repository);
    if (workflows.length === 0) f.bad('no GitHub workflow was read');
    for (const w of workflows) {
      for (const job of w.jobs) {
        const installAt = job.steps.findIndex((s) => INSTALL.test(s.run ?? ''));
        if (installAt < 0) continue;
        const before = job.steps.slice(0, installAt);
        const oidc = before.some(
          (s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@') && 'role-to-assume' in s.with,
        );
        const login = before.some((s) => CODEARTIFACT_LOGIN.test(s.run ?? ''));
        f.check(
          oidc && login,
          `${w.file} job ${job.id} logs in to CodeArtifact with an OIDC session before installing`,
          `${w.file} job ${job.id} installs packages without logging in to CodeArtifact through OIDC first`,
        );
      }
    }

    const index = ctx.sboms;
    if (!index) f.bad('no bills of materials: cdk.out/sbom/index.json is missing (run npm run synth)');
    else {
      const byAsset = new Map(
        index.sboms.filter((s) => s.kind === 'lambda-asset').map((s) => [s.subject, s]),
      );
      for (const fn of ctx.model.ofType('AWS::Lambda::Function')) {
        const asset = assetOf(fn);
        if (!asset) {
          f.bad('function has no file asset the bill of materials could describe', fn);
          continue;
        }
        const sbom = byAsset.get(asset);
        const missing = index.missing.find((m) => m.subject === asset);
        f.check(
          sbom !== undefined,
          `Lambda asset ${asset.slice(0, 18)}…: CycloneDX SBOM sbom/${sbom?.file ?? ''}, ${plural(sbom?.packages ?? 0, 'package')} (${sbom?.source ?? ''})`,
          `Lambda asset ${asset} has no CycloneDX bill of materials${missing ? `: ${missing.reason}` : ''}`,
          fn,
        );
      }
      const pkg = index.sboms.find((s) => s.kind === 'package');
      f.check(
        pkg !== undefined,
        `package ${pkg?.subject ?? ''}: CycloneDX SBOM sbom/${pkg?.file ?? ''}, ${plural(pkg?.packages ?? 0, 'package')} (production closure of package-lock.json)`,
        'the package (CLI) has no CycloneDX bill of materials',
      );
    }
    if (f.problems.length === 0)
      f.ok(
        'not proven offline: that a CI run installed through the repository (the workflows are read, not run), and that the bills of materials match the deployed code (they describe this synth)',
      );
    return f.conclude(
      'enforced',
      'CI installs through a private CodeArtifact repository (upstream public:npmjs, OIDC only); every Lambda asset and the package have a CycloneDX SBOM',
    );
  },
});
