import { defineControl, Findings } from '../control';
import { list, NO_API, restApis } from '../template-readers';

export const DATA_4 = defineControl({
  id: 'DATA-4',
  implementedBy: [
    { name: 'ProtectedApi', file: 'lib/constructs/protected-api.ts' },
    { name: 'handleInference', file: 'lambda/inference/core.ts' },
  ],
  provenBy: [
    {
      file: 'test/lambda/inference/handler.test.ts',
      name: 'inference handler (API Gateway proxy, embedded model) DATA-1/DATA-4: no raw customer id or raw feature value appears in any log line',
    },
    {
      file: 'test/lambda/inference/core.test.ts',
      name: 'embedded capture (DATA-3, DATA-4) writes one SageMaker-shaped line per customer that the drift decoder reads, without the raw id',
    },
    {
      file: 'test/lib/api/api-stack.test.ts',
      name: 'stage logging, tracing, throttling and validation (DATA-4, SEC-4) no stage anywhere traces request or response data',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    if (restApis(model).length === 0) f.bad(NO_API);
    for (const stage of model.ofType('AWS::ApiGateway::Stage')) {
      const settings = list<Record<string, unknown>>(stage.props.MethodSettings);
      f.check(
        !settings.some((s) => s.DataTraceEnabled === true),
        'execution logging without request/response data tracing',
        'data tracing logs full request bodies (customer data)',
        stage,
      );
      const access = stage.props.AccessLogSetting as { Format?: unknown } | undefined;
      if (access) {
        // The format is a template of $context variables; these two would write the body.
        const format = model.describe(access.Format, stage.stack);
        f.check(
          !['$context.requestBody', '$input.body'].some((v) => format.includes(v)),
          'access log format carries no request body',
          'access log format includes the request body',
          stage,
        );
      }
    }
    for (const l of model.ofType('AWS::WAFv2::LoggingConfiguration')) {
      const redacted = list<{ SingleHeader?: { Name?: unknown } }>(l.props.RedactedFields).map((r) =>
        String(r.SingleHeader?.Name ?? '').toLowerCase(),
      );
      f.check(
        redacted.includes('authorization'),
        `WAF logs redact the ${redacted.join(', ')} header${redacted.length === 1 ? '' : 's'}`,
        'WAF logs keep the authorization header',
        l,
      );
    }
    f.ok(
      'functions log pseudonymous ids only (tested by scanning captured log output in the inference tests)',
    );
    return f.conclude('enforced', 'request logs and audit records carry pseudonymous ids only');
  },
});
