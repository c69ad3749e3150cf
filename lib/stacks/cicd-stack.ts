import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config';
import { GITHUB_OIDC_URL, GithubOidcDeployRole } from '../constructs/github-oidc-deploy-role';

export interface CicdStackProps extends StackProps {
  readonly projectName: string;
  readonly environment: EnvironmentConfig;
  readonly cdkQualifier: string;
  /** `owner/name` of the GitHub repository whose workflows deploy this environment. */
  readonly githubRepository: string;
}

/**
 * How CI/CD gets into this environment's account (SEC-3): the GitHub OIDC provider and the deploy
 * role of the environment's GitHub environment. Its own stack, because it must exist (deployed once
 * by an administrator) before any pipeline can deploy the rest.
 */
export class CicdStack extends Stack {
  readonly deployRole: GithubOidcDeployRole;

  constructor(scope: Construct, id: string, props: CicdStackProps) {
    super(scope, id, props);
    // IAM allows one provider per issuer URL per account, so an account that has GitHub's already (many
    // do) uses it by its ARN, which IAM derives from the URL.
    const provider =
      props.environment.cicd.githubOidcProvider === 'existing'
        ? iam.OidcProviderNative.fromOidcProviderArn(
            this,
            'ExistingGithubProvider',
            `arn:${this.partition}:iam::${this.account}:oidc-provider/${GITHUB_OIDC_URL.replace('https://', '')}`,
          )
        : undefined;
    this.deployRole = new GithubOidcDeployRole(this, 'GithubDeploy', {
      provider,
      repository: props.githubRepository,
      githubEnvironment: props.environment.name,
      cdkQualifier: props.cdkQualifier,
      roleName: deployRoleName(props.projectName, props.environment.name),
    });
    // The value of the GitHub environment variable AWS_DEPLOY_ROLE_ARN (see docs/cicd.md).
    new CfnOutput(this, 'DeployRoleArn', { value: this.deployRole.role.roleArn });
  }
}

/** The deploy role's name; the deploy workflow builds the role ARN from it and the account id. */
export function deployRoleName(projectName: string, environmentName: string): string {
  return `${projectName}-${environmentName}-github-deploy`;
}
