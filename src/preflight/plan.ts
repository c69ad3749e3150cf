/**
 * What an environment's deploy will ask of its account, derived from the synthesized app (see
 * lib/preflight/plan-from-app.ts) and checked by the preflight against the account as it is.
 */

/** A resource the stacks create under a fixed physical name. */
export interface FixedName {
  /** The CloudFormation stack that creates it, e.g. `Prod-Data`. */
  readonly stackName: string;
  readonly type: string;
  readonly name: string;
}

export interface DeploymentPlan {
  readonly environmentName: string;
  readonly account: string;
  readonly region: string;
  /** CDK bootstrap qualifier (`project.cdkQualifier`). */
  readonly qualifier: string;
  /** The CI/CD account the bootstrap roles must trust. @default none configured */
  readonly toolingAccount?: string;
  /** Every stack of the environment, by CloudFormation name. */
  readonly stackNames: readonly string[];
  readonly fixedNames: readonly FixedName[];
  /** Sum of the reserved concurrency of every function the stacks create. */
  readonly reservedConcurrency: number;
  /** In `sagemaker` mode: the endpoint instance type and the peak count a blue/green update needs. */
  readonly sagemakerInstances?: {
    readonly instanceType: string;
    readonly peak: number;
    readonly why: string;
  };
  readonly macieEnableInAccount: boolean;
  /** The stack that would create the Macie session, and the one with the GitHub OIDC provider. */
  readonly macieStackName: string;
  readonly cicdStackName: string;
  readonly githubOidcProvider: 'create' | 'existing';
  /** Roles the configuration names, which policies reference and which must therefore exist. */
  readonly namedRoles: ReadonlyArray<{ readonly arn: string; readonly field: string }>;
  /** Filled in by the preflight: the resources each existing stack owns. */
  readonly owned: ReadonlyMap<string, ReadonlyArray<{ readonly type: string; readonly physicalId: string }>>;
}
