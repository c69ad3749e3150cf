/**
 * The configuration schema: the one statement of every field of a deployment's configuration file,
 * its default, its bounds and the rules that relate fields. Types (`z.infer`), validation
 * (`validateConfig`), the JSON Schema editors use (`config/schema.json`) and the bounds constructs check
 * all come from here.
 *
 * Adding a field:
 *   1. Declare it in the section it belongs to with a builder from `./fields` (the builders carry the
 *      error wording), its default (`.default(...)`; a section gets `section({...})`), and its doc
 *      (`.describe('...')`; editors show it). A value that differs in prod is `perEnvironment(env, ...)`
 *      beside the field; never branch on an environment's name anywhere else.
 *   2. A rule that relates two fields goes in that section's `.superRefine(...rule(...))`, next to it.
 *   3. Bounds a construct must also enforce: put them in `BOUNDS` and use `BOUNDS.x` in both places.
 *   4. Run `npm run config:schema` and commit `config/schema.json` (a test fails while it is stale), then
 *      add a case to `test/lib/config/` for each new message.
 */
import { z } from 'zod';
import {
  between,
  boolean,
  exactly,
  integer,
  list,
  object,
  oneOf,
  rule,
  section,
  text,
  describeValue,
  inclusive,
  within,
  type IntegerBounds,
} from './fields';
import { resourceNames } from './naming';
import { AWS_REGIONS } from './regions';

/** Environment names the project knows how to build; `tooling` is the optional CI/CD account. */
export const ENVIRONMENT_NAMES = ['dev', 'test', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/**
 * A field whose default or rule differs between environments, e.g. `perEnvironment(env, { prod: X }, Y)`.
 * This is the one place that may name an environment: stacks and constructs read the resulting setting.
 */
function perEnvironment<A, B>(
  env: EnvironmentName,
  differing: Partial<Record<EnvironmentName, A>>,
  otherwise: B,
): A | B {
  return differing[env] ?? otherwise;
}

/** Bounds that constructs check again on their own props, so the numbers live only here. */
export const BOUNDS = {
  /** Endpoint instances of the production variant and the auto-scaling maximum. */
  instanceCount: { min: 1, max: 100 },
  /** prod keeps the endpoint up through the loss of an availability zone. */
  prodMinInstanceCount: 2,
  /** Days CloudTrail log files stay locked, then expire (AUD-1). */
  trailRetentionDays: { min: 1, max: 36500 },
  /** SageMaker data capture, in percent of requests. */
  dataCapturePercent: { min: 1, max: 100 },
  /** Blue/green step, in percent of capacity. */
  rolloutStepPercent: { min: 1, max: 50 },
  /** Minutes SageMaker watches each blue/green step. */
  rolloutWaitMinutes: { min: 0, max: 60 },
  /** API Gateway stage and usage-plan steady-state rate, requests per second. */
  throttleRateLimit: { min: 1, max: 10_000 },
  /** API Gateway stage and usage-plan burst. */
  throttleBurstLimit: { min: 1, max: 5_000 },
  /** WAF rate-based rule limits, requests per client IP per 5 minutes. */
  wafRateLimitPer5Minutes: { min: 10, max: 2_000_000_000 },
  /** Customers in one inference request. */
  maxBatchSize: { min: 1, max: 1000 },
  /** Usage-plan daily quota of one client. */
  quotaPerDay: { min: 1, max: 1_000_000_000 },
  /** Model package versions. */
  modelVersion: { min: 1, max: 1_000_000 },
} as const;

/**
 * For constructs, which check their props at construction: throws `<where>: <field> must be an integer
 * from <min> to <max>, got <value>` with the schema's own bound.
 */
export function requireWithin(where: string, field: string, value: number, bounds: IntegerBounds): void {
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max)
    throw new Error(
      `${where}: ${field} must be an integer from ${bounds.min} to ${bounds.max}, got ${value}`,
    );
}

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The sample model's training baseline, committed beside it. */
export const DEFAULT_BASELINE_FILE = 'models/sample-churn/baseline.json';
/** The sample model's feature specification. */
export const DEFAULT_FEATURE_SPEC_FILE = 'models/sample-churn/feature-spec.json';
/** Telco-style ids such as `7590-VHVEG`. */
export const DEFAULT_CUSTOMER_ID_PATTERN = '^[0-9]{4}-[A-Z]{5}$';

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const notRoleArn = (arn: string) => `'${arn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SCHEDULE_EXPRESSION = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^)]+\))$/;
/** REST APIs validate Cognito tokens natively; another OIDC issuer would need a Lambda authorizer. */
const COGNITO_ISSUER = /^https:\/\/cognito-idp\.([a-z0-9-]+)\.amazonaws\.com\/([a-z0-9-]+_[A-Za-z0-9]+)$/;
const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
const MACIE_SCHEDULE = new RegExp(`^(DAILY|WEEKLY:(${WEEKDAYS.join('|')})|MONTHLY:([1-9]|[12][0-9]|3[01]))$`);
/** IPv4 network address with a /16 to /24 prefix; host bits are checked by `parseCidr`. */
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const VPC_CIDR = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/(1[6-9]|2[0-4])$`);

/** The user pool behind a Cognito issuer URL; the schema only admits issuers this can read. */
export function cognitoUserPool(issuer: string): { readonly region: string; readonly userPoolId: string } {
  const match = COGNITO_ISSUER.exec(issuer);
  if (!match) throw new Error(`'${issuer}' is not a Cognito user pool issuer`);
  return { region: match[1], userPoolId: match[2] };
}

/** An IPv4 CIDR block as integers, for alignment and overlap checks. */
export interface Cidr {
  readonly text: string;
  readonly start: number;
  readonly prefix: number;
  readonly size: number;
}

/** Parses a VPC range, or says what is wrong with it. */
export function parseCidr(text: string): Cidr | string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return `'${text}' is not an IPv4 CIDR such as 10.10.0.0/16`;
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return `'${text}' has an octet above 255`;
  const prefix = Number(match[5]);
  if (prefix < 16 || prefix > 24)
    return `'${text}' must have a prefix from /16 to /24 (room for subnets in every AZ)`;
  const start = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  const size = 2 ** (32 - prefix);
  if (start % size !== 0)
    return `'${text}' has host bits set; the network address for /${prefix} is required`;
  return { text, start, prefix, size };
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.start < b.start + b.size && b.start < a.start + a.size;
}

/** A customer-id pattern must compile, be anchored, and not match everything (or Macie floods). */
export function customerIdPatternProblem(pattern: string): string | undefined {
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern);
  } catch (error) {
    return `'${pattern}' is not a valid regular expression: ${(error as Error).message}`;
  }
  if (!pattern.startsWith('^') || !pattern.endsWith('$')) return `'${pattern}' must be anchored with ^ and $`;
  if (compiled.test('') || compiled.test('hello world') || compiled.test('12'))
    return `'${pattern}' matches almost anything; make it specific to your customer ids`;
  return undefined;
}

const region = () =>
  z.enum(AWS_REGIONS as [string, ...string[]], {
    error: (iss) =>
      typeof iss.input === 'string' && iss.input !== ''
        ? `'${iss.input}' is not a known AWS region (e.g. eu-west-1, us-east-1)`
        : `must be a non-empty string, got ${describeValue(iss.input)}`,
  });
const account = () => text(ACCOUNT_ID, 'a 12-digit AWS account id');
const roleArns = () => list(text(ROLE_ARN, notRoleArn));

const projectSchema = object({
  name: text(
    /^[a-z][a-z0-9-]{1,19}$/,
    'lower-case letters, digits and dashes, 2-20 characters, starting with a letter',
  ).describe('Short lower-case name used in resource names and the `project` tag, e.g. `churn`.'),
  owner: text().describe('Team or person accountable for the resources (the `owner` tag, ENV-3).'),
  dataClassification: oneOf(['public', 'internal', 'confidential', 'restricted']).describe(
    'Classification of the data the stacks hold (the `data-classification` tag).',
  ),
  cdkQualifier: text(/^[a-z0-9]{1,10}$/, 'up to 10 lower-case letters or digits')
    .default('hnb659fds')
    .describe('CDK bootstrap qualifier of every account (`cdk bootstrap --qualifier`).'),
  customerIdPattern: text()
    .superRefine((pattern, ctx) => {
      const problem = customerIdPatternProblem(pattern);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, input: pattern });
    })
    .default(DEFAULT_CUSTOMER_ID_PATTERN)
    .describe(
      'Anchored regular expression of the business customer ids. Macie looks for it in stored data (DATA-2); the API accepts only ids that match it.',
    ),
});

/** CodeArtifact domain names: lower-case, start with a letter (they become DNS labels). */
const CODEARTIFACT_DOMAIN = /^[a-z][a-z0-9-]{1,48}[a-z0-9]$/;
/** CodeArtifact repository names. */
const CODEARTIFACT_REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$/;

const toolingSchema = object({
  account: account().describe('12-digit id of the CI/CD account; no environment may use it.'),
  region: region().describe('Region of the CI/CD account.'),
  githubOidcProvider: oneOf(['create', 'existing'])
    .default('create')
    .describe(
      "GitHub's OIDC provider for the CI role (SEC-5): `create` it in the Tooling stack, or use the `existing` one (IAM allows one provider per issuer URL per account).",
    ),
  packageRepository: section({
    domain: text(
      CODEARTIFACT_DOMAIN,
      'a CodeArtifact domain name: 3-50 lower-case letters, digits or dashes, starting with a letter',
    )
      .optional()
      .describe(
        'CodeArtifact domain of the private package repository (SEC-5). Default: `<project.name>-packages`. Publicly discoverable (a DNS name): no sensitive words.',
      ),
    storeRepository: text(
      CODEARTIFACT_REPOSITORY,
      'a CodeArtifact repository name: 2-100 letters, digits, dots, dashes or underscores',
    )
      .default('npm-store')
      .describe('The repository connected to the public npm registry; it caches every package CI installs.'),
    repository: text(
      CODEARTIFACT_REPOSITORY,
      'a CodeArtifact repository name: 2-100 letters, digits, dots, dashes or underscores',
    )
      .default('ci')
      .describe(
        'The repository CI installs from (`aws codeartifact login --repository`); its upstream is the store.',
      ),
  }),
}).superRefine(
  ...rule<{ packageRepository: { storeRepository: string; repository: string } }>((tooling, ctx) => {
    if (!ctx.valid('packageRepository', 'storeRepository') || !ctx.valid('packageRepository', 'repository'))
      return;
    const { storeRepository, repository } = tooling.packageRepository;
    if (storeRepository === repository)
      ctx.report(
        ['packageRepository', 'repository'],
        `'${repository}' is also the store repository; CI installs from its own repository, whose upstream is the store (SEC-5)`,
      );
  }),
);

const networkSchema = object({
  vpcCidr: text(VPC_CIDR, (value) => {
    const problem = parseCidr(value);
    return typeof problem === 'string' ? problem : `'${value}' is not allowed`;
  })
    .superRefine((value, ctx) => {
      // The pattern has already explained any other problem; only alignment is left to check.
      const parsed = parseCidr(value);
      if (VPC_CIDR.test(value) && typeof parsed === 'string')
        ctx.addIssue({ code: 'custom', message: parsed, input: value });
    })
    .describe(
      "IPv4 CIDR of the environment's VPC, /16 to /24, aligned. Must not overlap another environment's.",
    ),
  maxAzs: integer(2, 3).describe('Number of availability zones, 2 or 3.'),
  availabilityZones: list(text())
    .optional()
    .describe(
      'Explicit AZ names, as many as maxAzs. Default: `<region>a`, `<region>b`, ... so synth never needs an AWS lookup.',
    ),
});

const apiClientSchema = object({
  name: text(
    /^[a-z][a-z0-9-]{0,62}$/,
    'lower-case letters, digits and dashes, starting with a letter',
  ).describe('Names the API key and the usage plan of this client.'),
  rateLimit: within(BOUNDS.throttleRateLimit).describe('Steady-state requests per second for this client.'),
  burstLimit: within(BOUNDS.throttleBurstLimit).describe('Burst of requests for this client.'),
  quotaPerDay: within(BOUNDS.quotaPerDay)
    .optional()
    .describe('Requests per day; omitted means no daily quota.'),
});

function servingSchema(env: EnvironmentName) {
  return section({
    mode: oneOf(['sagemaker', 'embedded'])
      .default('sagemaker')
      .describe(
        '`sagemaker`: the API calls a SageMaker endpoint; `embedded`: the function scores the model itself.',
      ),
    modelVersion: z
      .union([z.literal('latest-approved'), within(BOUNDS.modelVersion)], {
        error: (iss) =>
          `must be 'latest-approved' or an integer from ${BOUNDS.modelVersion.min} to ${BOUNDS.modelVersion.max}, got ${describeValue(iss.input)}`,
      })
      .default('latest-approved')
      .describe('A model package version number, or `latest-approved`, resolved at deploy time.'),
    shadowModelVersion: within(BOUNDS.modelVersion)
      .optional()
      .describe(
        'A candidate version that receives a shadow copy of live traffic; its answers are discarded.',
      ),
    instanceType: text(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, 'a SageMaker instance type such as ml.m5.large')
      .default('ml.m5.large')
      .describe('SageMaker instance type of the production variant.'),
    instanceCount: perEnvironment(
      env,
      {
        prod: integer(
          BOUNDS.prodMinInstanceCount,
          BOUNDS.instanceCount.max,
          `must be at least ${BOUNDS.prodMinInstanceCount} in prod, so the endpoint survives the loss of an availability zone`,
        ).default(BOUNDS.prodMinInstanceCount),
      },
      within(BOUNDS.instanceCount).default(BOUNDS.instanceCount.min),
    ).describe('Instances of the production variant; also the auto-scaling minimum. prod: at least 2.'),
    maxInstanceCount: within(BOUNDS.instanceCount)
      .optional()
      .describe('Upper bound for invocation-based auto scaling. Default: the larger of instanceCount and 4.'),
    rollout: section({
      strategy: oneOf(['canary', 'linear']).default('canary').describe('Blue/green traffic shifting.'),
      stepPercent: within(BOUNDS.rolloutStepPercent)
        .default(10)
        .describe('Canary size, or linear step size, in percent of capacity.'),
      waitMinutes: within(BOUNDS.rolloutWaitMinutes)
        .default(10)
        .describe('Minutes to watch each step before shifting more traffic.'),
    }),
    featureSpecFile: text(/\.json$/, 'a path to a .json feature specification')
      .default(DEFAULT_FEATURE_SPEC_FILE)
      .describe(
        "Feature specification of the served model, relative to the project root: the API's request model and the function's validation and encoding.",
      ),
    dataCapturePercent: within(BOUNDS.dataCapturePercent)
      .default(100)
      .describe('Share of requests captured for drift checks (DATA-3 limits how long they are kept).'),
    containerImage: text(
      /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/[\w./-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/,
      'an ECR image URI (<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>)',
    )
      .optional()
      .describe('A container image instead of the built-in XGBoost image of the region.'),
  })
    .superRefine(
      ...rule<{ instanceCount: number; maxInstanceCount?: number }>((s, ctx) => {
        if (
          s.maxInstanceCount !== undefined &&
          ctx.valid('instanceCount') &&
          ctx.valid('maxInstanceCount') &&
          s.maxInstanceCount < s.instanceCount
        ) {
          ctx.report(['maxInstanceCount'], `must be at least instanceCount (${s.instanceCount})`);
        }
      }),
    )
    .transform(({ maxInstanceCount, ...s }) => ({
      ...s,
      maxInstanceCount: maxInstanceCount ?? Math.max(s.instanceCount, 4),
    }));
}

function apiSchema(env: EnvironmentName) {
  return section({
    authorization: oneOf(['iam', 'jwt'])
      .default('iam')
      .describe('`iam` (SigV4) or `jwt` (tokens of a Cognito user pool).'),
    allowedPrincipalArns: roleArns()
      .default([])
      .describe(
        'IAM roles allowed to call the API when authorization is `iam`; empty means any IAM principal of this account that its own policies allow.',
      ),
    jwt: object({
      issuer: text(
        COGNITO_ISSUER,
        (issuer) =>
          `'${issuer}' must be a Cognito user pool issuer (https://cognito-idp.<region>.amazonaws.com/<pool id>): ` +
          'REST APIs validate Cognito tokens natively; another OIDC issuer needs a Lambda authorizer, which this project does not ship',
      ).describe('Issuer URL of a Cognito user pool of this account.'),
      audience: list(text())
        .min(1, { error: 'must name at least one audience (client id)' })
        .describe('Accepted app client ids.'),
    })
      .optional()
      .describe("Token settings; required when authorization is 'jwt'."),
    wafRateLimitPer5Minutes: within(BOUNDS.wafRateLimitPer5Minutes)
      .default(1000)
      .describe("Requests per client IP per 5 minutes before WAF blocks (WAF's rate-based window)."),
    throttle: section({
      rateLimit: within(BOUNDS.throttleRateLimit)
        .default(50)
        .describe('Stage-wide steady-state requests per second.'),
      burstLimit: within(BOUNDS.throttleBurstLimit).default(100).describe('Stage-wide burst.'),
    }),
    executionLogLevel: perEnvironment(
      env,
      { prod: oneOf(['ERROR', 'INFO']).default('ERROR') },
      oneOf(['ERROR', 'INFO']).default('INFO'),
    ).describe('API Gateway execution log level (never with data tracing). prod: ERROR, elsewhere INFO.'),
    maxBatchSize: within(BOUNDS.maxBatchSize)
      .default(100)
      .describe('Largest number of customers in one request.'),
    inference: section({
      deadlineMarginMs: integer(100, 5_000)
        .default(500)
        .describe(
          "REL-1: milliseconds of the function's remaining time kept to format the answer and publish metrics; every dependency is awaited within the rest (503 ScoringTimeout after that).",
        ),
      pseudonymCacheSize: integer(0, 1_000_000)
        .default(10_000)
        .describe(
          'Pseudonyms a warm function keeps in memory (LRU) so a returning customer costs no KMS call; 0 turns the cache off. Memory only, never written anywhere.',
        ),
      pseudonymCacheTtlSeconds: integer(1, 86_400)
        .default(3_600)
        .describe('How long a cached pseudonym is reused before KMS is asked again.'),
      kmsConcurrency: integer(1, 50)
        .default(25)
        .describe(
          'GenerateMac calls in flight per request for the ids the cache does not hold (a batch of 100 new customers at 800 ms per call then takes 4 rounds).',
        ),
      captureWaitMs: integer(10, 2_000)
        .default(200)
        .describe(
          'REL-2: longest the answer waits for its capture write; a slower or failed write is parked and retried with the next request.',
        ),
      captureMaxParkedRecords: integer(0, 100_000)
        .default(5_000)
        .describe(
          'Capture records a function keeps for retry; beyond this the oldest are dropped and counted (CaptureDropped, alarmed).',
        ),
    }),
    riskThresholds: section({
      high: between(0, 1).default(0.7).describe('Probability above which a customer is High risk.'),
      medium: between(0, 1).default(0.4).describe('Probability above which a customer is Medium risk.'),
    }).superRefine(
      ...rule<{ high: number; medium: number }>((t, ctx) => {
        if (ctx.valid('high') && ctx.valid('medium') && t.medium >= t.high)
          ctx.report([], `medium (${t.medium}) must be below high (${t.high})`);
      }),
    ),
    clients: list(apiClientSchema, 'clients')
      .default([])
      .superRefine(
        ...rule<Array<{ name: string }>>((clients, ctx) => {
          const seen = new Set<string>();
          clients.forEach((client, i) => {
            if (!ctx.valid(i, 'name')) return;
            if (seen.has(client.name)) ctx.report([i, 'name'], `'${client.name}' is listed twice`);
            seen.add(client.name);
          });
        }),
      )
      .describe(
        "Per-client limits (SEC-4). When any client is listed, every request must also carry its client's API key (`x-api-key`), which selects the client's usage plan; the key identifies, SigV4 or the JWT still authenticates.",
      ),
  }).superRefine(
    ...rule<{ authorization: string; jwt?: unknown }>((api, ctx) => {
      if (ctx.valid('authorization') && api.authorization === 'jwt' && api.jwt === undefined)
        ctx.report(['jwt'], "is required when authorization is 'jwt'");
    }),
  );
}

function monitoringSchema(env: EnvironmentName) {
  return section({
    driftSchedule: text(
      SCHEDULE_EXPRESSION,
      'an EventBridge schedule such as rate(1 hour) or cron(0 * * * ? *)',
    )
      .default('rate(1 hour)')
      .describe('EventBridge schedule expression of the drift check.'),
    lookbackHours: integer(1, 24 * 31)
      .default(24)
      .describe('How far back each drift check looks, in hours.'),
    significanceLevel: between(0, 0.5)
      .default(0.05)
      .describe('Family-wise significance level before multiple-testing correction.'),
    psiThreshold: between(0, 10)
      .default(0.2)
      .describe('PSI above which a feature or the score counts as drifted.'),
    autoRollback: boolean()
      .default(false)
      .describe(
        "Roll the endpoint back to its last good configuration when drift or error alarms persist; needs serving.mode 'sagemaker'.",
      ),
    baselineFile: text(/\.json$/, 'a path to a .json baseline')
      .default(DEFAULT_BASELINE_FILE)
      .describe(
        'Training baseline the drift check compares with (`npm run baseline` makes it), relative to the project root.',
      ),
    concentratedDriftShare: between(0.5, 1)
      .default(0.8)
      .describe(
        'MON-6: a drifted feature is concentrated when at most concentratedDriftCallers callers explain at least this share of its distance and the drift is gone without them.',
      ),
    concentratedDriftCallers: integer(1, 10)
      .default(2)
      .describe('MON-6: most callers a concentrated drift may be in (see concentratedDriftShare).'),
    anomalyBandWidth: perEnvironment(
      env,
      { prod: between(1, 10).default(2) },
      between(1, 10).default(3),
    ).describe(
      'MON-5: width of the CloudWatch anomaly-detection band in standard deviations; narrower alarms earlier and more often (prod 2, elsewhere 3).',
    ),
  });
}

/** MODEL-7: what a version's recorded robustness assessment must show before the gate lets it serve. */
function robustnessSchema(env: EnvironmentName) {
  return section({
    enforcement: perEnvironment(
      env,
      { dev: oneOf(['refuse', 'warn']).default('warn') },
      exactly(
        'refuse',
        `must be 'refuse' in ${env}: promotion needs a robustness assessment that meets the thresholds (MODEL-7)`,
      ).default('refuse'),
    ).describe(
      "'refuse' stops a deployment whose model version has no robustness assessment or misses a threshold; 'warn' deploys it and reports what it misses (dev only).",
    ),
    maxDecisionFlipRate: inclusive(0, 1)
      .default(0.05)
      .describe(
        'Largest share of decisions (at api.riskThresholds.high) that may flip when one numeric feature moves by a tenth of its standard deviation.',
      ),
    maxProbabilityChange: inclusive(0, 1)
      .default(0.5)
      .describe('Largest probability change allowed under that perturbation.'),
    maxMonotonicityViolations: integer(0, 1_000_000_000)
      .default(0)
      .describe("Grid pairs allowed to move against a feature's declared monotone direction."),
    minExtractionQueries: integer(0, 1_000_000_000)
      .default(1024)
      .describe(
        'Fewest queries a surrogate may need to copy the decisions (a coarse figure; 0 disables the check). Keep client quotas well below the recorded figure.',
      ),
  });
}

function environmentSchema(env: EnvironmentName) {
  return object(
    {
      account: account().describe('12-digit AWS account id; every environment has its own account (ENV-1).'),
      region: region().describe('AWS region of the environment.'),
      network: networkSchema,
      logRetentionDays: z
        .literal(LOG_RETENTION_DAYS, {
          error: (iss) =>
            `must be one of ${LOG_RETENTION_DAYS.join(', ')} (CloudWatch Logs retention days), got ${describeValue(iss.input)}`,
        })
        .describe('Retention of every CloudWatch log group, in days (a value CloudWatch Logs accepts).'),
      removalPolicy: perEnvironment(
        env,
        {
          prod: exactly(
            'retain',
            "must be 'retain' in prod: data-bearing resources outlive the stack (ENV-2)",
          ).default('retain'),
        },
        oneOf(['retain', 'destroy']).default('destroy'),
      ).describe('What happens to data-bearing resources when a stack is deleted; prod must retain (ENV-2).'),
      terminationProtection: perEnvironment(
        env,
        { prod: exactly(true, 'must be true in prod (ENV-2)').default(true) },
        boolean().default(false),
      ).describe('CloudFormation termination protection of every stack; prod must have it (ENV-2).'),
      modelBucket: object({
        objectLockRetentionDays: integer(1, 36500).describe(
          'Default Object Lock retention of every model artifact version, in days.',
        ),
        objectLockMode: oneOf(['GOVERNANCE', 'COMPLIANCE'])
          .default('GOVERNANCE')
          .describe(
            'GOVERNANCE lets a specially privileged principal shorten retention; COMPLIANCE lets nobody.',
          ),
      }),
      dataBucket: object({
        captureRetentionDays: integer(1, 3650).describe(
          'Captured inference data (DATA-3) expires after this many days.',
        ),
        reportRetentionDays: integer(1, 3650).describe(
          'Drift and compliance reports expire after this many days.',
        ),
      }),
      accessLogRetentionDays: integer(1, 3650).describe('Access-log objects expire after this many days.'),
      audit: section({
        trailRetentionDays: integer(BOUNDS.trailRetentionDays.min, BOUNDS.trailRetentionDays.max)
          .default(perEnvironment(env, { prod: 365 }, 90))
          .describe(
            'CloudTrail log files are locked (S3 Object Lock) for this many days and expire after it (AUD-1); prod defaults to 365, the others to 90.',
          ),
        trailObjectLockMode: oneOf(['GOVERNANCE', 'COMPLIANCE'])
          .default('GOVERNANCE')
          .describe(
            'Object Lock mode of the trail bucket: GOVERNANCE lets a principal with s3:BypassGovernanceRetention remove a log file early; COMPLIANCE lets nobody, not even the root user, until the retention ends.',
          ),
      }),
      trustedRoleArns: roleArns()
        .default([])
        .describe(
          "IAM role ARNs (in this environment's account) that may reach the buckets from outside the VPC: the CI deploy role and the model-publishing role. The CDK bootstrap roles are added automatically.",
        ),
      requireModelApproval: perEnvironment(
        env,
        { dev: boolean().default(false) },
        exactly(
          true,
          `must be true in ${env}: only approved models deploy to test and prod (MODEL-2)`,
        ).default(true),
      ).describe(
        'Only model package versions with status `Approved` may be served (MODEL-2); always on in test and prod.',
      ),
      alerts: section({
        email: text(EMAIL, 'an e-mail address')
          .optional()
          .describe(
            'Address subscribed to the alert topic; the subscription must be confirmed by its owner.',
          ),
      }),
      macie: section({
        enableInAccount: boolean()
          .default(true)
          .describe(
            "Create the Macie session in this account. false where Macie is already enabled or managed by an organisation's delegated administrator (the classification job is created either way).",
          ),
        scheduleFrequency: text(
          MACIE_SCHEDULE,
          (value) => `'${value}' is not DAILY, WEEKLY:<MONDAY..SUNDAY> or MONTHLY:<1-31>`,
        )
          .default('WEEKLY:SUNDAY')
          .transform((value) => value as MacieSchedule)
          .describe('`DAILY`, `WEEKLY:<MONDAY..SUNDAY>` or `MONTHLY:<1-31>`.'),
        minimumAlertSeverity: oneOf(['Low', 'Medium', 'High'])
          .default('Medium')
          .describe('Findings of at least this severity are sent to the alert topic.'),
      }),
      cicd: section({
        githubOidcProvider: oneOf(['create', 'existing'])
          .default('create')
          .describe(
            "GitHub's OIDC provider for the deploy role (SEC-3): `create` it in the Cicd stack, or use the `existing` one, since IAM allows one provider per issuer URL per account (`npm run preflight` tells which).",
          ),
      }),
      serving: servingSchema(env),
      robustness: robustnessSchema(env),
      api: apiSchema(env),
      monitoring: monitoringSchema(env),
    },
    `is required: the project deploys ${ENVIRONMENT_NAMES.join(', ')}, each to its own account (ENV-1)`,
  )
    .superRefine(
      ...rule<{
        account: string;
        region: string;
        network: { maxAzs: number; availabilityZones?: string[] };
        trustedRoleArns: string[];
        serving: { mode: string };
        monitoring: { autoRollback: boolean };
      }>((e, ctx) => {
        const zones = e.network.availabilityZones;
        if (zones && ctx.valid('network', 'availabilityZones')) {
          if (ctx.valid('network', 'maxAzs') && zones.length !== e.network.maxAzs)
            ctx.report(
              ['network', 'availabilityZones'],
              `must list exactly maxAzs (${e.network.maxAzs}) zones`,
            );
          if (ctx.valid('region'))
            for (const az of zones)
              if (!az.startsWith(e.region))
                ctx.report(['network', 'availabilityZones'], `'${az}' is not in ${e.region}`);
        }
        if (ctx.valid('account') && ctx.valid('trustedRoleArns')) {
          e.trustedRoleArns.forEach((arn, i) => {
            const roleAccount = ROLE_ARN.exec(arn)?.[1];
            if (roleAccount !== e.account)
              ctx.report(
                ['trustedRoleArns', i],
                `role is in account ${roleAccount}, not in this environment's account ${e.account}`,
              );
          });
        }
        if (
          ctx.valid('monitoring', 'autoRollback') &&
          ctx.valid('serving', 'mode') &&
          e.monitoring.autoRollback &&
          e.serving.mode !== 'sagemaker'
        ) {
          ctx.report(
            ['monitoring', 'autoRollback'],
            "needs serving.mode 'sagemaker': an embedded model has no endpoint to roll back",
          );
        }
      }),
    )
    .transform(({ network, ...settings }) => ({
      name: env,
      ...settings,
      network: {
        ...network,
        availabilityZones:
          network.availabilityZones ??
          ['a', 'b', 'c'].slice(0, network.maxAzs).map((az) => `${settings.region}${az}`),
      },
    }));
}

type Environments = Record<
  EnvironmentName,
  { account: string; region: string; network: { vpcCidr: string } }
>;

/** The whole file. */
export const configSchema = object({
  $schema: z.string().optional().describe('The JSON Schema editors validate this file with.'),
  project: projectSchema,
  tooling: toolingSchema.optional().describe('The optional CI/CD account.'),
  environments: object({
    dev: environmentSchema('dev'),
    test: environmentSchema('test'),
    prod: environmentSchema('prod'),
  }),
})
  .superRefine(
    ...rule<{ project: { name: string }; tooling?: { account: string }; environments: Environments }>(
      (root, ctx) => {
        // ENV-1: each environment in its own account, and VPC ranges that never collide.
        const owners = new Map<string, string>();
        if (root.tooling && ctx.valid('tooling', 'account')) owners.set(root.tooling.account, 'tooling');
        const present = ENVIRONMENT_NAMES.filter((name) => ctx.valid('environments', name, 'account'));
        for (const name of present) {
          const { account: id } = root.environments[name];
          const other = owners.get(id);
          if (other)
            ctx.report(
              ['environments', name, 'account'],
              `${id} is already used by ${other}; every environment needs its own account (ENV-1)`,
            );
          else owners.set(id, name);
        }
        const ranges = ENVIRONMENT_NAMES.filter((name) =>
          ctx.valid('environments', name, 'network', 'vpcCidr'),
        ).map((name) => ({ name, cidr: parseCidr(root.environments[name].network.vpcCidr) as Cidr }));
        ranges.forEach((b, j) =>
          ranges.slice(0, j).forEach((a) => {
            if (cidrsOverlap(a.cidr, b.cidr))
              ctx.report(
                ['environments', b.name, 'network', 'vpcCidr'],
                `${b.cidr.text} overlaps ${a.name}'s ${a.cidr.text}; give each environment a distinct range`,
              );
          }),
        );
        if (!ctx.valid('project', 'name')) return;
        for (const name of ENVIRONMENT_NAMES) {
          if (!ctx.valid('environments', name, 'account') || !ctx.valid('environments', name, 'region'))
            continue;
          const env = { ...root.environments[name], name };
          const tooLong = Object.values(resourceNames(root.project.name, env).buckets).find(
            (b) => b.length > 63,
          );
          if (tooLong) {
            ctx.report(
              ['project', 'name'],
              `'${root.project.name}' makes the bucket name '${tooLong}' longer than S3's 63 characters; shorten it`,
            );
            return;
          }
        }
      },
    ),
  )
  .transform(({ $schema: _schema, environments, ...rest }) => ({
    ...rest,
    environments: ENVIRONMENT_NAMES.map((name) => environments[name]),
  }));

/** Every level of a validated configuration is read-only: it is loaded once and trusted downstream. */
type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export type MacieSchedule = 'DAILY' | `WEEKLY:${string}` | `MONTHLY:${number}`;

export type ProjectConfig = DeepReadonly<z.output<typeof configSchema>>;
export type ProjectSettings = ProjectConfig['project'];
export type ToolingAccount = NonNullable<ProjectConfig['tooling']>;
export type EnvironmentConfig = ProjectConfig['environments'][number];
export type NetworkSettings = EnvironmentConfig['network'];
export type ModelBucketSettings = EnvironmentConfig['modelBucket'];
export type DataBucketSettings = EnvironmentConfig['dataBucket'];
export type AlertSettings = EnvironmentConfig['alerts'];
export type MacieSettings = EnvironmentConfig['macie'];
export type MacieSeverity = MacieSettings['minimumAlertSeverity'];
export type ServingSettings = EnvironmentConfig['serving'];
export type ServingMode = ServingSettings['mode'];
export type RolloutStrategy = ServingSettings['rollout']['strategy'];
export type ApiSettings = EnvironmentConfig['api'];
export type ApiAuthorization = ApiSettings['authorization'];
export type ApiClient = ApiSettings['clients'][number];
export type MonitoringSettings = EnvironmentConfig['monitoring'];
export type RemovalPolicyName = EnvironmentConfig['removalPolicy'];
export type ObjectLockMode = ModelBucketSettings['objectLockMode'];
export type AuditSettings = EnvironmentConfig['audit'];
export type DataClassification = ProjectSettings['dataClassification'];

/**
 * `config/schema.json`: the JSON Schema of what a user writes (fields with defaults are optional), so
 * editors complete and check configuration files. Draft-07, which every common editor understands.
 * Cross-field rules (account reuse, CIDR overlap, ...) are not expressible there; synth checks them.
 */
export function configJsonSchemaText(): string {
  const schema = z.toJSONSchema(configSchema.meta({ title: 'secure-churn-deploy configuration' }), {
    io: 'input',
    target: 'draft-7',
  });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
