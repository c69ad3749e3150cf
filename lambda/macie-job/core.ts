import {
  CreateClassificationJobCommand,
  type CreateClassificationJobCommandInput,
  DescribeClassificationJobCommand,
  type DescribeClassificationJobCommandOutput,
  type Macie2Client,
  UpdateClassificationJobCommand,
} from '@aws-sdk/client-macie2';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { errorMessage, errorName } from '../shared/errors';
import {
  clientToken,
  definitionHash,
  isPlausibleJobId,
  jobName,
  parseJobProperties,
  type ParsedJobProperties,
  scheduleWarnings,
  toMacieScheduleFrequency,
} from './properties';

/**
 * The environment-config flag that decides whether the stack enables Macie itself. Named in the
 * "Macie is not enabled" error so the operator knows what to change; keep it in step with lib/config.
 */
export const MACIE_ENABLE_FLAG = 'macie.enableInAccount';

/** What the CDK Provider framework expects back from onEvent. */
export interface MacieJobResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Readonly<Record<string, string>>;
}

/** The subset of the Powertools Logger the core uses, so tests can pass a plain recorder. */
export interface CoreLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface MacieJobDeps {
  readonly macie: Pick<Macie2Client, 'send'>;
  readonly logger: CoreLogger;
  /** Only used in error messages. */
  readonly region?: string;
}

/** How a cancel request ended; every value except a thrown error counts as success. */
export type CancelOutcome =
  'cancelled' | 'already-cancelled' | 'already-complete' | 'not-found' | 'macie-disabled';

export class MacieJobError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MacieJobError';
  }
}

export class MacieNotEnabledError extends MacieJobError {
  constructor(accountId: string, region: string | undefined, operation: string, cause: unknown) {
    super(
      `Amazon Macie is not enabled in account ${accountId}${region ? ` (${region})` : ''}, so ${operation} failed. ` +
        `If this stack should enable Macie, set \`${MACIE_ENABLE_FLAG}: true\` for the environment; if Macie is ` +
        `managed by an organisation (\`${MACIE_ENABLE_FLAG}: false\`), ask the delegated Macie administrator to ` +
        `enable it for this member account, then redeploy.`,
      'MacieNotEnabled',
      { cause },
    );
    this.name = 'MacieNotEnabledError';
  }
}

// A recurring job is never COMPLETE, but a job someone replaced by hand with a one-time job could be.
const TERMINAL_STATUSES = new Set(['CANCELLED', 'COMPLETE']);
const JOB_DESCRIPTION_LIMIT = 200;

/** onEvent for the CDK Provider framework: Create, Update and Delete of one scheduled classification job. */
export async function onMacieJobEvent(
  event: CloudFormationCustomResourceEvent,
  deps: MacieJobDeps,
): Promise<MacieJobResponse> {
  switch (event.RequestType) {
    case 'Create': {
      const parsed = parseJobProperties(event.ResourceProperties);
      warnAboutSchedule(parsed, deps.logger);
      return createJob(parsed, event, undefined, deps);
    }
    case 'Update':
      return updateJob(event, deps);
    case 'Delete':
      return deleteJob(event.PhysicalResourceId, accountOf(event), deps);
  }
}

/** The exact CreateClassificationJob input for a definition (exported so tests and reviewers can see it). */
export function buildCreateJobInput(
  parsed: ParsedJobProperties,
  ids: { readonly stackId: string; readonly logicalResourceId: string; readonly previousJobId?: string },
): CreateClassificationJobCommandInput {
  const { definition } = parsed;
  const hash = definitionHash(definition);
  const stackName = stackNameOf(ids.stackId);
  const description = `Scheduled sensitive-data discovery (DATA-2) of s3://${definition.bucketName} prefixes ${definition.prefixes.join(', ')}; managed by CloudFormation stack ${stackName}`;
  return {
    clientToken: clientToken({
      stackId: ids.stackId,
      logicalResourceId: ids.logicalResourceId,
      definitionHash: hash,
      ...(ids.previousJobId !== undefined ? { previousJobId: ids.previousJobId } : {}),
    }),
    name: jobName(definition, hash),
    description: truncate(description, JOB_DESCRIPTION_LIMIT),
    jobType: 'SCHEDULED',
    scheduleFrequency: toMacieScheduleFrequency(definition.schedule),
    initialRun: parsed.initialRun,
    samplingPercentage: definition.samplingPercentage,
    managedDataIdentifierSelector: 'RECOMMENDED',
    ...(definition.customDataIdentifierIds.length > 0
      ? { customDataIdentifierIds: [...definition.customDataIdentifierIds] }
      : {}),
    ...(definition.allowListIds.length > 0 ? { allowListIds: [...definition.allowListIds] } : {}),
    s3JobDefinition: {
      bucketDefinitions: [{ accountId: definition.accountId, buckets: [definition.bucketName] }],
      scoping: {
        includes: {
          // One term whose values are ORed: an object is in scope if its key starts with any prefix.
          and: [
            {
              simpleScopeTerm: {
                key: 'OBJECT_KEY',
                comparator: 'STARTS_WITH',
                values: [...definition.prefixes],
              },
            },
          ],
        },
      },
    },
    tags: {
      'managed-by': 'cloudformation',
      'cfn-stack-name': stackName,
      'cfn-logical-id': ids.logicalResourceId,
      'definition-hash': hash.slice(0, 12),
    },
  };
}

async function createJob(
  parsed: ParsedJobProperties,
  event: CloudFormationCustomResourceEvent,
  previousJobId: string | undefined,
  deps: MacieJobDeps,
): Promise<MacieJobResponse> {
  const input = buildCreateJobInput(parsed, {
    stackId: event.StackId,
    logicalResourceId: event.LogicalResourceId,
    ...(previousJobId !== undefined ? { previousJobId } : {}),
  });
  let output;
  try {
    output = await deps.macie.send(new CreateClassificationJobCommand(input));
  } catch (err) {
    throw macieError('CreateClassificationJob', err, parsed.definition.accountId, deps.region);
  }
  if (!output.jobId) {
    throw new MacieJobError('CreateClassificationJob returned no jobId', 'NoJobId');
  }
  deps.logger.info('classification job created (or returned for a repeated client token)', {
    jobId: output.jobId,
    jobName: input.name,
    previousJobId,
  });
  return {
    PhysicalResourceId: output.jobId,
    Data: jobData(output.jobId, output.jobArn, input.name ?? '', definitionHash(parsed.definition)),
  };
}

async function updateJob(
  event: Extract<CloudFormationCustomResourceEvent, { RequestType: 'Update' }>,
  deps: MacieJobDeps,
): Promise<MacieJobResponse> {
  const parsed = parseJobProperties(event.ResourceProperties);
  warnAboutSchedule(parsed, deps.logger);
  const hash = definitionHash(parsed.definition);
  const oldHash = tryDefinitionHash(event.OldResourceProperties);
  const oldJobId = isPlausibleJobId(event.PhysicalResourceId) ? event.PhysicalResourceId : undefined;

  if (oldJobId !== undefined && oldHash === hash) {
    const existing = await describeJob(oldJobId, parsed.definition.accountId, deps);
    if (existing !== undefined && !TERMINAL_STATUSES.has(existing.jobStatus ?? '')) {
      return {
        PhysicalResourceId: oldJobId,
        Data: jobData(oldJobId, existing.jobArn, existing.name ?? jobName(parsed.definition, hash), hash),
      };
    }
    // Cancelled (or removed) outside CloudFormation: put the scan back rather than report a dead job.
    deps.logger.warn('classification job is gone or cancelled outside CloudFormation; creating a new one', {
      jobId: oldJobId,
      jobStatus: existing?.jobStatus ?? 'NOT_FOUND',
    });
    return createJob(parsed, event, oldJobId, deps);
  }

  const created = await createJob(parsed, event, oldJobId, deps);
  if (oldJobId !== undefined && created.PhysicalResourceId !== oldJobId) {
    try {
      const outcome = await cancelJob(oldJobId, parsed.definition.accountId, deps);
      deps.logger.info('previous classification job cancelled after replacement', {
        jobId: oldJobId,
        outcome,
      });
    } catch (err) {
      // Failing here would leave the new job orphaned by the rollback. CloudFormation sends Delete for the
      // old physical id during cleanup, which retries the cancel; log loudly so the operator sees it.
      deps.logger.error('could not cancel the replaced classification job; cleanup Delete will retry', {
        jobId: oldJobId,
        error: errorMessage(err),
      });
    }
  }
  return created;
}

async function deleteJob(
  physicalId: string,
  accountId: string,
  deps: MacieJobDeps,
): Promise<MacieJobResponse> {
  if (!isPlausibleJobId(physicalId)) {
    // e.g. the Provider framework's marker for a Create that failed: no job was ever made.
    deps.logger.info('physical id is not a Macie job id; nothing to cancel', { physicalId });
    return { PhysicalResourceId: physicalId };
  }
  const outcome = await cancelJob(physicalId, accountId, deps, { macieDisabledMeansGone: true });
  deps.logger.info('classification job delete handled', { jobId: physicalId, outcome });
  return { PhysicalResourceId: physicalId, Data: { JobId: physicalId, Outcome: outcome } };
}

/**
 * Cancels a job (jobs cannot be deleted). Already cancelled, complete or missing jobs count as success,
 * so repeated Deletes and the cleanup Delete after a replacement always pass.
 */
export async function cancelJob(
  jobId: string,
  accountId: string,
  deps: MacieJobDeps,
  options: { readonly macieDisabledMeansGone?: boolean } = {},
): Promise<CancelOutcome> {
  let job: DescribeClassificationJobCommandOutput | undefined;
  try {
    job = await describeJob(jobId, accountId, deps);
  } catch (err) {
    // Disabling Macie deletes every job it had, so there is nothing left to cancel.
    if (options.macieDisabledMeansGone && err instanceof MacieNotEnabledError) return 'macie-disabled';
    throw err;
  }
  if (job === undefined) return 'not-found';
  const terminal = terminalOutcome(job.jobStatus);
  if (terminal !== undefined) return terminal;

  try {
    await deps.macie.send(new UpdateClassificationJobCommand({ jobId, jobStatus: 'CANCELLED' }));
    return 'cancelled';
  } catch (err) {
    const name = errorName(err);
    if (name === 'ResourceNotFoundException') return 'not-found';
    if (name === 'ValidationException' || name === 'ConflictException') {
      // The status changed between Describe and Update (another Delete, or a run finishing): look again.
      const again = await describeJob(jobId, accountId, deps);
      if (again === undefined) return 'not-found';
      const settled = terminalOutcome(again.jobStatus);
      if (settled !== undefined) return settled;
    }
    throw macieError('UpdateClassificationJob', err, accountId, deps.region);
  }
}

/** Describe that maps "no such job" to undefined and everything else to a clear error. */
async function describeJob(
  jobId: string,
  accountId: string,
  deps: MacieJobDeps,
): Promise<DescribeClassificationJobCommandOutput | undefined> {
  try {
    return await deps.macie.send(new DescribeClassificationJobCommand({ jobId }));
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return undefined;
    throw macieError('DescribeClassificationJob', err, accountId, deps.region);
  }
}

function terminalOutcome(status: string | undefined): CancelOutcome | undefined {
  if (status === 'CANCELLED') return 'already-cancelled';
  if (status === 'COMPLETE') return 'already-complete';
  return undefined;
}

/** Turns an SDK error into one message that says what happened and what to change. */
export function macieError(
  operation: string,
  err: unknown,
  accountId: string,
  region?: string,
): MacieJobError {
  if (err instanceof MacieJobError) return err;
  const name = errorName(err);
  const message = errorMessage(err);
  if (name === 'AccessDeniedException' && /not enabled|suspended/i.test(message)) {
    return new MacieNotEnabledError(accountId, region, operation, err);
  }
  switch (name) {
    case 'AccessDeniedException':
      return new MacieJobError(
        `access denied calling macie2:${operation} (${message}); the custom resource's role needs macie2:${operation}`,
        name,
        { cause: err },
      );
    case 'ValidationException':
      return new MacieJobError(`Macie rejected ${operation}: ${message}`, name, { cause: err });
    case 'ServiceQuotaExceededException':
      return new MacieJobError(
        `Macie quota exceeded on ${operation} (${message}); cancel unused jobs or request a quota increase`,
        name,
        { cause: err },
      );
    case 'ThrottlingException':
    case 'InternalServerException':
      return new MacieJobError(
        `Macie ${operation} failed after retries (${name}: ${message}); redeploy`,
        name,
        {
          cause: err,
        },
      );
    default:
      return new MacieJobError(`Macie ${operation} failed: ${name}: ${message}`, name, { cause: err });
  }
}

function tryDefinitionHash(raw: unknown): string | undefined {
  try {
    return definitionHash(parseJobProperties(raw).definition);
  } catch {
    // Properties that no longer validate cannot describe the running job: treat the definition as changed.
    return undefined;
  }
}

function warnAboutSchedule(parsed: ParsedJobProperties, logger: CoreLogger): void {
  for (const warning of scheduleWarnings(parsed.definition.schedule)) logger.warn(warning);
}

function jobData(
  jobId: string,
  jobArn: string | undefined,
  name: string,
  hash: string,
): Record<string, string> {
  return { JobId: jobId, JobArn: jobArn ?? '', JobName: name, DefinitionHash: hash };
}

function accountOf(event: CloudFormationCustomResourceEvent): string {
  const fromProps = (event.ResourceProperties as Record<string, unknown>)['AccountId'];
  if (typeof fromProps === 'string' && fromProps !== '') return fromProps;
  return event.StackId.split(':')[4] ?? 'unknown';
}

/** arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid> -> <name> */
function stackNameOf(stackId: string): string {
  const match = /:stack\/([^/]+)\//.exec(stackId);
  return match?.[1] ?? stackId;
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 3)}...`;
}
