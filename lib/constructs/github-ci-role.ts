import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { createGithubOidcProvider, GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from './github-oidc-deploy-role';

const REPOSITORY_PATTERN = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
const CLAIM_PART = /^[A-Za-z0-9._/:-]+$/;

export interface GithubCiRoleProps {
  /** `owner/name` of the repository whose workflows may use the role. */
  readonly repository: string;
  /**
   * Where in the repository a workflow job may run and still get the role, as the tail of the `sub`
   * claim: `pull_request`, `ref:refs/heads/main`, `environment:prod`, ... Exact values, never patterns.
   */
  readonly subjects: readonly string[];
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
 * The role GitHub Actions uses in the tooling account (SEC-5): exchanged for a short session through
 * GitHub's OIDC token, trusted by exactly one repository and an explicit list of `sub` claims. It is
 * given no permissions here; whoever needs it grants (the package repository grants reading packages).
 */
export class GithubCiRole extends Construct {
  readonly provider: iam.IOidcProvider;
  readonly role: iam.Role;
  /** The exact `sub` claims the trust policy accepts. */
  readonly subjects: readonly string[];

  constructor(scope: Construct, id: string, props: GithubCiRoleProps) {
    super(scope, id);
    if (!REPOSITORY_PATTERN.test(props.repository)) {
      throw new Error(`GithubCiRole ${id}: repository must be '<owner>/<name>', got '${props.repository}'`);
    }
    if (props.subjects.length === 0) {
      throw new Error(`GithubCiRole ${id}: subjects must name at least one place a workflow runs`);
    }
    const bad = props.subjects.find((s) => !CLAIM_PART.test(s));
    if (bad !== undefined) {
      throw new Error(
        `GithubCiRole ${id}: subject '${bad}' must be an exact claim such as 'pull_request' or 'environment:prod' (no wildcards)`,
      );
    }
    this.subjects = props.subjects.map((s) => `repo:${props.repository}:${s}`);
    this.provider = props.provider ?? createGithubOidcProvider(this);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: `GitHub Actions of ${props.repository}: install packages through the private repository`,
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(1),
      // StringEquals on both claims: another repository, a fork, or a pattern can never match.
      assumedBy: new iam.WebIdentityPrincipal(this.provider.openIdConnectProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: this.subjects,
        },
      }),
    });
  }
}
