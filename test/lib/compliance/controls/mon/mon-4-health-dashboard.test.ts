import { MON_4 } from '../../../../../lib/compliance/controls/mon/mon-4-health-dashboard';
import { context, describeControl, environment, Resources } from '../harness';

const widget = (metrics: unknown[][]) => ({ type: 'metric', properties: { metrics } });
const body = (widgets: unknown[]) => ({
  'Fn::Join': ['', ['{"widgets":', JSON.stringify(widgets).replace('FUNCTION', '"'), '}']],
});
const panels = [
  widget([
    ['AWS/ApiGateway', 'Count', 'ApiName', 'churn-prod'],
    ['...', '4XXError', 'ApiName', 'churn-prod'],
    ['.', '5XXError', '.', '.'],
  ]),
  widget([['AWS/ApiGateway', 'Latency', 'ApiName', 'churn-prod']]),
  widget([['AWS/Lambda', 'Throttles', 'FunctionName', 'f']]),
  widget([['AWS/WAFV2', 'BlockedRequests', 'WebACL', 'churn-prod']]),
];
const dashboard = (widgets: unknown[]): Resources => ({
  Dashboard: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardBody: body(widgets) } },
});
const ctx = (r: Resources) => () => context(environment({ stacks: { Monitoring: r } }));

describeControl(MON_4, {
  compliant: [
    {
      name: 'latency, 4xx/5xx, throttles and WAF blocks on one dashboard (metric shorthand included)',
      context: ctx(dashboard(panels)),
      evidence: [
        'dashboard shows 5xx errors (AWS/ApiGateway 5XXError)',
        'dashboard shows WAF blocks (AWS/WAFV2 BlockedRequests)',
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'no WAF blocks panel',
      context: ctx(dashboard(panels.slice(0, 3))),
      problem: 'dashboard lacks WAF blocks',
    },
    {
      name: 'no dashboard',
      context: ctx({}),
      problem: 'no CloudWatch dashboard (the monitoring stack is not synthesized)',
    },
    {
      name: 'a dashboard body that is not JSON',
      context: ctx({
        Dashboard: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardBody: '{"widgets": [' } },
      }),
      problem: /^dashboard body is not valid JSON/,
    },
  ],
});
