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
  /**
   * Regular expression of the business's customer ids. Macie looks for it in stored data (DATA-2);
   * the API accepts only ids that match it.
   */
  readonly customerIdPattern: string;
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

export interface AlertSettings {
  /** Address subscribed to the alert topic; the subscription must be confirmed by its owner. */
  readonly email?: string;
}

export type MacieSchedule = 'DAILY' | `WEEKLY:${string}` | `MONTHLY:${number}`;
export type MacieSeverity = 'Low' | 'Medium' | 'High';

export interface MacieSettings {
  /**
   * Create the Macie session in this account. false where Macie is already enabled or managed by an
   * organisation's delegated administrator (the classification job is created either way).
   */
  readonly enableInAccount: boolean;
  /** `DAILY`, `WEEKLY:<MONDAY..SUNDAY>` or `MONTHLY:<1-31>`. */
  readonly scheduleFrequency: MacieSchedule;
  /** Findings of at least this severity are sent to the alert topic. */
  readonly minimumAlertSeverity: MacieSeverity;
}

export type ServingMode = 'sagemaker' | 'embedded';
export type RolloutStrategy = 'canary' | 'linear';

export interface ServingSettings {
  /** `sagemaker`: the API calls a SageMaker endpoint; `embedded`: the function scores the model itself. */
  readonly mode: ServingMode;
  /** A model package version number, or `latest-approved`, resolved at deploy time. */
  readonly modelVersion: number | 'latest-approved';
  /** A candidate version that receives a shadow copy of live traffic; its answers are discarded. */
  readonly shadowModelVersion?: number;
  /** SageMaker instance type of the production variant, e.g. `ml.m5.large`. */
  readonly instanceType: string;
  readonly instanceCount: number;
  /** Upper bound for invocation-based auto scaling. */
  readonly maxInstanceCount: number;
  readonly rollout: {
    readonly strategy: RolloutStrategy;
    /** Canary size, or linear step size, in percent of capacity. */
    readonly stepPercent: number;
    /** Minutes to watch each step before shifting more traffic. */
    readonly waitMinutes: number;
  };
  /** Share of requests captured for drift checks (DATA-3 limits how long they are kept). */
  readonly dataCapturePercent: number;
  /** A container image instead of the built-in XGBoost image of the region. */
  readonly containerImage?: string;
}

export type ApiAuthorization = 'iam' | 'jwt';

/** A calling application with its own usage-plan limits, identified by an API key API Gateway generates. */
export interface ApiClient {
  /** Lower-case letters, digits and dashes; names the key and the plan. */
  readonly name: string;
  /** Steady-state requests per second for this client. */
  readonly rateLimit: number;
  readonly burstLimit: number;
  /** Requests per day; omitted means no daily quota. */
  readonly quotaPerDay?: number;
}

export interface ApiSettings {
  /** `iam` (SigV4, default) or `jwt` (a Cognito user pool or OIDC issuer). */
  readonly authorization: ApiAuthorization;
  /**
   * IAM roles allowed to call the API when authorization is `iam`; empty means any IAM principal of
   * this account that its own policies allow.
   */
  readonly allowedPrincipalArns: readonly string[];
  readonly jwt?: { readonly issuer: string; readonly audience: readonly string[] };
  /** Requests per client IP per 5 minutes before WAF blocks (WAF's rate-based window). */
  readonly wafRateLimitPer5Minutes: number;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Largest number of customers in one request. */
  readonly maxBatchSize: number;
  /** Probability above which a customer is High risk, and above which Medium. */
  readonly riskThresholds: { readonly high: number; readonly medium: number };
  /**
   * Per-client limits (SEC-4). When any client is listed, every request must also carry its client's
   * API key (`x-api-key`), which selects the client's usage plan; the key identifies, SigV4 or the
   * JWT still authenticates.
   */
  readonly clients: readonly ApiClient[];
}

export interface MonitoringSettings {
  /** EventBridge schedule expression of the drift check, e.g. `rate(1 hour)`. */
  readonly driftSchedule: string;
  /** How far back each drift check looks, in hours. */
  readonly lookbackHours: number;
  /** Family-wise significance level before multiple-testing correction. */
  readonly significanceLevel: number;
  /** PSI above which a feature or the score counts as drifted. */
  readonly psiThreshold: number;
  /** Roll the endpoint back to its last good configuration when drift or error alarms persist. */
  readonly autoRollback: boolean;
  /** Training baseline the drift check compares with (`npm run baseline` makes it), relative to the project root. */
  readonly baselineFile: string;
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
  readonly alerts: AlertSettings;
  readonly macie: MacieSettings;
  readonly serving: ServingSettings;
  readonly api: ApiSettings;
  readonly monitoring: MonitoringSettings;
}

export interface ProjectConfig {
  readonly project: ProjectSettings;
  readonly tooling?: ToolingAccount;
  readonly environments: readonly EnvironmentConfig[];
}
