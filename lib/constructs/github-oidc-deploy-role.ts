import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeRule } from '../compliance/acknowledge';

/** GitHub's OIDC issuer; IAM verifies its TLS certificate against trusted root CAs, so no thumbprint. */
export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
/** The audience aws-actions/configure-aws-credentials requests. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** Context key naming the GitHub repository (`owner/name`) allowed to deploy. */
export const GITHUB_REPOSITORY_CONTEXT_KEY = 'githubRepository';
/**
 * Used when no `-c githubRepository=<owner>/<name>` is given. It is deliberately a placeholder: a
 * fork deploys nothing until its owner names their own repository (cdk.json or the command line).
 */
export const DEFAULT_GITHUB_REPOSITORY = 'example-org/secure-churn-deploy';

const REPOSITORY_PATTERN = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
const ENVIRONMENT_PATTERN = /^[A-Za-z0-9._-]+$/;

/**
 * The repository allowed to deploy: `-c githubRepository=<owner>/<name>`, else `GITHUB_REPOSITORY`
 * (set by GitHub Actions on every run, so a pipeline always pins its own repository), else the
 * placeholder. Validated, so a wildcard can never reach the trust policy.
 */
export function githubRepositoryFrom(scope: IConstruct, env: NodeJS.ProcessEnv = process.env): string {
  const value: unknown =
    scope.node.tryGetContext(GITHUB_REPOSITORY_CONTEXT_KEY) ??
    env.GITHUB_REPOSITORY ??
    DEFAULT_GITHUB_REPOSITORY;
  if (typeof value !== 'string' || !REPOSITORY_PATTERN.test(value)) {
    throw new Error(
      `context ${GITHUB_REPOSITORY_CONTEXT_KEY} (or GITHUB_REPOSITORY) must be '<owner>/<repository>' (letters, digits, '.', '_', '-'), got '${String(value)}'`,
    );
  }
  return value;
}

export interface GithubOidcDeployRoleProps {
  /** `owner/name` of the repository whose workflows may deploy. */
  readonly repository: string;
  /** The GitHub environment (dev, test, prod) a workflow job must run in to get this role. */
  readonly githubEnvironment: string;
  /** Qualifier of the CDK bootstrap roles in this account (`cdk bootstrap --qualifier`). */
  readonly cdkQualifier: string;
  /** Physical role name, so workflows can name the role ARN before it exists. */
  readonly roleName: string;
  /**
   * The account's GitHub OIDC provider, when it exists already (IAM allows one per issuer URL).
   * @default a provider is created
   */
  readonly provider?: iam.IOidcProvider;
  /** @default Duration.hours(1) */
  readonly maxSessionDuration?: Duration;
}

/**
 * SEC-3: the only door CI/CD has into an environment's account. GitHub's OIDC token is exchanged
 * for a short session of a role that trusts exactly one repository and one GitHub environment
 * (`sub` = `repo:<owner>/<name>:environment:<env>`, `aud` = `sts.amazonaws.com`), and that may do one
 * thing: assume the CDK bootstrap roles, which do the deployment with their own reviewed policies.
 */
export class GithubOidcDeployRole extends Construct {
  readonly provider: iam.IOidcProvider;
  readonly role: iam.Role;
  readonly policy: iam.ManagedPolicy;
  /** The exact `sub` claim the trust policy accepts. */
  readonly subject: string;

  constructor(scope: Construct, id: string, props: GithubOidcDeployRoleProps) {
    super(scope, id);
    if (!REPOSITORY_PATTERN.test(props.repository)) {
      throw new Error(
        `GithubOidcDeployRole ${id}: repository must be '<owner>/<name>', got '${props.repository}'`,
      );
    }
    if (!ENVIRONMENT_PATTERN.test(props.githubEnvironment)) {
      throw new Error(
        `GithubOidcDeployRole ${id}: githubEnvironment must be a plain GitHub environment name, got '${props.githubEnvironment}'`,
      );
    }
    if (!/^[a-z0-9]{1,10}$/.test(props.cdkQualifier)) {
      throw new Error(
        `GithubOidcDeployRole ${id}: cdkQualifier '${props.cdkQualifier}' is not a CDK bootstrap qualifier`,
      );
    }
    const stack = Stack.of(this);
    this.subject = `repo:${props.repository}:environment:${props.githubEnvironment}`;

    this.provider = props.provider ?? createGithubOidcProvider(this);

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: `GitHub Actions deployments of ${props.repository} from its '${props.githubEnvironment}' environment`,
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(1),
      // StringEquals on both claims: no wildcard, so neither another repository nor another
      // environment (or a pull request) of this repository can obtain the role.
      assumedBy: new iam.WebIdentityPrincipal(this.provider.openIdConnectProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: this.subject,
        },
      }),
    });

    const bootstrapRoles = `arn:${stack.partition}:iam::${stack.account}:role/cdk-${props.cdkQualifier}-*-role-${stack.account}-${stack.region}`;
    this.policy = new iam.ManagedPolicy(this, 'AssumeBootstrapRoles', {
      description:
        'Only assume the CDK bootstrap roles (deploy, file and image publishing, lookup) of this account',
      roles: [this.role],
      statements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [bootstrapRoles] })],
    });
    acknowledgeRule(
      this.policy,
      // cdk-nag names the finding after the ARN as rendered: a partition token reads <AWS::Partition>.
      `AwsSolutions-IAM5[Resource::${bootstrapRoles.replace(stack.partition, Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition)}]`,
      'The wildcard stands for the role kind of the CDK bootstrap roles (deploy, file-publishing, image-publishing, lookup) of this qualifier, account and region; sts:AssumeRole is the only action.',
    );
  }
}

/** The account's GitHub OIDC provider, for the audience the roles' trust policies require (one per account). */
export function createGithubOidcProvider(scope: Construct): iam.IOidcProvider {
  return new iam.OidcProviderNative(scope, 'Provider', {
    url: GITHUB_OIDC_URL,
    clientIds: [GITHUB_OIDC_AUDIENCE],
  });
}
