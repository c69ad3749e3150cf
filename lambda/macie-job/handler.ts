import { Macie2Client } from '@aws-sdk/client-macie2';
import { Logger } from '@aws-lambda-powertools/logger';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { optionalEnv } from '../shared/env';
import { type MacieJobResponse, onMacieJobEvent } from './core';

// Created once per execution environment and reused across invocations.
const macie = new Macie2Client({});
const logger = new Logger({ serviceName: optionalEnv('POWERTOOLS_SERVICE_NAME', 'macie-job') });
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
