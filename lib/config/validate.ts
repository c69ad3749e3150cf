import { AWS_REGIONS } from './regions';
import {
  DataClassification,
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

  boolean(path: string, value: Json): boolean | undefined {
    if (typeof value !== 'boolean') {
      this.problem(path, `must be true or false, got ${describe(value)}`);
      return undefined;
    }
    return value;
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
  ]);
  if (!o) return undefined;
  const isProd = name === 'prod';
  const account = r.string(`${path}.account`, o.account, ACCOUNT_ID, 'a 12-digit AWS account id');
  const region = r.string(`${path}.region`, o.region);
  if (region !== undefined && !AWS_REGIONS.includes(region)) {
    r.problem(`${path}.region`, `'${region}' is not a known AWS region (e.g. eu-west-1, us-east-1)`);
  }

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

  if (
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
  };
}

/**
 * Validates a parsed configuration file and fills in defaults. Throws a `ConfigValidationError`
 * listing every problem; returns a configuration every construct can trust.
 */
export function validateConfig(raw: Json, source = 'configuration'): ProjectConfig {
  const r = new Reader();
  const root = r.object('(root)', raw, ['$schema', 'project', 'tooling', 'environments']);
  if (!root) throw new ConfigValidationError(source, r.problems);

  const p = r.object('project', root.project, ['name', 'owner', 'dataClassification', 'cdkQualifier']);
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

  let tooling: ProjectConfig['tooling'];
  if (root.tooling !== undefined) {
    const t = r.object('tooling', root.tooling, ['account', 'region']);
    const account = t
      ? r.string('tooling.account', t.account, ACCOUNT_ID, 'a 12-digit AWS account id')
      : undefined;
    const region = t ? r.string('tooling.region', t.region) : undefined;
    if (region !== undefined && !AWS_REGIONS.includes(region)) {
      r.problem('tooling.region', `'${region}' is not a known AWS region (e.g. eu-west-1, us-east-1)`);
    }
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

  if (r.problems.length > 0 || !name || !owner || !dataClassification || !cdkQualifier) {
    throw new ConfigValidationError(source, r.problems);
  }
  return {
    project: { name, owner, dataClassification, cdkQualifier },
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
