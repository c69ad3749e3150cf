import { DATA_4 } from '../../../../../lib/compliance/controls/data/data-4-no-pii-in-logs';
import { restApi } from '../fixtures';
import { changed, context, describeControl, environment, getAtt, Resources } from '../harness';

const resources: Resources = {
  ...restApi(
    {},
    {
      AccessLogSetting: {
        DestinationArn: 'arn:aws:logs:eu-west-1:333333333333:log-group:access',
        Format: '$context.requestId $context.status',
      },
    },
  ),
  WafLogging: {
    Type: 'AWS::WAFv2::LoggingConfiguration',
    Properties: {
      ResourceArn: getAtt('Acl', 'Arn'),
      LogDestinationConfigs: ['arn:aws:logs:eu-west-1:333333333333:log-group:aws-waf-logs-churn-prod'],
      RedactedFields: [
        { SingleHeader: { Name: 'authorization' } },
        { SingleHeader: { Name: 'x-amz-security-token' } },
      ],
    },
  },
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Api: r } }));

describeControl(DATA_4, {
  compliant: [
    {
      name: 'execution logging without data tracing, an access log without bodies, WAF logs redacting credentials',
      context: ctx(resources),
      evidence: [
        'execution logging without request/response data tracing',
        'WAF logs redact the authorization, x-amz-security-token headers',
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'data tracing on the stage',
      context: ctx(
        changed(
          resources,
          (r) =>
            ((r.Stage.Properties!.MethodSettings as Array<Record<string, unknown>>)[0].DataTraceEnabled =
              true),
        ),
      ),
      problem: 'data tracing logs full request bodies (customer data)',
    },
    {
      name: 'an access log format with the request body',
      context: ctx(
        changed(
          resources,
          (r) =>
            ((r.Stage.Properties!.AccessLogSetting as { Format: string }).Format =
              '$context.requestId $context.requestBody'),
        ),
      ),
      problem: 'access log format includes the request body',
    },
    {
      name: 'WAF logs keeping the authorization header',
      context: ctx(changed(resources, (r) => (r.WafLogging.Properties!.RedactedFields = []))),
      problem: 'WAF logs keep the authorization header',
    },
  ],
});
