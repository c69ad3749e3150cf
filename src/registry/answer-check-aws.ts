import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { AnswerCheckDeps } from './answer-check';
import { parseS3Uri } from './s3-uri';

/** Marks the check's requests in the endpoint's data capture (`eventMetadata.inferenceId`). */
export const ANSWER_CHECK_INFERENCE_ID = 'served-answer-check';

/** A GetObject body's bytes; an answer without one is an error naming the object. */
export async function objectBytes(body: unknown, url: string): Promise<Buffer> {
  const stream = body as { transformToByteArray?: () => Promise<Uint8Array> } | undefined;
  if (typeof stream?.transformToByteArray !== 'function') throw new Error(`S3 returned no body for ${url}`);
  return Buffer.from(await stream.transformToByteArray());
}

/** GetObject as bytes, undefined when the object does not exist (NoSuchKey). */
export function s3ObjectReader(s3: S3Client): AnswerCheckDeps['readObject'] {
  return async (url: string): Promise<Buffer | undefined> => {
    const { bucket, key } = parseS3Uri(url, 'object URL');
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await objectBytes(object.Body, url);
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  };
}

/** The served-answer check's AWS calls, shared by the deploy-time custom resource and `verify`. */
export function answerCheckDeps(clients: {
  readonly s3: S3Client;
  readonly runtime: SageMakerRuntimeClient;
  readonly sagemaker?: SageMakerClient;
}): AnswerCheckDeps {
  const { s3, runtime, sagemaker } = clients;
  return {
    readObject: s3ObjectReader(s3),
    async invokeEndpoint(endpointName: string, csv: string): Promise<string> {
      const out = await runtime.send(
        new InvokeEndpointCommand({
          EndpointName: endpointName,
          ContentType: 'text/csv',
          Accept: 'text/csv',
          InferenceId: ANSWER_CHECK_INFERENCE_ID,
          Body: csv,
        }),
      );
      return new TextDecoder().decode(out.Body);
    },
    ...(sagemaker
      ? {
          async currentEndpointConfig(endpointName: string): Promise<string | undefined> {
            const out = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
            return out.EndpointConfigName;
          },
        }
      : {}),
  };
}
