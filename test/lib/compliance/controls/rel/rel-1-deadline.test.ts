import { REL_1 } from '../../../../../lib/compliance/controls/rel/rel-1-deadline';
import { changed, context, describeControl, environment, Resources } from '../harness';

const api: Resources = {
  Inference: {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Timeout: 10,
      Environment: {
        Variables: { SERVING_MODE: 'embedded', DEADLINE_MARGIN_MS: '500', KMS_CONCURRENCY: '25' },
      },
    },
  },
  Method: {
    Type: 'AWS::ApiGateway::Method',
    Properties: { HttpMethod: 'POST', Integration: { Type: 'AWS_PROXY' } },
  },
};
const ctx = (resources: Resources) => () => context(environment({ stacks: { Api: resources } }));
const variables = (r: Resources) =>
  (r.Inference.Properties!.Environment as { Variables: Record<string, string> }).Variables;

describeControl(REL_1, {
  compliant: [
    {
      name: 'an inference function with a deadline margin inside its timeout, under the gateway timeout',
      context: ctx(api),
      status: 'verified-at-runtime',
      evidence: [/within the function's 10 s timeout minus a 500 ms margin/, /under API Gateway's 29 s/],
    },
  ],
  nonCompliant: [
    {
      name: 'an inference function without a request deadline',
      context: ctx(changed(api, (r) => delete variables(r).DEADLINE_MARGIN_MS)),
      problem: 'the inference function has no request deadline (DEADLINE_MARGIN_MS)',
    },
    {
      name: 'a margin that leaves no budget',
      context: ctx(changed(api, (r) => (variables(r).DEADLINE_MARGIN_MS = '9000'))),
      problem: /does not leave a budget/,
    },
    {
      name: 'a function that can outlive the API Gateway integration timeout',
      context: ctx(changed(api, (r) => (r.Inference.Properties!.Timeout = 60))),
      problem: /is not under API Gateway's 29 s integration timeout/,
    },
    {
      name: 'an integration that gives up before the function',
      context: ctx(
        changed(
          api,
          (r) => ((r.Method.Properties!.Integration as Record<string, unknown>).TimeoutInMillis = 5000),
        ),
      ),
      problem: /gives up after 5000 ms/,
    },
    {
      name: 'no inference function',
      context: ctx(changed(api, (r) => delete r.Inference)),
      problem: /no inference function/,
    },
  ],
});
