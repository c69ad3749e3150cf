import { Macie2Client } from '@aws-sdk/client-macie2';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { optionalEnv } from '../shared/env';
import { createLogger } from '../shared/observability';
import { type MacieJobResponse, onMacieJobEvent } from './core';

// Created once per execution environment and reused across invocations.
const macie = new Macie2Client({});
const logger = createLogger('macie-job');
const region = optionalEnv('AWS_REGION', '');

/** onEvent handler for the CDK Provider framework (`cr.Provider({ onEventHandler })`). */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<MacieJobResponse> {
  logger.info('custom resource event', {
    requestType: event.RequestType,
    logicalResourceId: event.LogicalResourceId,
    physicalResourceId: 'PhysicalResourceId' in event ? event.PhysicalResourceId : undefined,
  });
  return onMacieJobEvent(event, { macie, logger, ...(region !== '' ? { region } : {}) });
}
