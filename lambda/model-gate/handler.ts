import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createLogger } from '../shared/observability';
import { onGateEvent, type GateResponse } from './core';

// Created once per container so warm invocations reuse connections; region comes from the Lambda runtime.
const clients = { sagemaker: new SageMakerClient({}), s3: new S3Client({}) };
const logger = createLogger('model-gate');

/**
 * onEvent handler for the CDK Provider framework. A thrown error fails the custom resource: the framework
 * sends its message to CloudFormation as the reason, and the deployment stops before the endpoint changes.
 */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<GateResponse> {
  logger.info('model gate request', {
    requestType: event.RequestType,
    logicalResourceId: event.LogicalResourceId,
    properties: event.ResourceProperties,
  });
  try {
    const response = await onGateEvent(event, clients);
    logger.info('model gate passed', { response });
    return response;
  } catch (error) {
    logger.error('model gate refused', error as Error);
    throw error;
  }
}
