import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  checkFunctionAnswers,
  type FunctionAnswerCheckProperties,
} from '../../src/registry/function-answer-check';
import { functionAnswerCheckDeps } from '../../src/registry/function-answer-check-aws';
import { createLogger } from '../shared/observability';

// Created once per container; the region comes from the Lambda runtime. The SDK's standard retries absorb
// a throttled invoke (the inference function's reserved concurrency is shared with live traffic).
const deps = functionAnswerCheckDeps({ s3: new S3Client({}), lambda: new LambdaClient({}) });
const logger = createLogger('function-answer-check');

const QUALIFIED_ARN = /^(arn:[^:]+:lambda:[^:]+:\d{12}:function:[^:]+):([^:]+)$/;

/** The function's ARN without its version: the check's physical id stays the same across versions. */
function unqualified(arn: string): string {
  return arn.replace(QUALIFIED_ARN, '$1');
}

/** The version the ARN names (`...:function:<name>:<version>`), or `$LATEST` for an unqualified ARN. */
function qualifier(arn: string): string {
  return QUALIFIED_ARN.exec(arn)?.[2] ?? '$LATEST';
}

/**
 * onEvent handler for the CDK Provider framework (MODEL-6, embedded serving): after the inference
 * function is updated and a version published, that version's answers to the golden records must equal
 * the recorded predictions; a thrown error fails the resource and CloudFormation rolls the stack (and the
 * function) back. Delete has nothing to undo. `Version` is the version that passed, read by the alias the
 * API invokes, so traffic moves to a version only through a successful check.
 */
export async function handler(
  event: CloudFormationCustomResourceEvent,
): Promise<{ PhysicalResourceId: string; Data: { Checked: string; Version?: string } }> {
  const props = event.ResourceProperties as unknown as FunctionAnswerCheckProperties;
  if (event.RequestType === 'Delete') {
    return { PhysicalResourceId: event.PhysicalResourceId, Data: { Checked: 'false' } };
  }
  const id = `function-answer-check:${unqualified(String(props.FunctionArn))}`;
  const result = await checkFunctionAnswers(deps, props);
  if (result.checked)
    logger.info('function answers match the recorded predictions', {
      ...result,
      function: props.FunctionArn,
    });
  else logger.warn('served-answer check skipped', { reason: result.reason, function: props.FunctionArn });
  return {
    PhysicalResourceId: id,
    Data: { Checked: String(result.checked), Version: qualifier(String(props.FunctionArn)) },
  };
}
