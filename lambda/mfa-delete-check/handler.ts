import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { createLogger } from '../shared/observability';
import { checkMfaDelete, type MfaDeleteCheckResult } from './core';
import { mfaDeleteCheckEnvironment } from './environment';

// Read once at cold start so a misconfigured deployment fails on its first invocation, by name.
const { bucketName, metricNamespace } = mfaDeleteCheckEnvironment.read();

const s3 = new S3Client({});
const cloudwatch = new CloudWatchClient({});
const logger = createLogger('mfa-delete-check');

/** Scheduled (EventBridge) entry point. Throws on any read or publish failure so the Errors alarm fires. */
export async function handler(_event: ScheduledEvent, context: Context): Promise<MfaDeleteCheckResult> {
  const accountId = accountIdOf(context.invokedFunctionArn);
  try {
    const result = await checkMfaDelete({ bucketName, accountId, metricNamespace }, { s3, cloudwatch });
    if (result.compliant) {
      logger.info('MFA Delete is enabled on the model bucket', { result });
    } else {
      logger.warn(
        'MFA Delete is NOT enabled on the model bucket; a root user must run the remediation command',
        {
          result,
        },
      );
    }
    return result;
  } catch (err) {
    logger.error(
      'MFA Delete check failed; no metric was published',
      err instanceof Error ? err : String(err),
    );
    throw err;
  }
}

/** arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] -> <account> */
export function accountIdOf(functionArn: string): string {
  const account = functionArn.split(':')[4];
  if (account === undefined || !/^\d{12}$/.test(account)) {
    throw new Error(`cannot read the account id from the function ARN '${functionArn}'`);
  }
  return account;
}
