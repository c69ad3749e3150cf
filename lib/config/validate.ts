import { AWS_REGIONS } from './regions';
import {
  ApiClient,
  ApiSettings,
  DataClassification,
  MacieSettings,
  MonitoringSettings,
  ServingSettings,
  AlertSettings,
  ENVIRONMENT_NAMES,
  EnvironmentConfig,
  EnvironmentName,
  ObjectLockMode,
  ProjectConfig,
  RemovalPolicyName,
} from './types';
import { resourceNames } from './naming';

/** All problems found in a configuration, each naming where it is and what is allowed. */
export class ConfigValidationError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid configuration ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const DEFAULT_CDK_QUALIFIER = 'hnb659fds';
/** The sample model's training baseline, committed beside it. */
export const DEFAULT_BASELINE_FILE = 'models/sample-churn/baseline.json';
/** Telco-style ids such as `7590-VHVEG`. */
export const DEFAULT_CUSTOMER_ID_PATTERN = '^[0-9]{4}-[A-Z]{5}$';

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
const DATA_CLASSIFICATIONS: readonly DataClassification[] = [
  'public',
  'internal',
  'confidential',
  'restricted',
];
const ACCOUNT_ID = /^\d{12}$/;
const PROJECT_NAME = /^[a-z][a-z0-9-]{1,19}$/;
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

type Json = unknown;
type JsonObject = Record<string, Json>;

/**
 * Collects problems instead of stopping at the first, so a user fixing a configuration sees every
 * mistake in one run.
 */
class Reader {
  readonly problems: string[] = [];

  problem(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  object(path: string, value: Json, allowed: readonly string[]): JsonObject | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.problem(path, `must be an object, got ${describe(value)}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key))
        this.problem(`${path}.${key}`, `unknown field; allowed: ${allowed.join(', ')}`);
    }
    return value as JsonObject;
  }

  string(path: string, value: Json, pattern?: RegExp, allowedText?: string): string | undefined {
    if (typeof value !== 'string' || value.length === 0) {
      this.problem(path, `must be a non-empty string, got ${describe(value)}`);
      return undefined;
    }
    if (pattern && !pattern.test(value)) {
      this.problem(path, `'${value}' is not allowed; expected ${allowedText ?? pattern.source}`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(path: string, value: Json, allowed: readonly T[]): T | undefined {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.problem(path, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`);
      return undefined;
    }
    return value as T;
  }

  integer(path: string, value: Json, min: number, max: number): number | undefined {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.problem(path, `must be an integer from ${min} to ${max}, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  number(path: string, value: Json, min: number, max: number, exclusive = false): number | undefined {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (exclusive ? value > min && value < max : value >= min && value <= max);
    if (!ok) {
      this.problem(
        path,
        `must be a number ${exclusive ? 'strictly ' : ''}between ${min} and ${max}, got ${describe(value)}`,
      );
      return undefined;
    }
    return value as number;
  }

  boolean(path: string, value: Json): boolean | undefined {
    if (typeof value !== 'boolean') {
      this.problem(path, `must be true or false, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  account(path: string, value: Json): string | undefined {
    return this.string(path, value, ACCOUNT_ID, 'a 12-digit AWS account id');
  }

  /** A region outside AWS_REGIONS is reported but still returned, so checks that depend on it still run. */
  region(path: string, value: Json): string | undefined {
    const region = this.string(path, value);
    if (region !== undefined && !AWS_REGIONS.includes(region)) {
      this.problem(path, `'${region}' is not a known AWS region (e.g. eu-west-1, us-east-1)`);
    }
    return region;
  }

  stringArray(path: string, value: Json): string[] | undefined {
    if (!Array.isArray(value)) {
      this.problem(path, `must be an array of strings, got ${describe(value)}`);
      return undefined;
    }
    const out: string[] = [];
    value.forEach((item, i) => {
      const s = this.string(`${path}[${i}]`, item);
      if (s !== undefined) out.push(s);
    });
    return out;
  }
}

function describe(value: Json): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}

/** An IPv4 CIDR block as integers, for alignment and overlap checks. */
export interface Cidr {
  readonly text: string;
  readonly start: number;
  readonly prefix: number;
  readonly size: number;
}

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

function readEnvironment(r: Reader, name: EnvironmentName, raw: Json): EnvironmentConfig | undefined {
  const path = `environments.${name}`;
  const o = r.object(path, raw, [
    'account',
    'region',
    'network',
    'logRetentionDays',
    'removalPolicy',
    'terminationProtection',
    'modelBucket',
    'dataBucket',
    'accessLogRetentionDays',
    'trustedRoleArns',
    'requireModelApproval',
    'alerts',
    'macie',
    'serving',
    'api',
    'monitoring',
  ]);
  if (!o) return undefined;
  const isProd = name === 'prod';
  const account = r.account(`${path}.account`, o.account);
  const region = r.region(`${path}.region`, o.region);

  const net = r.object(`${path}.network`, o.network, ['vpcCidr', 'maxAzs', 'availabilityZones']);
  const vpcCidr = net ? r.string(`${path}.network.vpcCidr`, net.vpcCidr) : undefined;
  if (vpcCidr !== undefined) {
    const parsed = parseCidr(vpcCidr);
    if (typeof parsed === 'string') r.problem(`${path}.network.vpcCidr`, parsed);
  }
  const maxAzs = net ? r.integer(`${path}.network.maxAzs`, net.maxAzs, 2, 3) : undefined;
  let availabilityZones: string[] | undefined;
  if (net && net.availabilityZones !== undefined) {
    availabilityZones = r.stringArray(`${path}.network.availabilityZones`, net.availabilityZones);
    if (availabilityZones && maxAzs !== undefined && availabilityZones.length !== maxAzs) {
      r.problem(`${path}.network.availabilityZones`, `must list exactly maxAzs (${maxAzs}) zones`);
    }
    if (availabilityZones && region) {
      for (const az of availabilityZones) {
        if (!az.startsWith(region))
          r.problem(`${path}.network.availabilityZones`, `'${az}' is not in ${region}`);
      }
    }
  } else if (region && maxAzs !== undefined) {
    availabilityZones = ['a', 'b', 'c'].slice(0, maxAzs).map((suffix) => `${region}${suffix}`);
  }

  let logRetentionDays: number | undefined;
  if (
    typeof o.logRetentionDays === 'number' &&
    (LOG_RETENTION_DAYS as readonly number[]).includes(o.logRetentionDays)
  ) {
    logRetentionDays = o.logRetentionDays;
  } else {
    r.problem(
      `${path}.logRetentionDays`,
      `must be one of ${LOG_RETENTION_DAYS.join(', ')} (CloudWatch Logs retention days), got ${describe(o.logRetentionDays)}`,
    );
  }
  const removalPolicy =
    o.removalPolicy === undefined
      ? isProd
        ? 'retain'
        : 'destroy'
      : r.oneOf<RemovalPolicyName>(`${path}.removalPolicy`, o.removalPolicy, ['retain', 'destroy']);
  if (isProd && removalPolicy === 'destroy') {
    r.problem(
      `${path}.removalPolicy`,
      `must be 'retain' in prod: data-bearing resources outlive the stack (ENV-2)`,
    );
  }
  const terminationProtection =
    o.terminationProtection === undefined
      ? isProd
      : r.boolean(`${path}.terminationProtection`, o.terminationProtection);
  if (isProd && terminationProtection === false) {
    r.problem(`${path}.terminationProtection`, 'must be true in prod (ENV-2)');
  }

  const mb = r.object(`${path}.modelBucket`, o.modelBucket, ['objectLockRetentionDays', 'objectLockMode']);
  const objectLockRetentionDays = mb
    ? r.integer(`${path}.modelBucket.objectLockRetentionDays`, mb.objectLockRetentionDays, 1, 36500)
    : undefined;
  const objectLockMode =
    mb && mb.objectLockMode !== undefined
      ? r.oneOf<ObjectLockMode>(`${path}.modelBucket.objectLockMode`, mb.objectLockMode, [
          'GOVERNANCE',
          'COMPLIANCE',
        ])
      : 'GOVERNANCE';

  const db = r.object(`${path}.dataBucket`, o.dataBucket, ['captureRetentionDays', 'reportRetentionDays']);
  const captureRetentionDays = db
    ? r.integer(`${path}.dataBucket.captureRetentionDays`, db.captureRetentionDays, 1, 3650)
    : undefined;
  const reportRetentionDays = db
    ? r.integer(`${path}.dataBucket.reportRetentionDays`, db.reportRetentionDays, 1, 3650)
    : undefined;
  const accessLogRetentionDays = r.integer(
    `${path}.accessLogRetentionDays`,
    o.accessLogRetentionDays,
    1,
    3650,
  );

  const trustedRoleArns =
    o.trustedRoleArns === undefined ? [] : r.stringArray(`${path}.trustedRoleArns`, o.trustedRoleArns);
  trustedRoleArns?.forEach((arn, i) => {
    const m = ROLE_ARN.exec(arn);
    if (!m)
      r.problem(
        `${path}.trustedRoleArns[${i}]`,
        `'${arn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
      );
    else if (account && m[1] !== account) {
      r.problem(
        `${path}.trustedRoleArns[${i}]`,
        `role is in account ${m[1]}, not in this environment's account ${account}`,
      );
    }
  });

  const approvalRequiredByPolicy = name !== 'dev';
  const requireModelApproval =
    o.requireModelApproval === undefined
      ? approvalRequiredByPolicy
      : r.boolean(`${path}.requireModelApproval`, o.requireModelApproval);
  if (approvalRequiredByPolicy && requireModelApproval === false) {
    r.problem(
      `${path}.requireModelApproval`,
      `must be true in ${name}: only approved models deploy to test and prod (MODEL-2)`,
    );
  }

  const alerts = readAlerts(r, `${path}.alerts`, o.alerts);
  const macie = readMacie(r, `${path}.macie`, o.macie);
  const serving = readServing(r, `${path}.serving`, o.serving, isProd);
  const api = readApi(r, `${path}.api`, o.api);
  const monitoring = readMonitoring(r, `${path}.monitoring`, o.monitoring);

  if (
    alerts === undefined ||
    macie === undefined ||
    serving === undefined ||
    api === undefined ||
    monitoring === undefined ||
    account === undefined ||
    region === undefined ||
    vpcCidr === undefined ||
    maxAzs === undefined ||
    availabilityZones === undefined ||
    logRetentionDays === undefined ||
    removalPolicy === undefined ||
    terminationProtection === undefined ||
    objectLockRetentionDays === undefined ||
    objectLockMode === undefined ||
    captureRetentionDays === undefined ||
    reportRetentionDays === undefined ||
    accessLogRetentionDays === undefined ||
    trustedRoleArns === undefined ||
    requireModelApproval === undefined
  ) {
    return undefined;
  }
  return {
    name,
    account,
    region,
    network: { vpcCidr, maxAzs, availabilityZones },
    logRetentionDays,
    removalPolicy,
    terminationProtection,
    modelBucket: { objectLockRetentionDays, objectLockMode },
    dataBucket: { captureRetentionDays, reportRetentionDays },
    accessLogRetentionDays,
    trustedRoleArns,
    requireModelApproval,
    alerts,
    macie,
    serving,
    api,
    monitoring,
  };
}

/** Reads an optional section: a missing section means every default. */
function section(r: Reader, path: string, raw: Json, allowed: readonly string[]): JsonObject | undefined {
  return raw === undefined ? {} : r.object(path, raw, allowed);
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function readAlerts(r: Reader, path: string, raw: Json): AlertSettings | undefined {
  const o = section(r, path, raw, ['email']);
  if (!o) return undefined;
  if (o.email === undefined) return {};
  const email = r.string(`${path}.email`, o.email, EMAIL, 'an e-mail address');
  return email === undefined ? undefined : { email };
}

const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

function readMacie(r: Reader, path: string, raw: Json): MacieSettings | undefined {
  const o = section(r, path, raw, ['enableInAccount', 'scheduleFrequency', 'minimumAlertSeverity']);
  if (!o) return undefined;
  const enableInAccount =
    o.enableInAccount === undefined ? true : r.boolean(`${path}.enableInAccount`, o.enableInAccount);
  const schedule =
    o.scheduleFrequency === undefined
      ? 'WEEKLY:SUNDAY'
      : r.string(`${path}.scheduleFrequency`, o.scheduleFrequency);
  if (schedule !== undefined) {
    const [kind, arg] = schedule.split(':');
    const valid =
      (kind === 'DAILY' && arg === undefined) ||
      (kind === 'WEEKLY' && WEEKDAYS.includes(arg ?? '')) ||
      (kind === 'MONTHLY' && /^\d{1,2}$/.test(arg ?? '') && Number(arg) >= 1 && Number(arg) <= 31);
    if (!valid)
      r.problem(
        `${path}.scheduleFrequency`,
        `'${schedule}' is not DAILY, WEEKLY:<MONDAY..SUNDAY> or MONTHLY:<1-31>`,
      );
  }
  const minimumAlertSeverity =
    o.minimumAlertSeverity === undefined
      ? 'Medium'
      : r.oneOf(`${path}.minimumAlertSeverity`, o.minimumAlertSeverity, ['Low', 'Medium', 'High'] as const);
  if (enableInAccount === undefined || schedule === undefined || minimumAlertSeverity === undefined)
    return undefined;
  return {
    enableInAccount,
    scheduleFrequency: schedule as MacieSettings['scheduleFrequency'],
    minimumAlertSeverity,
  };
}

function readServing(r: Reader, path: string, raw: Json, isProd: boolean): ServingSettings | undefined {
  const o = section(r, path, raw, [
    'mode',
    'modelVersion',
    'shadowModelVersion',
    'instanceType',
    'instanceCount',
    'maxInstanceCount',
    'rollout',
    'dataCapturePercent',
    'containerImage',
  ]);
  if (!o) return undefined;
  const mode =
    o.mode === undefined ? 'sagemaker' : r.oneOf(`${path}.mode`, o.mode, ['sagemaker', 'embedded'] as const);
  let modelVersion: ServingSettings['modelVersion'] | undefined = 'latest-approved';
  if (o.modelVersion !== undefined && o.modelVersion !== 'latest-approved') {
    modelVersion = r.integer(`${path}.modelVersion`, o.modelVersion, 1, 1_000_000);
  }
  const shadowModelVersion =
    o.shadowModelVersion === undefined
      ? undefined
      : r.integer(`${path}.shadowModelVersion`, o.shadowModelVersion, 1, 1_000_000);
  const instanceType =
    o.instanceType === undefined
      ? 'ml.m5.large'
      : r.string(
          `${path}.instanceType`,
          o.instanceType,
          /^ml\.[a-z0-9]+\.[a-z0-9]+$/,
          'a SageMaker instance type such as ml.m5.large',
        );
  const instanceCount =
    o.instanceCount === undefined
      ? isProd
        ? 2
        : 1
      : r.integer(`${path}.instanceCount`, o.instanceCount, 1, 100);
  if (isProd && instanceCount !== undefined && instanceCount < 2) {
    r.problem(
      `${path}.instanceCount`,
      'must be at least 2 in prod, so the endpoint survives the loss of an availability zone',
    );
  }
  const maxInstanceCount =
    o.maxInstanceCount === undefined
      ? Math.max(instanceCount ?? 1, 4)
      : r.integer(`${path}.maxInstanceCount`, o.maxInstanceCount, 1, 100);
  if (instanceCount !== undefined && maxInstanceCount !== undefined && maxInstanceCount < instanceCount) {
    r.problem(`${path}.maxInstanceCount`, `must be at least instanceCount (${instanceCount})`);
  }
  const ro = section(r, `${path}.rollout`, o.rollout, ['strategy', 'stepPercent', 'waitMinutes']);
  const strategy = ro
    ? ro.strategy === undefined
      ? 'canary'
      : r.oneOf(`${path}.rollout.strategy`, ro.strategy, ['canary', 'linear'] as const)
    : undefined;
  const stepPercent = ro
    ? ro.stepPercent === undefined
      ? 10
      : r.integer(`${path}.rollout.stepPercent`, ro.stepPercent, 1, 50)
    : undefined;
  const waitMinutes = ro
    ? ro.waitMinutes === undefined
      ? 10
      : r.integer(`${path}.rollout.waitMinutes`, ro.waitMinutes, 0, 60)
    : undefined;
  const dataCapturePercent =
    o.dataCapturePercent === undefined
      ? 100
      : r.integer(`${path}.dataCapturePercent`, o.dataCapturePercent, 1, 100);
  const containerImage =
    o.containerImage === undefined
      ? undefined
      : r.string(
          `${path}.containerImage`,
          o.containerImage,
          /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/[\w./-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/,
          'an ECR image URI (<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>)',
        );
  if (
    mode === undefined ||
    modelVersion === undefined ||
    instanceType === undefined ||
    instanceCount === undefined ||
    maxInstanceCount === undefined ||
    strategy === undefined ||
    stepPercent === undefined ||
    waitMinutes === undefined ||
    dataCapturePercent === undefined ||
    (o.shadowModelVersion !== undefined && shadowModelVersion === undefined) ||
    (o.containerImage !== undefined && containerImage === undefined)
  ) {
    return undefined;
  }
  return {
    mode,
    modelVersion,
    ...(shadowModelVersion !== undefined ? { shadowModelVersion } : {}),
    instanceType,
    instanceCount,
    maxInstanceCount,
    rollout: { strategy, stepPercent, waitMinutes },
    dataCapturePercent,
    ...(containerImage !== undefined ? { containerImage } : {}),
  };
}

const CLIENT_NAME = /^[a-z][a-z0-9-]{0,62}$/;

function readApiClients(r: Reader, path: string, raw: Json): ApiClient[] | undefined {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    r.problem(path, `must be an array of clients, got ${describe(raw)}`);
    return undefined;
  }
  const clients: ApiClient[] = [];
  const seen = new Set<string>();
  let ok = true;
  raw.forEach((item, i) => {
    const at = `${path}[${i}]`;
    const c = r.object(at, item, ['name', 'rateLimit', 'burstLimit', 'quotaPerDay']);
    if (!c) {
      ok = false;
      return;
    }
    const name = r.string(
      `${at}.name`,
      c.name,
      CLIENT_NAME,
      'lower-case letters, digits and dashes, starting with a letter',
    );
    if (name !== undefined && seen.has(name)) r.problem(`${at}.name`, `'${name}' is listed twice`);
    if (name !== undefined) seen.add(name);
    const rateLimit = r.integer(`${at}.rateLimit`, c.rateLimit, 1, 10_000);
    const burstLimit = r.integer(`${at}.burstLimit`, c.burstLimit, 1, 5_000);
    const quotaPerDay =
      c.quotaPerDay === undefined
        ? undefined
        : r.integer(`${at}.quotaPerDay`, c.quotaPerDay, 1, 1_000_000_000);
    if (
      name === undefined ||
      rateLimit === undefined ||
      burstLimit === undefined ||
      (c.quotaPerDay !== undefined && quotaPerDay === undefined)
    ) {
      ok = false;
      return;
    }
    clients.push({ name, rateLimit, burstLimit, ...(quotaPerDay !== undefined ? { quotaPerDay } : {}) });
  });
  return ok ? clients : undefined;
}

function readApi(r: Reader, path: string, raw: Json): ApiSettings | undefined {
  const o = section(r, path, raw, [
    'authorization',
    'allowedPrincipalArns',
    'jwt',
    'wafRateLimitPer5Minutes',
    'throttle',
    'maxBatchSize',
    'riskThresholds',
    'clients',
  ]);
  if (!o) return undefined;
  const clients = readApiClients(r, `${path}.clients`, o.clients);
  const authorization =
    o.authorization === undefined
      ? 'iam'
      : r.oneOf(`${path}.authorization`, o.authorization, ['iam', 'jwt'] as const);
  const allowedPrincipalArns =
    o.allowedPrincipalArns === undefined
      ? []
      : r.stringArray(`${path}.allowedPrincipalArns`, o.allowedPrincipalArns);
  allowedPrincipalArns?.forEach((arn, i) => {
    if (!ROLE_ARN.test(arn))
      r.problem(
        `${path}.allowedPrincipalArns[${i}]`,
        `'${arn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
      );
  });
  let jwt: ApiSettings['jwt'];
  if (o.jwt !== undefined) {
    const j = r.object(`${path}.jwt`, o.jwt, ['issuer', 'audience']);
    const issuer = j
      ? r.string(`${path}.jwt.issuer`, j.issuer, /^https:\/\/[^\s]+$/, 'an https:// issuer URL')
      : undefined;
    const audience = j ? r.stringArray(`${path}.jwt.audience`, j.audience) : undefined;
    if (audience && audience.length === 0)
      r.problem(`${path}.jwt.audience`, 'must name at least one audience (client id)');
    if (issuer && audience) jwt = { issuer, audience };
  }
  if (authorization === 'jwt' && o.jwt === undefined)
    r.problem(`${path}.jwt`, "is required when authorization is 'jwt'");
  const wafRateLimitPer5Minutes =
    o.wafRateLimitPer5Minutes === undefined
      ? 1000
      : r.integer(`${path}.wafRateLimitPer5Minutes`, o.wafRateLimitPer5Minutes, 10, 2_000_000_000);
  const t = section(r, `${path}.throttle`, o.throttle, ['rateLimit', 'burstLimit']);
  const rateLimit = t
    ? t.rateLimit === undefined
      ? 50
      : r.integer(`${path}.throttle.rateLimit`, t.rateLimit, 1, 10_000)
    : undefined;
  const burstLimit = t
    ? t.burstLimit === undefined
      ? 100
      : r.integer(`${path}.throttle.burstLimit`, t.burstLimit, 1, 5_000)
    : undefined;
  const maxBatchSize =
    o.maxBatchSize === undefined ? 100 : r.integer(`${path}.maxBatchSize`, o.maxBatchSize, 1, 1000);
  const rt = section(r, `${path}.riskThresholds`, o.riskThresholds, ['high', 'medium']);
  const high = rt
    ? rt.high === undefined
      ? 0.7
      : r.number(`${path}.riskThresholds.high`, rt.high, 0, 1, true)
    : undefined;
  const medium = rt
    ? rt.medium === undefined
      ? 0.4
      : r.number(`${path}.riskThresholds.medium`, rt.medium, 0, 1, true)
    : undefined;
  if (high !== undefined && medium !== undefined && medium >= high) {
    r.problem(`${path}.riskThresholds`, `medium (${medium}) must be below high (${high})`);
  }
  if (
    authorization === undefined ||
    allowedPrincipalArns === undefined ||
    (o.jwt !== undefined && jwt === undefined) ||
    wafRateLimitPer5Minutes === undefined ||
    rateLimit === undefined ||
    burstLimit === undefined ||
    maxBatchSize === undefined ||
    high === undefined ||
    medium === undefined ||
    clients === undefined
  ) {
    return undefined;
  }
  return {
    clients,
    authorization,
    allowedPrincipalArns,
    ...(jwt ? { jwt } : {}),
    wafRateLimitPer5Minutes,
    throttle: { rateLimit, burstLimit },
    maxBatchSize,
    riskThresholds: { high, medium },
  };
}

const SCHEDULE_EXPRESSION = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^)]+\))$/;

function readMonitoring(r: Reader, path: string, raw: Json): MonitoringSettings | undefined {
  const o = section(r, path, raw, [
    'driftSchedule',
    'lookbackHours',
    'significanceLevel',
    'psiThreshold',
    'autoRollback',
  ]);
  if (!o) return undefined;
  const driftSchedule =
    o.driftSchedule === undefined
      ? 'rate(1 hour)'
      : r.string(
          `${path}.driftSchedule`,
          o.driftSchedule,
          SCHEDULE_EXPRESSION,
          'an EventBridge schedule such as rate(1 hour) or cron(0 * * * ? *)',
        );
  const lookbackHours =
    o.lookbackHours === undefined ? 24 : r.integer(`${path}.lookbackHours`, o.lookbackHours, 1, 24 * 31);
  const significanceLevel =
    o.significanceLevel === undefined
      ? 0.05
      : r.number(`${path}.significanceLevel`, o.significanceLevel, 0, 0.5, true);
  const psiThreshold =
    o.psiThreshold === undefined ? 0.2 : r.number(`${path}.psiThreshold`, o.psiThreshold, 0, 10, true);
  const autoRollback =
    o.autoRollback === undefined ? false : r.boolean(`${path}.autoRollback`, o.autoRollback);
  const baselineFile =
    o.baselineFile === undefined
      ? DEFAULT_BASELINE_FILE
      : r.string(`${path}.baselineFile`, o.baselineFile, /\.json$/, 'a path to a .json baseline');
  if (
    driftSchedule === undefined ||
    lookbackHours === undefined ||
    significanceLevel === undefined ||
    psiThreshold === undefined ||
    autoRollback === undefined ||
    baselineFile === undefined
  ) {
    return undefined;
  }
  return { driftSchedule, lookbackHours, significanceLevel, psiThreshold, autoRollback, baselineFile };
}

/**
 * Validates a parsed configuration file and fills in defaults. Throws a `ConfigValidationError`
 * listing every problem; returns a configuration every construct can trust.
 */
export function validateConfig(raw: Json, source = 'configuration'): ProjectConfig {
  const r = new Reader();
  const root = r.object('(root)', raw, ['$schema', 'project', 'tooling', 'environments']);
  if (!root) throw new ConfigValidationError(source, r.problems);

  const p = r.object('project', root.project, [
    'name',
    'owner',
    'dataClassification',
    'cdkQualifier',
    'customerIdPattern',
  ]);
  const name = p
    ? r.string(
        'project.name',
        p.name,
        PROJECT_NAME,
        'lower-case letters, digits and dashes, 2-20 characters, starting with a letter',
      )
    : undefined;
  const owner = p ? r.string('project.owner', p.owner) : undefined;
  const dataClassification = p
    ? r.oneOf<DataClassification>('project.dataClassification', p.dataClassification, DATA_CLASSIFICATIONS)
    : undefined;
  const cdkQualifier =
    p && p.cdkQualifier !== undefined
      ? r.string(
          'project.cdkQualifier',
          p.cdkQualifier,
          /^[a-z0-9]{1,10}$/,
          'up to 10 lower-case letters or digits',
        )
      : DEFAULT_CDK_QUALIFIER;

  let customerIdPattern: string | undefined = DEFAULT_CUSTOMER_ID_PATTERN;
  if (p && p.customerIdPattern !== undefined) {
    customerIdPattern = r.string('project.customerIdPattern', p.customerIdPattern);
    if (customerIdPattern !== undefined) {
      const problem = customerIdPatternProblem(customerIdPattern);
      if (problem) {
        r.problem('project.customerIdPattern', problem);
        customerIdPattern = undefined;
      }
    }
  }

  let tooling: ProjectConfig['tooling'];
  if (root.tooling !== undefined) {
    const t = r.object('tooling', root.tooling, ['account', 'region']);
    const account = t ? r.account('tooling.account', t.account) : undefined;
    const region = t ? r.region('tooling.region', t.region) : undefined;
    if (account && region) tooling = { account, region };
  }

  const envs = r.object('environments', root.environments, ENVIRONMENT_NAMES);
  const environments: EnvironmentConfig[] = [];
  if (envs) {
    for (const envName of ENVIRONMENT_NAMES) {
      if (envs[envName] === undefined) {
        r.problem(
          `environments.${envName}`,
          `is required: the project deploys ${ENVIRONMENT_NAMES.join(', ')}, each to its own account (ENV-1)`,
        );
        continue;
      }
      const env = readEnvironment(r, envName, envs[envName]);
      if (env) environments.push(env);
    }
  }

  checkSeparation(r, environments, tooling);
  if (name && cdkQualifier) checkNameLengths(r, name, environments);

  if (
    r.problems.length > 0 ||
    !name ||
    !owner ||
    !dataClassification ||
    !cdkQualifier ||
    !customerIdPattern
  ) {
    throw new ConfigValidationError(source, r.problems);
  }
  return {
    project: { name, owner, dataClassification, cdkQualifier, customerIdPattern },
    ...(tooling ? { tooling } : {}),
    environments,
  };
}

/** ENV-1: each environment in its own account, and VPC ranges that never collide. */
function checkSeparation(
  r: Reader,
  environments: EnvironmentConfig[],
  tooling: ProjectConfig['tooling'],
): void {
  const owners = new Map<string, string>();
  if (tooling) owners.set(tooling.account, 'tooling');
  for (const env of environments) {
    const other = owners.get(env.account);
    if (other) {
      r.problem(
        `environments.${env.name}.account`,
        `${env.account} is already used by ${other}; every environment needs its own account (ENV-1)`,
      );
    } else {
      owners.set(env.account, env.name);
    }
  }
  for (let i = 0; i < environments.length; i++) {
    for (let j = i + 1; j < environments.length; j++) {
      const a = parseCidr(environments[i].network.vpcCidr);
      const b = parseCidr(environments[j].network.vpcCidr);
      if (typeof a !== 'string' && typeof b !== 'string' && cidrsOverlap(a, b)) {
        r.problem(
          `environments.${environments[j].name}.network.vpcCidr`,
          `${b.text} overlaps ${environments[i].name}'s ${a.text}; give each environment a distinct range`,
        );
      }
    }
  }
}

function checkNameLengths(r: Reader, projectName: string, environments: EnvironmentConfig[]): void {
  for (const env of environments) {
    for (const bucketName of Object.values(resourceNames(projectName, env).buckets)) {
      if (bucketName.length > 63) {
        r.problem(
          'project.name',
          `'${projectName}' makes the bucket name '${bucketName}' longer than S3's 63 characters; shorten it`,
        );
        return;
      }
    }
  }
}
