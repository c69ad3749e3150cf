import type { DayOfWeek, JobScheduleFrequency } from '@aws-sdk/client-macie2';
import { sha256Hex } from '../../src/integrity/digest';

/**
 * The ResourceProperties contract of the Macie classification-job custom resource, as CloudFormation
 * delivers it: every scalar is a string, lists are arrays of strings. `ServiceToken` is ignored.
 */
export interface MacieJobResourceProperties {
  /** 12-digit id of the account that owns the bucket. */
  readonly AccountId: string;
  readonly BucketName: string;
  /** Object key prefixes to classify (e.g. `customers/`, `data-capture/`); at least one. */
  readonly Prefixes: readonly string[];
  /** `DAILY`, `WEEKLY:<MONDAY..SUNDAY>` or `MONTHLY:<1-31>`. */
  readonly ScheduleFrequency: string;
  /** Ids of AWS::Macie::CustomDataIdentifier resources; may be empty (managed identifiers still apply). */
  readonly CustomDataIdentifierIds: readonly string[];
  /** Ids of Macie allow lists. @default none */
  readonly AllowListIds?: readonly string[];
  /** Integer 1-100 as a string. @default '100' */
  readonly SamplingPercentage?: string;
  /** Start of the job name; the definition hash is appended. */
  readonly JobNamePrefix: string;
  /**
   * 'true' analyses existing objects as soon as the job is created; 'false' waits for the schedule.
   * Creation-time only, so it is not part of the definition hash (changing it alone replaces nothing).
   * @default 'true'
   */
  readonly InitialRun?: string;
}

/** The validated, normalised job definition; everything here is part of the definition hash. */
export interface JobDefinition {
  readonly accountId: string;
  readonly bucketName: string;
  /** Sorted and de-duplicated, so reordering the configuration does not replace the job. */
  readonly prefixes: readonly string[];
  readonly schedule: ParsedSchedule;
  readonly customDataIdentifierIds: readonly string[];
  readonly allowListIds: readonly string[];
  readonly samplingPercentage: number;
  readonly jobNamePrefix: string;
}

export interface ParsedJobProperties {
  readonly definition: JobDefinition;
  readonly initialRun: boolean;
}

export type ParsedSchedule =
  | { readonly kind: 'DAILY' }
  | { readonly kind: 'WEEKLY'; readonly dayOfWeek: DayOfWeek }
  | { readonly kind: 'MONTHLY'; readonly dayOfMonth: number };

export class InvalidJobPropertiesError extends Error {
  constructor(message: string) {
    super(`invalid Macie job properties: ${message}`);
    this.name = 'InvalidJobPropertiesError';
  }
}

const DAYS: readonly DayOfWeek[] = [
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
  'SUNDAY',
];

const ACCOUNT_ID = /^\d{12}$/;
// The general-purpose bucket naming rules, without the rarer exclusions (Macie rejects what S3 would).
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// Macie ids (custom data identifiers, allow lists, jobs) are opaque alphanumeric strings.
const MACIE_ID = /^[A-Za-z0-9-]{1,128}$/;
const JOB_NAME_PREFIX = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Parses `DAILY`, `WEEKLY:<DAY>` or `MONTHLY:<1-31>` (case-insensitive) into a schedule. */
export function parseScheduleFrequency(value: unknown): ParsedSchedule {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidJobPropertiesError(
      `ScheduleFrequency must be 'DAILY', 'WEEKLY:<DAY>' or 'MONTHLY:<1-31>', got ${describe(value)}`,
    );
  }
  const [kindRaw, argRaw, ...rest] = value.trim().toUpperCase().split(':');
  const kind = kindRaw?.trim();
  const arg = argRaw?.trim();
  if (rest.length > 0) {
    throw new InvalidJobPropertiesError(`ScheduleFrequency '${value}' has more than one ':'`);
  }
  if (kind === 'DAILY' && arg === undefined) return { kind: 'DAILY' };
  if (kind === 'WEEKLY' && arg !== undefined) {
    const day = DAYS.find((d) => d === arg);
    if (day === undefined) {
      throw new InvalidJobPropertiesError(
        `ScheduleFrequency '${value}': day must be one of ${DAYS.join(', ')}`,
      );
    }
    return { kind: 'WEEKLY', dayOfWeek: day };
  }
  if (kind === 'MONTHLY' && arg !== undefined) {
    const day = /^\d{1,2}$/.test(arg) ? Number(arg) : NaN;
    if (!(day >= 1 && day <= 31)) {
      throw new InvalidJobPropertiesError(
        `ScheduleFrequency '${value}': day of month must be an integer from 1 to 31`,
      );
    }
    return { kind: 'MONTHLY', dayOfMonth: day };
  }
  throw new InvalidJobPropertiesError(
    `ScheduleFrequency must be 'DAILY', 'WEEKLY:<DAY>' or 'MONTHLY:<1-31>', got '${value}'`,
  );
}

/**
 * Macie skips a monthly run in months that lack the day (31 skips February, April, ...). Not an error,
 * but worth telling whoever configured it.
 */
export function scheduleWarnings(schedule: ParsedSchedule): string[] {
  if (schedule.kind === 'MONTHLY' && schedule.dayOfMonth > 28) {
    return [
      `MONTHLY:${schedule.dayOfMonth} does not run in months without day ${schedule.dayOfMonth}; use 1-28 to run every month`,
    ];
  }
  return [];
}

export function toMacieScheduleFrequency(schedule: ParsedSchedule): JobScheduleFrequency {
  switch (schedule.kind) {
    case 'DAILY':
      return { dailySchedule: {} };
    case 'WEEKLY':
      return { weeklySchedule: { dayOfWeek: schedule.dayOfWeek } };
    case 'MONTHLY':
      return { monthlySchedule: { dayOfMonth: schedule.dayOfMonth } };
  }
}

function scheduleText(schedule: ParsedSchedule): string {
  switch (schedule.kind) {
    case 'DAILY':
      return 'DAILY';
    case 'WEEKLY':
      return `WEEKLY:${schedule.dayOfWeek}`;
    case 'MONTHLY':
      return `MONTHLY:${schedule.dayOfMonth}`;
  }
}

/**
 * Validates ResourceProperties (also usable at synth time by the CDK side) and returns the normalised
 * definition. Every error names the offending property.
 */
export function parseJobProperties(raw: unknown): ParsedJobProperties {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidJobPropertiesError(`ResourceProperties must be an object, got ${describe(raw)}`);
  }
  const props = raw as Record<string, unknown>;

  const accountId = requiredString(props, 'AccountId');
  if (!ACCOUNT_ID.test(accountId)) {
    throw new InvalidJobPropertiesError(`AccountId must be 12 digits, got '${accountId}'`);
  }
  const bucketName = requiredString(props, 'BucketName');
  if (!BUCKET_NAME.test(bucketName) || bucketName.includes('..')) {
    throw new InvalidJobPropertiesError(`BucketName '${bucketName}' is not a valid S3 bucket name`);
  }

  const prefixes = stringList(props, 'Prefixes', true);
  if (prefixes.length === 0)
    throw new InvalidJobPropertiesError('Prefixes must list at least one key prefix');
  prefixes.forEach((prefix, i) => {
    if (prefix.trim() === '') throw new InvalidJobPropertiesError(`Prefixes[${i}] is empty`);
    // Macie matches OBJECT_KEY with STARTS_WITH and does not support wildcards.
    if (prefix.includes('*')) {
      throw new InvalidJobPropertiesError(`Prefixes[${i}] '${prefix}' contains '*'; Macie has no wildcards`);
    }
    if (prefix.startsWith('/')) {
      throw new InvalidJobPropertiesError(`Prefixes[${i}] '${prefix}' starts with '/'; S3 keys do not`);
    }
  });

  const schedule = parseScheduleFrequency(props['ScheduleFrequency']);
  const customDataIdentifierIds = idList(props, 'CustomDataIdentifierIds', true);
  const allowListIds = idList(props, 'AllowListIds', false);

  let samplingPercentage = 100;
  const samplingRaw = props['SamplingPercentage'];
  if (samplingRaw !== undefined && samplingRaw !== '') {
    const text = typeof samplingRaw === 'number' ? String(samplingRaw) : samplingRaw;
    if (typeof text !== 'string' || !/^\d{1,3}$/.test(text.trim()) || +text < 1 || +text > 100) {
      throw new InvalidJobPropertiesError(
        `SamplingPercentage must be an integer from 1 to 100, got ${describe(samplingRaw)}`,
      );
    }
    samplingPercentage = Number(text);
  }

  const jobNamePrefix = requiredString(props, 'JobNamePrefix');
  if (!JOB_NAME_PREFIX.test(jobNamePrefix)) {
    throw new InvalidJobPropertiesError(
      `JobNamePrefix '${jobNamePrefix}' must be 1-200 characters of letters, digits, '.', '_' or '-'`,
    );
  }

  const initialRunRaw = props['InitialRun'];
  let initialRun = true;
  if (initialRunRaw !== undefined && initialRunRaw !== '') {
    const text = String(initialRunRaw).toLowerCase();
    if (text !== 'true' && text !== 'false') {
      throw new InvalidJobPropertiesError(
        `InitialRun must be 'true' or 'false', got ${describe(initialRunRaw)}`,
      );
    }
    initialRun = text === 'true';
  }

  return {
    definition: {
      accountId,
      bucketName,
      prefixes: sortedUnique(prefixes),
      schedule,
      customDataIdentifierIds: sortedUnique(customDataIdentifierIds),
      allowListIds: sortedUnique(allowListIds),
      samplingPercentage,
      jobNamePrefix,
    },
    initialRun,
  };
}

/**
 * Hash of the canonical definition: equal definitions give equal hashes whatever the order of list
 * entries, and any field that Macie cannot edit on an existing job is included.
 */
export function definitionHash(definition: JobDefinition): string {
  const canonical = JSON.stringify([
    'macie-job/v1',
    definition.accountId,
    definition.bucketName,
    definition.prefixes,
    scheduleText(definition.schedule),
    definition.customDataIdentifierIds,
    definition.allowListIds,
    definition.samplingPercentage,
    definition.jobNamePrefix,
  ]);
  return sha256Hex(canonical);
}

/** Job names carry a short hash so the console shows which definition each (possibly cancelled) job had. */
export function jobName(definition: JobDefinition, hash: string = definitionHash(definition)): string {
  return `${definition.jobNamePrefix}-${hash.slice(0, 12)}`;
}

/**
 * The idempotency token for CreateClassificationJob. A retried request for the same resource, definition
 * and predecessor job yields the same token, so Macie returns the job it already created instead of a
 * second one. The predecessor is part of it so that going back to an earlier definition (A -> B -> A)
 * creates a fresh job rather than being answered with the cancelled original.
 */
export function clientToken(parts: {
  readonly stackId: string;
  readonly logicalResourceId: string;
  readonly definitionHash: string;
  readonly previousJobId?: string;
}): string {
  return sha256Hex(
    JSON.stringify([parts.stackId, parts.logicalResourceId, parts.definitionHash, parts.previousJobId ?? '']),
  );
}

export function isPlausibleJobId(value: string | undefined): value is string {
  return value !== undefined && MACIE_ID.test(value);
}

function requiredString(props: Record<string, unknown>, name: string): string {
  const value = props[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidJobPropertiesError(`${name} is required (a non-empty string), got ${describe(value)}`);
  }
  return value.trim();
}

function stringList(props: Record<string, unknown>, name: string, required: boolean): string[] {
  const value = props[name];
  if (value === undefined || value === '') {
    if (required) throw new InvalidJobPropertiesError(`${name} is required (a list of strings)`);
    return [];
  }
  if (!Array.isArray(value)) {
    throw new InvalidJobPropertiesError(`${name} must be a list of strings, got ${describe(value)}`);
  }
  return value.map((item, i) => {
    if (typeof item !== 'string') {
      throw new InvalidJobPropertiesError(`${name}[${i}] must be a string, got ${describe(item)}`);
    }
    return item;
  });
}

function idList(props: Record<string, unknown>, name: string, required: boolean): string[] {
  const ids = stringList(props, name, required).map((id) => id.trim());
  ids.forEach((id, i) => {
    if (!MACIE_ID.test(id)) {
      throw new InvalidJobPropertiesError(`${name}[${i}] '${id}' is not a Macie resource id`);
    }
  });
  return ids;
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `'${value}'`;
  return JSON.stringify(value) ?? String(value);
}
