import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3ObjectReader } from './answer-check-aws';
import type { FunctionAnswerCheckDeps } from './function-answer-check';

/** The function check's AWS calls (S3 reads, lambda:Invoke), shared by the custom resource and `verify`. */
export function functionAnswerCheckDeps(clients: {
  readonly s3: S3Client;
  readonly lambda: LambdaClient;
}): FunctionAnswerCheckDeps {
  return {
    readObject: s3ObjectReader(clients.s3),
    async invokeFunction(functionArn: string, payload: string) {
      const out = await clients.lambda.send(
        new InvokeCommand({
          FunctionName: functionArn,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(payload),
        }),
      );
      return {
        payload: new TextDecoder().decode(out.Payload ?? new Uint8Array()),
        ...(out.FunctionError !== undefined ? { functionError: out.FunctionError } : {}),
      };
    },
  };
}
