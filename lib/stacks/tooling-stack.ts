import { CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ProjectSettings, ToolingAccount, toolingNames } from '../config';
import { EncryptionKey } from '../constructs/encryption-key';
import { GithubCiRole } from '../constructs/github-ci-role';
import { GITHUB_OIDC_URL } from '../constructs/github-oidc-deploy-role';
import { PackageRepository } from '../constructs/package-repository';

export interface ToolingStackProps extends StackProps {
  readonly project: ProjectSettings;
  readonly tooling: ToolingAccount;
  /** `owner/name` of the GitHub repository whose workflows install packages. */
  readonly githubRepository: string;
  /** The GitHub environments the deploy jobs run in (`dev`, `test`, `prod`): they install packages too. */
  readonly githubEnvironments: readonly string[];
}

/**
 * The tooling (CI/CD) account (SEC-5): the private package repository every workflow installs through,
 * its key, and the GitHub OIDC role that reads it. Deployed once by an administrator, before the
 * workflows can install anything (docs/cicd.md).
 */
export class ToolingStack extends Stack {
  readonly packagesKey: EncryptionKey;
  readonly ciRole: GithubCiRole;
  readonly packages: PackageRepository;

  constructor(scope: Construct, id: string, props: ToolingStackProps) {
    super(scope, id, props);
    const names = toolingNames(props.project.name, props.tooling);

    this.packagesKey = new EncryptionKey(this, 'PackagesKey', {
      aliasName: `${props.project.name}/tooling/packages`,
      description: 'Packages stored in the private CodeArtifact repository (tooling account)',
      // The key outlives the domain: packages it encrypted stay readable until it is deliberately deleted.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      // CodeArtifact describes the key and creates grants on it when the domain is created, and encrypts
      // and decrypts package assets through them.
      viaServices: ['codeartifact'],
    });

    const provider =
      props.tooling.githubOidcProvider === 'existing'
        ? iam.OidcProviderNative.fromOidcProviderArn(
            this,
            'ExistingGithubProvider',
            `arn:${this.partition}:iam::${this.account}:oidc-provider/${GITHUB_OIDC_URL.replace('https://', '')}`,
          )
        : undefined;
    this.ciRole = new GithubCiRole(this, 'GithubCi', {
      provider,
      repository: props.githubRepository,
      roleName: names.ciRole,
      // The gate runs for pull requests and pushes to main (and as deploy.yml's first job, on main);
      // each deploy job installs packages in its own GitHub environment.
      subjects: [
        'pull_request',
        'ref:refs/heads/main',
        ...props.githubEnvironments.map((e) => `environment:${e}`),
      ],
    });

    this.packages = new PackageRepository(this, 'Packages', {
      domainName: names.domain,
      storeRepositoryName: names.storeRepository,
      repositoryName: names.repository,
      encryptionKey: this.packagesKey.key,
      readers: [this.ciRole.role],
    });

    // The values of the GitHub repository variables the workflows read (docs/cicd.md).
    new CfnOutput(this, 'CiRoleArn', { value: this.ciRole.role.roleArn });
    new CfnOutput(this, 'PackageDomain', { value: names.domain });
    new CfnOutput(this, 'PackageRepositoryName', { value: names.repository });
  }
}
