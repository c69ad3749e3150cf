import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { checkEndpointAnswers, type AnswerCheckProperties } from '../../src/registry/answer-check';
import { answerCheckDeps } from '../../src/registry/answer-check-aws';
import { createLogger } from '../shared/observability';

// Created once per container; the region comes from the Lambda runtime.
const deps = answerCheckDeps({
  s3: new S3Client({}),
  runtime: new SageMakerRuntimeClient({}),
  sagemaker: new SageMakerClient({}),
});
const logger = createLogger('answer-check');

/**
 * onEvent handler for the CDK Provider framework (MODEL-6): after the endpoint is created or updated,
 * its answers to the golden rows must equal the recorded predictions; a thrown error fails the resource
 * and CloudFormation rolls the stack (and the endpoint) back. Delete has nothing to undo.
 */
export async function handler(
  event: CloudFormationCustomResourceEvent,
): Promise<{ PhysicalResourceId: string; Data: { Checked: string } }> {
  const props = event.ResourceProperties as unknown as AnswerCheckProperties;
  const id = `answer-check:${String(props.EndpointName)}`;
  if (event.RequestType === 'Delete') {
    return { PhysicalResourceId: event.PhysicalResourceId, Data: { Checked: 'false' } };
  }
  const result = await checkEndpointAnswers(deps, props);
  if (result.checked)
    logger.info('served answers match the recorded predictions', { ...result, endpoint: props.EndpointName });
  else logger.warn('served-answer check skipped', { reason: result.reason, endpoint: props.EndpointName });
  return { PhysicalResourceId: id, Data: { Checked: String(result.checked) } };
}
