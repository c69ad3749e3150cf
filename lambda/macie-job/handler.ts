import { Macie2Client } from '@aws-sdk/client-macie2';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createLogger } from '../shared/observability';
import { type MacieJobResponse, onMacieJobEvent } from './core';
import { macieJobEnvironment } from './environment';

// Created once per execution environment and reused across invocations.
const macie = new Macie2Client({});
const logger = createLogger('macie-job');
const { region } = macieJobEnvironment.read();

/** onEvent handler for the CDK Provider framework (`cr.Provider({ onEventHandler })`). */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<MacieJobResponse> {
  logger.info('custom resource event', {
    requestType: event.RequestType,
    logicalResourceId: event.LogicalResourceId,
    physicalResourceId: 'PhysicalResourceId' in event ? event.PhysicalResourceId : undefined,
  });
  return onMacieJobEvent(event, { macie, logger, ...(region !== undefined ? { region } : {}) });
}
