/**
 * The one typed configuration of a deployment. A JSON file of this shape is loaded and validated once
 * (see `loadConfig`) before any construct exists; everything downstream receives validated values.
 */

/** Environment names the project knows how to build; `tooling` is the optional CI/CD account. */
export const ENVIRONMENT_NAMES = ['dev', 'test', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export type RemovalPolicyName = 'retain' | 'destroy';
export type ObjectLockMode = 'GOVERNANCE' | 'COMPLIANCE';
export type DataClassification = 'public' | 'internal' | 'confidential' | 'restricted';

export interface ProjectSettings {
  /** Short lower-case name used in resource names and tags, e.g. `churn`. */
  readonly name: string;
  /** Team or person accountable for the resources (the `owner` tag). */
  readonly owner: string;
  /** Classification of the data the stacks hold (the `data-classification` tag). */
  readonly dataClassification: DataClassification;
  /** CDK bootstrap qualifier of every account (`cdk bootstrap --qualifier`); default `hnb659fds`. */
  readonly cdkQualifier: string;
}

export interface ToolingAccount {
  readonly account: string;
  readonly region: string;
}

export interface NetworkSettings {
  /** IPv4 CIDR of the environment's VPC, /16 to /24. Must not overlap another environment's. */
  readonly vpcCidr: string;
  /** Number of availability zones, 2 or 3. */
  readonly maxAzs: number;
  /** Explicit AZ names; by default `<region>a`, `<region>b`, ... so synth never needs an AWS lookup. */
  readonly availabilityZones: readonly string[];
}

export interface ModelBucketSettings {
  /** Default Object Lock retention of every model artifact version, in days. */
  readonly objectLockRetentionDays: number;
  /** GOVERNANCE lets a specially privileged principal shorten retention; COMPLIANCE lets nobody. */
  readonly objectLockMode: ObjectLockMode;
}

export interface DataBucketSettings {
  /** Captured inference data (DATA-3) expires after this many days. */
  readonly captureRetentionDays: number;
  /** Drift and compliance reports expire after this many days. */
  readonly reportRetentionDays: number;
}

export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  /** 12-digit AWS account id; every environment has its own account (ENV-1). */
  readonly account: string;
  readonly region: string;
  readonly network: NetworkSettings;
  /** Retention of every CloudWatch log group, in days (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
  /** What happens to data-bearing resources when a stack is deleted; prod must retain (ENV-2). */
  readonly removalPolicy: RemovalPolicyName;
  /** CloudFormation termination protection of every stack; prod must have it (ENV-2). */
  readonly terminationProtection: boolean;
  readonly modelBucket: ModelBucketSettings;
  readonly dataBucket: DataBucketSettings;
  /** Access-log objects expire after this many days. */
  readonly accessLogRetentionDays: number;
  /**
   * IAM role ARNs (in this environment's account) that may reach the buckets from outside the VPC:
   * the CI deploy role and the model-publishing role. The CDK bootstrap roles are added automatically.
   */
  readonly trustedRoleArns: readonly string[];
  /** Only model package versions with status `Approved` may be served (MODEL-2); forced on in test and prod. */
  readonly requireModelApproval: boolean;
}

export interface ProjectConfig {
  readonly project: ProjectSettings;
  readonly tooling?: ToolingAccount;
  readonly environments: readonly EnvironmentConfig[];
}
