import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { parseS3Uri } from '../../src/registry/s3-uri';
import { createLogger } from '../shared/observability';
import { checkEndpointAnswers, type AnswerCheckProperties } from './core';

// Created once per container; the region comes from the Lambda runtime.
const s3 = new S3Client({});
const runtime = new SageMakerRuntimeClient({});
const logger = createLogger('answer-check');

const deps = {
  async readArtifact(modelDataUrl: string): Promise<Buffer> {
    const { bucket, key } = parseS3Uri(modelDataUrl, 'ModelDataUrl');
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(
      await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
  },
  async invokeEndpoint(endpointName: string, csv: string): Promise<string> {
    const out = await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: endpointName,
        ContentType: 'text/csv',
        Accept: 'text/csv',
        Body: csv,
      }),
    );
    return new TextDecoder().decode(out.Body);
  },
};

/**
 * onEvent handler for the CDK Provider framework (MODEL-6): after the endpoint is created or updated,
 * its answers to the golden rows must equal the exact scorer's; a thrown error fails the resource and
 * CloudFormation rolls the stack (and the endpoint) back. Delete has nothing to undo.
 */
export async function handler(
  event: CloudFormationCustomResourceEvent,
): Promise<{ PhysicalResourceId: string }> {
  const props = event.ResourceProperties as unknown as AnswerCheckProperties;
  const id = `answer-check:${String(props.EndpointName)}`;
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const result = await checkEndpointAnswers(deps, props);
  logger.info('served answers match the exact scorer', { ...result, endpoint: props.EndpointName });
  return { PhysicalResourceId: id };
}
