import type { EnvironmentConfig, ToolingAccount } from './schema';

/**
 * The one registry of physical names. Buckets are named deterministically (account and region make
 * them globally unique) because the S3 gateway endpoint policy in the network stack must name them,
 * and the network stack is deployed before the buckets exist.
 */
export interface ResourceNames {
  readonly buckets: {
    readonly model: string;
    readonly data: string;
    readonly accessLogs: string;
    readonly trail: string;
  };
  /**
   * The CloudTrail trail (AUD-1). Named, so the logs key policy can limit CloudTrail to this trail by
   * `aws:SourceArn` before the trail exists, as CloudTrail's key-policy guidance asks.
   */
  readonly trail: string;
  /** SageMaker model package group of the environment's registry (MODEL-2). */
  readonly modelPackageGroup: string;
  /**
   * SSM parameter path of the served-model record (`<prefix>version`, `<prefix>model-data-url`, ...): the
   * model gate writes it, the endpoint and API stacks read it when they deploy.
   */
  readonly servedModelParameters: string;
  /** CloudWatch namespace of the project's own metrics (drift, data quality, MFA Delete). */
  readonly metricNamespace: string;
  /**
   * The SageMaker execution role. Named, because the data stack's perimeter must exempt it before
   * the serving stack creates it: SageMaker writes data capture on the role's behalf from its own fleet.
   */
  readonly modelExecutionRole: string;
  /** The SageMaker endpoint (sagemaker mode): the endpoint stack creates it, `model verify` calls it. */
  readonly endpoint: string;
  /**
   * SSM parameter holding the inference function's ARN (unqualified: what the API invokes), written by
   * the API stack; `model verify` reads it in embedded mode to invoke the function (MODEL-6).
   */
  readonly inferenceFunctionParameter: string;
}

export function resourceNames(
  projectName: string,
  env: Pick<EnvironmentConfig, 'name' | 'account' | 'region'>,
): ResourceNames {
  const bucket = (purpose: string) => `${projectName}-${env.name}-${purpose}-${env.account}-${env.region}`;
  return {
    buckets: {
      model: bucket('model'),
      data: bucket('data'),
      accessLogs: bucket('access-logs'),
      trail: bucket('trail'),
    },
    trail: `${projectName}-${env.name}-audit`,
    modelPackageGroup: `${projectName}-${env.name}`,
    servedModelParameters: `/${projectName}/${env.name}/served-model/`,
    metricNamespace: `${projectName}/${env.name}`,
    modelExecutionRole: `${projectName}-${env.name}-model-execution`,
    endpoint: `${projectName}-${env.name}`,
    inferenceFunctionParameter: `/${projectName}/${env.name}/inference/function-arn`,
  };
}

/** Key prefixes of the data bucket; lifecycle rules, Macie scopes and IAM grants all use these. */
export const DATA_BUCKET_PREFIXES = {
  customerData: 'customer-data/',
  capture: 'capture/',
  reports: 'reports/',
} as const;

export function stageName(envName: string): string {
  return envName.charAt(0).toUpperCase() + envName.slice(1);
}

/** The construct id (and CloudFormation stack name) of the tooling account's stack. */
export const TOOLING_STACK_ID = 'Tooling';

/** Physical names in the tooling account (SEC-5), which workflows and developers type before the stack exists. */
export interface ToolingNames {
  /** CodeArtifact domain. */
  readonly domain: string;
  /** The repository with the external connection to the public npm registry. */
  readonly storeRepository: string;
  /** The repository CI installs from; its upstream is the store. */
  readonly repository: string;
  /** The role GitHub Actions assumes to read packages (the CI role of the domain policy). */
  readonly ciRole: string;
}

export function toolingNames(
  projectName: string,
  tooling: Pick<ToolingAccount, 'packageRepository'>,
): ToolingNames {
  return {
    domain: tooling.packageRepository.domain ?? `${projectName}-packages`,
    storeRepository: tooling.packageRepository.storeRepository,
    repository: tooling.packageRepository.repository,
    ciRole: `${projectName}-github-ci`,
  };
}
