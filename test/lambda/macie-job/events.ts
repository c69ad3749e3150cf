import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import type { CoreLogger } from '../../../lambda/macie-job/core';

export const STACK_ID =
  'arn:aws:cloudformation:eu-west-1:111122223333:stack/churn-dev-data/0f1e2d3c-4b5a-6978-8897-a6b5c4d3e2f1';
export const LOGICAL_ID = 'MacieClassificationJob1A2B3C4D';

/** ResourceProperties exactly as CloudFormation delivers them: strings and lists of strings. */
export function jobProperties(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:provider-framework-onEvent',
    AccountId: '111122223333',
    BucketName: 'churn-dev-data-111122223333',
    Prefixes: ['customers/', 'data-capture/'],
    ScheduleFrequency: 'WEEKLY:MONDAY',
    CustomDataIdentifierIds: ['cdi0123456789abcdef'],
    AllowListIds: ['al0123456789abcdef'],
    SamplingPercentage: '100',
    JobNamePrefix: 'churn-dev-pii',
    ...overrides,
  };
}

const common = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:provider-framework-onEvent',
  ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x',
  StackId: STACK_ID,
  RequestId: 'c0ffee00-0000-4000-8000-000000000001',
  LogicalResourceId: LOGICAL_ID,
  ResourceType: 'Custom::MacieClassificationJob',
};

export function createEvent(props = jobProperties()): CloudFormationCustomResourceCreateEvent {
  return { ...common, RequestType: 'Create', ResourceProperties: props as CreateProps };
}

export function updateEvent(
  physicalId: string,
  props = jobProperties(),
  oldProps = jobProperties(),
): CloudFormationCustomResourceUpdateEvent {
  return {
    ...common,
    RequestType: 'Update',
    PhysicalResourceId: physicalId,
    ResourceProperties: props as CreateProps,
    OldResourceProperties: oldProps as CreateProps,
  };
}

export function deleteEvent(
  physicalId: string,
  props = jobProperties(),
): CloudFormationCustomResourceDeleteEvent {
  return {
    ...common,
    RequestType: 'Delete',
    PhysicalResourceId: physicalId,
    ResourceProperties: props as CreateProps,
  };
}

type CreateProps = CloudFormationCustomResourceCreateEvent['ResourceProperties'];

export interface RecordedLog {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly extra: Record<string, unknown>[];
}

/** A logger that keeps entries so tests can assert what an operator would see. */
export function recordingLogger(): CoreLogger & { readonly entries: RecordedLog[] } {
  const entries: RecordedLog[] = [];
  return {
    entries,
    info: (message, ...extra) => entries.push({ level: 'info', message, extra }),
    warn: (message, ...extra) => entries.push({ level: 'warn', message, extra }),
    error: (message, ...extra) => entries.push({ level: 'error', message, extra }),
  };
}
