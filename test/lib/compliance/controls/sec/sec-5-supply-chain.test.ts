import * as iam from 'aws-cdk-lib/aws-iam';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as path from 'node:path';
import { SEC_5 } from '../../../../../lib/compliance/controls/sec/sec-5-supply-chain';
import { readRepositoryFacts } from '../../../../../lib/compliance/write';
import { EncryptionKey } from '../../../../../lib/constructs/encryption-key';
import { GithubCiRole } from '../../../../../lib/constructs/github-ci-role';
import { PackageRepository } from '../../../../../lib/constructs/package-repository';
import { SbomIndex } from '../../../../../lib/sbom/sbom-index';
import { changed, context, describeControl, environment, Resources, synthesize } from '../harness';
import { RepositoryFacts } from '../../../../../lib/compliance/controls/control';

const ROOT = path.join(__dirname, '..', '..', '..', '..', '..');
const ASSET = 'asset.0123456789abcdef';

/** The tooling stack's resources, from the real constructs. */
const tooling: Resources = synthesize((stack) => {
  const key = new EncryptionKey(stack, 'PackagesKey', {
    aliasName: 'churn/tooling/packages',
    description: 'packages',
    removalPolicy: RemovalPolicy.DESTROY,
    viaServices: ['codeartifact'],
  });
  const ci = new GithubCiRole(stack, 'GithubCi', {
    repository: 'example-org/churn',
    roleName: 'churn-github-ci',
    subjects: ['pull_request', 'ref:refs/heads/main'],
  });
  new PackageRepository(stack, 'Packages', {
    domainName: 'churn-packages',
    storeRepositoryName: 'npm-store',
    repositoryName: 'ci',
    encryptionKey: key.key,
    readers: [ci.role],
  });
}, 'Tooling');

const workload: Resources = {
  Handler: {
    Type: 'AWS::Lambda::Function',
    Properties: {},
    Metadata: { 'aws:cdk:path': 'Prod/Api/Handler/Resource', 'aws:asset:path': `../${ASSET}` },
  },
};

const sboms: SbomIndex = {
  specVersion: '1.6',
  generator: '@cyclonedx/cyclonedx-library@10.3.0',
  sboms: [
    {
      file: `${ASSET}.cdx.json`,
      kind: 'lambda-asset',
      subject: ASSET,
      functions: ['Prod/Api/Handler'],
      packages: 31,
      source: 'esbuild-metafile',
    },
    {
      file: 'package-secure-churn-deploy.cdx.json',
      kind: 'package',
      subject: 'secure-churn-deploy',
      functions: [],
      packages: 140,
      source: 'lockfile-production-closure',
    },
  ],
  missing: [],
};

const repository = readRepositoryFacts(ROOT);
const ctx =
  (opts: { tooling?: Resources | null; sboms?: SbomIndex | null; repository?: RepositoryFacts } = {}) =>
  () =>
    context(environment({ stacks: { Api: workload } }), {
      repository: opts.repository ?? repository,
      ...(opts.tooling === null
        ? {}
        : { tooling: environment({ name: 'Tooling', stacks: { Tooling: opts.tooling ?? tooling } }) }),
      ...(opts.sboms === null ? {} : { sboms: opts.sboms ?? sboms }),
    });

const ofType = (r: Resources, type: string) => Object.values(r).filter((x) => x.Type === type);
const repositoryNamed = (r: Resources, name: string) =>
  ofType(r, 'AWS::CodeArtifact::Repository').find((x) => x.Properties!.RepositoryName === name)!;
type Doc = { Statement: Array<{ Principal: unknown }> };

describeControl(SEC_5, {
  compliant: [
    {
      name: 'the tooling stack of the real constructs, the repository workflows, an SBOM for every Lambda asset',
      context: ctx(),
      evidence: [
        'repository ci installs through its upstream, which connects to public:npmjs',
        /^domain churn-packages allows codeartifact:GetAuthorizationToken only to Tooling\/GithubCi\/Role/,
        '.github/workflows/ci.yml job gate logs in to CodeArtifact with an OIDC session before installing',
        /^Lambda asset asset\.0123456789ab.*: CycloneDX SBOM sbom\/asset\.0123456789abcdef\.cdx\.json, 31 packages/,
        /^package secure-churn-deploy: CycloneDX SBOM .*140 packages/,
        /^not proven offline: that a CI run installed through the repository/,
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'no tooling account, so no private repository',
      context: ctx({ tooling: null }),
      problem: /^no tooling stack in the assembly/,
    },
    {
      name: 'the store has no external connection to npm',
      context: ctx({
        tooling: changed(
          tooling,
          (r) => delete repositoryNamed(r, 'npm-store').Properties!.ExternalConnections,
        ),
      }),
      problem: 'no CodeArtifact repository has the external connection public:npmjs',
    },
    {
      name: 'the CI repository does not read through the store',
      context: ctx({
        tooling: changed(tooling, (r) => delete repositoryNamed(r, 'ci').Properties!.Upstreams),
      }),
      problem: 'no CodeArtifact repository has the npm store as its upstream',
    },
    {
      name: 'the domain policy allows any principal',
      context: ctx({
        tooling: changed(tooling, (r) => {
          const domain = ofType(r, 'AWS::CodeArtifact::Domain')[0];
          (domain.Properties!.PermissionsPolicyDocument as Doc).Statement[0].Principal = { AWS: '*' };
        }),
      }),
      problem: 'domain churn-packages allows codeartifact:GetAuthorizationToken to any principal',
    },
    {
      name: 'the domain is encrypted with an AWS-managed key',
      context: ctx({
        tooling: changed(tooling, (r) => {
          ofType(r, 'AWS::CodeArtifact::Domain')[0].Properties!.EncryptionKey = 'alias/aws/codeartifact';
        }),
      }),
      problem: 'domain churn-packages is not encrypted with a customer-managed key',
    },
    {
      name: 'a Lambda asset has no bill of materials',
      context: ctx({ sboms: { ...sboms, sboms: sboms.sboms.filter((s) => s.kind === 'package') } }),
      problem: `Lambda asset ${ASSET} has no CycloneDX bill of materials`,
    },
    {
      name: 'no bills of materials were written',
      context: ctx({ sboms: null }),
      problem: /^no bills of materials/,
    },
    {
      name: 'a workflow installs packages without logging in to CodeArtifact',
      context: ctx({
        repository: {
          workflows: [
            {
              file: '.github/workflows/ci.yml',
              text: 'jobs:\n  gate:\n    steps:\n      - run: npm ci\n',
            },
          ],
        },
      }),
      problem:
        '.github/workflows/ci.yml job gate installs packages without logging in to CodeArtifact through OIDC first',
    },
  ],
});

// The role trusted by GitHub is what the policies must name; a plain role is not the CI role.
test('SEC-5 a domain policy naming a role GitHub cannot assume is not limited to the CI role', () => {
  const other = synthesize((stack) => {
    const key = new EncryptionKey(stack, 'K', {
      aliasName: 'x/k',
      description: 'k',
      removalPolicy: RemovalPolicy.DESTROY,
      viaServices: ['codeartifact'],
    });
    new GithubCiRole(stack, 'GithubCi', {
      repository: 'example-org/churn',
      roleName: 'churn-github-ci',
      subjects: ['pull_request'],
    });
    const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    new PackageRepository(stack, 'Packages', {
      domainName: 'churn-packages',
      storeRepositoryName: 'npm-store',
      repositoryName: 'ci',
      encryptionKey: key.key,
      readers: [admin],
    });
  }, 'Tooling');
  const outcome = SEC_5.evaluate(ctx({ tooling: other })());
  expect(outcome.status).toBe('failing');
  expect(outcome.problems.map((p) => p.text)).toEqual(
    expect.arrayContaining([expect.stringMatching(/^domain churn-packages allows .* not only the CI role$/)]),
  );
});
