import {
  AccessDeniedException,
  CreateClassificationJobCommand,
  DescribeClassificationJobCommand,
  Macie2Client,
  ResourceNotFoundException,
  UpdateClassificationJobCommand,
  ValidationException,
} from '@aws-sdk/client-macie2';
import { mockClient } from 'aws-sdk-client-mock';
import {
  MACIE_ENABLE_FLAG,
  MacieNotEnabledError,
  buildCreateJobInput,
  onMacieJobEvent,
} from '../../../lambda/macie-job/core';
import { parseJobProperties } from '../../../lambda/macie-job/properties';
import {
  LOGICAL_ID,
  STACK_ID,
  createEvent,
  deleteEvent,
  jobProperties,
  recordingLogger,
  updateEvent,
} from './events';

const JOB_A = '3ce05dbb7ec5505def334104bf6a0001';
const JOB_B = '3ce05dbb7ec5505def334104bf6b0002';
const ARN_A = `arn:aws:macie2:eu-west-1:111122223333:classification-job/${JOB_A}`;
const ARN_B = `arn:aws:macie2:eu-west-1:111122223333:classification-job/${JOB_B}`;

const macieClient = new Macie2Client({ region: 'eu-west-1' });
const macie = mockClient(macieClient);

function deps(logger = recordingLogger()) {
  return { macie: macieClient, logger, region: 'eu-west-1' };
}

const meta = { $metadata: {} };

beforeEach(() => {
  macie.reset();
});

function createInputs() {
  return macie.commandCalls(CreateClassificationJobCommand).map((call) => call.args[0].input);
}
function updateInputs() {
  return macie.commandCalls(UpdateClassificationJobCommand).map((call) => call.args[0].input);
}
function describeInputs() {
  return macie.commandCalls(DescribeClassificationJobCommand).map((call) => call.args[0].input);
}

describe('Create', () => {
  test('creates one scheduled job scoped to the bucket prefixes and returns its id as the physical id', async () => {
    // Prepare
    macie.on(CreateClassificationJobCommand).resolves({ jobId: JOB_A, jobArn: ARN_A });

    // Act
    const response = await onMacieJobEvent(createEvent(), deps());

    // Assess
    expect(macie.calls()).toHaveLength(1);
    const [input] = createInputs();
    expect(input).toEqual({
      clientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
      name: expect.stringMatching(/^churn-dev-pii-[0-9a-f]{12}$/),
      description: expect.stringContaining('s3://churn-dev-data-111122223333'),
      jobType: 'SCHEDULED',
      scheduleFrequency: { weeklySchedule: { dayOfWeek: 'MONDAY' } },
      initialRun: true,
      samplingPercentage: 100,
      managedDataIdentifierSelector: 'RECOMMENDED',
      customDataIdentifierIds: ['cdi0123456789abcdef'],
      allowListIds: ['al0123456789abcdef'],
      s3JobDefinition: {
        bucketDefinitions: [{ accountId: '111122223333', buckets: ['churn-dev-data-111122223333'] }],
        scoping: {
          includes: {
            and: [
              {
                simpleScopeTerm: {
                  key: 'OBJECT_KEY',
                  comparator: 'STARTS_WITH',
                  values: ['customers/', 'data-capture/'],
                },
              },
            ],
          },
        },
      },
      tags: {
        'managed-by': 'cloudformation',
        'cfn-stack-name': 'churn-dev-data',
        'cfn-logical-id': LOGICAL_ID,
        'definition-hash': expect.stringMatching(/^[0-9a-f]{12}$/),
      },
    });
    expect(input?.description?.length).toBeLessThanOrEqual(200);
    expect(input?.name?.endsWith(input.tags?.['definition-hash'] ?? 'missing')).toBe(true);
    expect(response).toEqual({
      PhysicalResourceId: JOB_A,
      Data: {
        JobId: JOB_A,
        JobArn: ARN_A,
        JobName: input?.name,
        DefinitionHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
  });

  test('a repeated Create sends the same client token, so Macie returns the same job instead of a second', async () => {
    macie.on(CreateClassificationJobCommand).resolves({ jobId: JOB_A, jobArn: ARN_A });

    const first = await onMacieJobEvent(createEvent(), deps());
    const second = await onMacieJobEvent(createEvent(), deps());

    const [a, b] = createInputs();
    expect(b).toEqual(a);
    expect(second.PhysicalResourceId).toBe(first.PhysicalResourceId);
  });

  test('the client token differs per stack, per logical id and per definition', () => {
    const parsed = parseJobProperties(jobProperties());
    const base = buildCreateJobInput(parsed, {
      stackId: STACK_ID,
      logicalResourceId: LOGICAL_ID,
    }).clientToken;
    const otherStack = buildCreateJobInput(parsed, {
      stackId: STACK_ID.replace('0f1e2d3c', 'aaaaaaaa'),
      logicalResourceId: LOGICAL_ID,
    }).clientToken;
    const otherLogical = buildCreateJobInput(parsed, {
      stackId: STACK_ID,
      logicalResourceId: 'Other',
    }).clientToken;
    const otherDefinition = buildCreateJobInput(
      parseJobProperties(jobProperties({ ScheduleFrequency: 'DAILY' })),
      {
        stackId: STACK_ID,
        logicalResourceId: LOGICAL_ID,
      },
    ).clientToken;

    expect(new Set([base, otherStack, otherLogical, otherDefinition]).size).toBe(4);
  });

  test('reordered or repeated prefixes and ids give the same job definition', () => {
    const ids = { stackId: STACK_ID, logicalResourceId: LOGICAL_ID };
    const a = buildCreateJobInput(parseJobProperties(jobProperties()), ids);
    const b = buildCreateJobInput(
      parseJobProperties(
        jobProperties({
          Prefixes: ['data-capture/', 'customers/', 'customers/'],
          CustomDataIdentifierIds: [' cdi0123456789abcdef', 'cdi0123456789abcdef'],
        }),
      ),
      ids,
    );
    expect(b).toEqual(a);
  });

  test.each([
    ['DAILY', { dailySchedule: {} }],
    ['weekly:friday', { weeklySchedule: { dayOfWeek: 'FRIDAY' } }],
    ['MONTHLY:1', { monthlySchedule: { dayOfMonth: 1 } }],
    ['MONTHLY:31', { monthlySchedule: { dayOfMonth: 31 } }],
  ])('ScheduleFrequency %s becomes %j', async (schedule, expected) => {
    macie.on(CreateClassificationJobCommand).resolves({ jobId: JOB_A });
    await onMacieJobEvent(createEvent(jobProperties({ ScheduleFrequency: schedule })), deps());
    expect(createInputs()[0]?.scheduleFrequency).toEqual(expected);
  });

  test('a monthly day above 28 is accepted with a warning that some months are skipped', async () => {
    macie.on(CreateClassificationJobCommand).resolves({ jobId: JOB_A });
    const logger = recordingLogger();
    await onMacieJobEvent(createEvent(jobProperties({ ScheduleFrequency: 'MONTHLY:30' })), deps(logger));
    expect(logger.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/1-28/) }),
    );
  });

  test('optional properties left out: no allow lists, full sampling, no custom identifiers', async () => {
    macie.on(CreateClassificationJobCommand).resolves({ jobId: JOB_A });
    const props = jobProperties({
      CustomDataIdentifierIds: [],
      SamplingPercentage: undefined,
      InitialRun: 'false',
    });
    delete props['AllowListIds'];
    await onMacieJobEvent(createEvent(props), deps());
    const [input] = createInputs();
    expect(input).not.toHaveProperty('allowListIds');
    expect(input).not.toHaveProperty('customDataIdentifierIds');
    expect(input?.samplingPercentage).toBe(100);
    expect(input?.initialRun).toBe(false);
  });

  test('Macie not enabled: the error says so and names the configuration flag', async () => {
    macie
      .on(CreateClassificationJobCommand)
      .rejects(new AccessDeniedException({ message: 'Macie is not enabled.', ...meta }));

    const attempt = onMacieJobEvent(createEvent(), deps());

    await expect(attempt).rejects.toBeInstanceOf(MacieNotEnabledError);
    await expect(attempt).rejects.toThrow(
      /Amazon Macie is not enabled in account 111122223333 \(eu-west-1\)/,
    );
    await expect(attempt).rejects.toThrow(MACIE_ENABLE_FLAG);
  });

  test('other access denials name the missing permission', async () => {
    macie.on(CreateClassificationJobCommand).rejects(
      new AccessDeniedException({
        message: 'User is not authorized to perform: macie2:CreateClassificationJob',
        ...meta,
      }),
    );
    await expect(onMacieJobEvent(createEvent(), deps())).rejects.toThrow(
      /role needs macie2:CreateClassificationJob/,
    );
  });

  test('a Macie validation error is reported with its message', async () => {
    macie
      .on(CreateClassificationJobCommand)
      .rejects(new ValidationException({ message: 'The custom data identifier does not exist', ...meta }));
    await expect(onMacieJobEvent(createEvent(), deps())).rejects.toThrow(
      'Macie rejected CreateClassificationJob: The custom data identifier does not exist',
    );
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['account id', { AccountId: '1234' }, /AccountId must be 12 digits/],
    ['bucket name', { BucketName: 'Not_A_Bucket' }, /BucketName 'Not_A_Bucket'/],
    ['no prefixes', { Prefixes: [] }, /Prefixes must list at least one/],
    ['prefixes as a string', { Prefixes: 'customers/' }, /Prefixes must be a list of strings/],
    ['wildcard prefix', { Prefixes: ['customers/*'] }, /Prefixes\[0\].*no wildcards/],
    ['schedule', { ScheduleFrequency: 'HOURLY' }, /ScheduleFrequency must be/],
    ['weekday', { ScheduleFrequency: 'WEEKLY:FUNDAY' }, /day must be one of MONDAY/],
    ['day of month', { ScheduleFrequency: 'MONTHLY:32' }, /day of month must be an integer from 1 to 31/],
    ['sampling', { SamplingPercentage: '0' }, /SamplingPercentage must be an integer from 1 to 100/],
    ['identifier id', { CustomDataIdentifierIds: ['bad id!'] }, /CustomDataIdentifierIds\[0\] 'bad id!'/],
    ['name prefix', { JobNamePrefix: '' }, /JobNamePrefix is required/],
    ['initial run', { InitialRun: 'yes' }, /InitialRun must be 'true' or 'false'/],
  ])(
    'invalid %s is rejected before any Macie call, naming the property',
    async (_label, override, message) => {
      await expect(onMacieJobEvent(createEvent(jobProperties(override)), deps())).rejects.toThrow(message);
      expect(macie.calls()).toHaveLength(0);
    },
  );
});

describe('Update', () => {
  test('an unchanged definition keeps the job: one Describe, same physical id', async () => {
    macie
      .on(DescribeClassificationJobCommand)
      .resolves({ jobId: JOB_A, jobArn: ARN_A, jobStatus: 'IDLE', name: 'churn-dev-pii-aaaaaaaaaaaa' });

    const response = await onMacieJobEvent(updateEvent(JOB_A), deps());

    expect(macie.calls()).toHaveLength(1);
    expect(describeInputs()).toEqual([{ jobId: JOB_A }]);
    expect(response.PhysicalResourceId).toBe(JOB_A);
    expect(response.Data).toMatchObject({
      JobId: JOB_A,
      JobArn: ARN_A,
      JobName: 'churn-dev-pii-aaaaaaaaaaaa',
    });
  });

  test('a change that does not alter the definition (creation-only InitialRun, list order) keeps the job', async () => {
    macie.on(DescribeClassificationJobCommand).resolves({ jobId: JOB_A, jobStatus: 'RUNNING' });
    const changed = jobProperties({ InitialRun: 'false', Prefixes: ['data-capture/', 'customers/'] });

    const response = await onMacieJobEvent(updateEvent(JOB_A, changed), deps());

    expect(response.PhysicalResourceId).toBe(JOB_A);
    expect(createInputs()).toHaveLength(0);
  });

  test('a changed definition creates a new job and cancels the old one', async () => {
    macie.on(CreateClassificationJobCommand).resolves({ jobId: JOB_B, jobArn: ARN_B });
    macie
      .on(DescribeClassificationJobCommand, { jobId: JOB_A })
      .resolves({ jobId: JOB_A, jobStatus: 'IDLE' });
    macie.on(UpdateClassificationJobCommand).resolves({});
    const changed = jobProperties({ Prefixes: ['customers/', 'data-capture/', 'exports/'] });

    const response = await onMacieJobEvent(updateEvent(JOB_A, changed), deps());

    const [created] = createInputs();
    expect(created?.s3JobDefinition?.scoping?.includes?.and?.[0]?.simpleScopeTerm?.values).toEqual([
      'customers/',
      'data-capture/',
      'exports/',
    ]);
    const originalToken = buildCreateJobInput(parseJobProperties(changed), {
      stackId: STACK_ID,
      logicalResourceId: LOGICAL_ID,
    }).clientToken;
    expect(created?.clientToken).not.toBe(originalToken); // the predecessor is part of the token
    expect(describeInputs()).toEqual([{ jobId: JOB_A }]);
    expect(updateInputs()).toEqual([{ jobId: JOB_A, jobStatus: 'CANCELLED' }]);
    expect(response.PhysicalResourceId).toBe(JOB_B);
    expect(response.Data).toMatchObject({ JobId: JOB_B, JobArn: ARN_B });
  });

  test('a retried replacement sends the same token and cancels idempotently', async () => {
    macie.on(CreateClassificationJobCommand).resolves({ jobId: JOB_B });
    macie
      .on(DescribeClassificationJobCommand, { jobId: JOB_A })
      .resolvesOnce({ jobId: JOB_A, jobStatus: 'IDLE' })
      .resolves({ jobId: JOB_A, jobStatus: 'CANCELLED' });
    macie.on(UpdateClassificationJobCommand).resolves({});
    const changed = jobProperties({ SamplingPercentage: '50' });

    const first = await onMacieJobEvent(updateEvent(JOB_A, changed), deps());
    const second = await onMacieJobEvent(updateEvent(JOB_A, changed), deps());

    const [a, b] = createInputs();
    expect(b?.clientToken).toBe(a?.clientToken);
    expect(second.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect(updateInputs()).toHaveLength(1); // the second run saw CANCELLED and left it alone
  });

  test('going back to an earlier definition creates a fresh job, not the cancelled original', () => {
    const parsed = parseJobProperties(jobProperties());
    const ids = { stackId: STACK_ID, logicalResourceId: LOGICAL_ID };
    const original = buildCreateJobInput(parsed, ids).clientToken;
    const revert = buildCreateJobInput(parsed, { ...ids, previousJobId: JOB_B }).clientToken;
    expect(revert).not.toBe(original);
  });

  test('if the old job cannot be cancelled, the update still succeeds and the failure is logged', async () => {
    macie.on(CreateClassificationJobCommand).resolves({ jobId: JOB_B });
    macie.on(DescribeClassificationJobCommand).resolves({ jobId: JOB_A, jobStatus: 'RUNNING' });
    macie.on(UpdateClassificationJobCommand).rejects(
      new AccessDeniedException({
        message: 'not authorized to perform macie2:UpdateClassificationJob',
        ...meta,
      }),
    );
    const logger = recordingLogger();

    const response = await onMacieJobEvent(
      updateEvent(JOB_A, jobProperties({ ScheduleFrequency: 'DAILY' })),
      deps(logger),
    );

    expect(response.PhysicalResourceId).toBe(JOB_B);
    expect(logger.entries).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: expect.stringMatching(/cleanup Delete will retry/),
      }),
    );
  });

  test('a job cancelled outside CloudFormation is recreated on the next update', async () => {
    macie.on(DescribeClassificationJobCommand).resolves({ jobId: JOB_A, jobStatus: 'CANCELLED' });
    macie.on(CreateClassificationJobCommand).resolves({ jobId: JOB_B });

    const response = await onMacieJobEvent(updateEvent(JOB_A), deps());

    expect(createInputs()).toHaveLength(1);
    expect(updateInputs()).toHaveLength(0);
    expect(response.PhysicalResourceId).toBe(JOB_B);
  });

  test('old properties that no longer validate count as a changed definition', async () => {
    macie.on(CreateClassificationJobCommand).resolves({ jobId: JOB_B });
    macie.on(DescribeClassificationJobCommand).resolves({ jobId: JOB_A, jobStatus: 'IDLE' });
    macie.on(UpdateClassificationJobCommand).resolves({});

    const response = await onMacieJobEvent(
      updateEvent(JOB_A, jobProperties(), jobProperties({ ScheduleFrequency: 'HOURLY' })),
      deps(),
    );

    expect(response.PhysicalResourceId).toBe(JOB_B);
    expect(updateInputs()).toEqual([{ jobId: JOB_A, jobStatus: 'CANCELLED' }]);
  });
});

describe('Delete', () => {
  test('cancels a live job', async () => {
    macie.on(DescribeClassificationJobCommand).resolves({ jobId: JOB_A, jobStatus: 'IDLE' });
    macie.on(UpdateClassificationJobCommand).resolves({});

    const response = await onMacieJobEvent(deleteEvent(JOB_A), deps());

    expect(describeInputs()).toEqual([{ jobId: JOB_A }]);
    expect(updateInputs()).toEqual([{ jobId: JOB_A, jobStatus: 'CANCELLED' }]);
    expect(response).toEqual({ PhysicalResourceId: JOB_A, Data: { JobId: JOB_A, Outcome: 'cancelled' } });
  });

  test.each([
    ['CANCELLED', 'already-cancelled'],
    ['COMPLETE', 'already-complete'],
  ])('a job already %s succeeds without an Update call', async (status, outcome) => {
    macie.on(DescribeClassificationJobCommand).resolves({ jobId: JOB_A, jobStatus: status as 'CANCELLED' });

    const response = await onMacieJobEvent(deleteEvent(JOB_A), deps());

    expect(updateInputs()).toHaveLength(0);
    expect(response.Data?.['Outcome']).toBe(outcome);
  });

  test('a job that no longer exists succeeds', async () => {
    macie
      .on(DescribeClassificationJobCommand)
      .rejects(new ResourceNotFoundException({ message: 'not found', ...meta }));

    const response = await onMacieJobEvent(deleteEvent(JOB_A), deps());

    expect(updateInputs()).toHaveLength(0);
    expect(response.Data?.['Outcome']).toBe('not-found');
  });

  test('a job cancelled between Describe and Update (Macie answers ValidationException) succeeds', async () => {
    macie
      .on(DescribeClassificationJobCommand)
      .resolvesOnce({ jobId: JOB_A, jobStatus: 'RUNNING' })
      .resolves({ jobId: JOB_A, jobStatus: 'CANCELLED' });
    macie
      .on(UpdateClassificationJobCommand)
      .rejects(
        new ValidationException({ message: "The job's current status doesn't allow this change", ...meta }),
      );

    const response = await onMacieJobEvent(deleteEvent(JOB_A), deps());

    expect(describeInputs()).toHaveLength(2);
    expect(response.Data?.['Outcome']).toBe('already-cancelled');
  });

  test('a ValidationException on a job that is still live is an error', async () => {
    macie.on(DescribeClassificationJobCommand).resolves({ jobId: JOB_A, jobStatus: 'RUNNING' });
    macie
      .on(UpdateClassificationJobCommand)
      .rejects(new ValidationException({ message: 'bad request', ...meta }));

    await expect(onMacieJobEvent(deleteEvent(JOB_A), deps())).rejects.toThrow(
      'Macie rejected UpdateClassificationJob: bad request',
    );
  });

  test('repeated Deletes both succeed; the second only looks', async () => {
    macie
      .on(DescribeClassificationJobCommand)
      .resolvesOnce({ jobId: JOB_A, jobStatus: 'IDLE' })
      .resolves({ jobId: JOB_A, jobStatus: 'CANCELLED' });
    macie.on(UpdateClassificationJobCommand).resolves({});

    await onMacieJobEvent(deleteEvent(JOB_A), deps());
    await onMacieJobEvent(deleteEvent(JOB_A), deps());

    expect(updateInputs()).toEqual([{ jobId: JOB_A, jobStatus: 'CANCELLED' }]);
  });

  test('Macie disabled since the job was created (which removes every job) does not fail the delete', async () => {
    macie
      .on(DescribeClassificationJobCommand)
      .rejects(new AccessDeniedException({ message: 'Macie is not enabled.', ...meta }));

    const response = await onMacieJobEvent(deleteEvent(JOB_A), deps());

    expect(response.Data?.['Outcome']).toBe('macie-disabled');
  });

  test('the Provider framework marker for a failed Create makes no Macie call', async () => {
    const marker = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

    const response = await onMacieJobEvent(deleteEvent(marker), deps());

    expect(macie.calls()).toHaveLength(0);
    expect(response.PhysicalResourceId).toBe(marker);
  });

  test('a permission problem is not mistaken for a missing job', async () => {
    macie.on(DescribeClassificationJobCommand).rejects(
      new AccessDeniedException({
        message: 'not authorized to perform macie2:DescribeClassificationJob',
        ...meta,
      }),
    );

    await expect(onMacieJobEvent(deleteEvent(JOB_A), deps())).rejects.toThrow(
      /role needs macie2:DescribeClassificationJob/,
    );
  });
});
