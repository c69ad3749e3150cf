import { defineControl, Findings } from '../control';
import { str } from '../template-readers';
import { inferenceFunctions, numericSetting } from './inference-function';
import { inferenceEnvironment as inferenceContract } from '../../../../lambda/inference/environment';

/** API Gateway's longest wait for a Lambda proxy integration (REST APIs, default quota). */
const INTEGRATION_TIMEOUT_MS = 29_000;

export const REL_1 = defineControl({
  id: 'REL-1',
  implementedBy: [
    { name: 'callWithin', file: 'lambda/inference/deadline.ts' },
    { name: 'requestBudget', file: 'lambda/inference/deadline.ts' },
    { name: 'Pseudonymiser', file: 'lambda/inference/pseudonyms.ts' },
    { name: 'InferenceFunction', file: 'lib/constructs/inference-function.ts' },
  ],
  provenBy: [
    {
      file: 'test/lambda/inference/chaos.test.ts',
      name: 'REL-1: KMS hangs, slows, throttles, fails or answers garbage (embedded mode) hung KMS, %s: 503 ScoringTimeout with Retry-After before the platform timeout, retried, nothing captured',
    },
    {
      file: 'test/lambda/inference/chaos.test.ts',
      name: 'REL-1: SageMaker runtime hangs, slows, throttles, fails or answers garbage (sagemaker mode) hung endpoint, %s: 503 ScoringTimeout with Retry-After before the platform timeout',
    },
    {
      file: 'test/lambda/inference/chaos.test.ts',
      name: 'REL-1: the model artifact hangs at cold start requests answer 503 before the platform timeout while S3 hangs',
    },
    {
      file: 'test/lambda/inference/deadline.test.ts',
      name: 'REL-1: every call runs inside the request budget a hung attempt is abandoned at its timeout and retried; the budget ends the call',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const functions = inferenceFunctions(model);
    if (functions.length === 0)
      f.bad('no inference function (a Lambda function with SERVING_MODE) in this environment');
    for (const fn of functions) {
      const timeoutMs = (typeof fn.props.Timeout === 'number' ? fn.props.Timeout : 3) * 1000;
      const margin = numericSetting(fn, inferenceContract.variables.deadlineMarginMs.name);
      if (margin === undefined) {
        f.bad('the inference function has no request deadline (DEADLINE_MARGIN_MS)', fn);
      } else {
        f.check(
          margin > 0 && margin < timeoutMs / 2,
          `requests answer within the function's ${timeoutMs / 1000} s timeout minus a ${margin} ms margin; every KMS, S3 and SageMaker call gets an abort signal and a per-attempt timeout inside that budget (chaos tests)`,
          `deadline margin ${margin} ms does not leave a budget inside the ${timeoutMs / 1000} s timeout`,
          fn,
        );
      }
      f.check(
        timeoutMs < INTEGRATION_TIMEOUT_MS,
        `function timeout ${timeoutMs / 1000} s is under API Gateway's ${INTEGRATION_TIMEOUT_MS / 1000} s integration timeout, so the function's 503 comes before a gateway 504`,
        `function timeout ${timeoutMs / 1000} s is not under API Gateway's ${INTEGRATION_TIMEOUT_MS / 1000} s integration timeout`,
        fn,
      );
      for (const method of model.ofType('AWS::ApiGateway::Method')) {
        const limit = (method.props.Integration as { TimeoutInMillis?: unknown } | undefined)
          ?.TimeoutInMillis;
        if (typeof limit === 'number' && limit <= timeoutMs) {
          f.bad(`${method.path} gives up after ${str(limit)} ms, before the function's timeout`, method);
        }
      }
    }
    return f.conclude(
      'verified-at-runtime',
      'every inference request has a deadline inside the function timeout; hung, slow or throttling dependencies answer 503 with Retry-After (chaos tests against a fake AWS)',
    );
  },
});
