import { defineControl, Findings } from '../control';
import { list } from '../template-readers';

/** What the dashboard must show, as (namespace, metric name) pairs any of which will do. */
const REQUIRED_PANELS: ReadonlyArray<[string, ReadonlyArray<[string, string]>]> = [
  [
    'latency',
    [
      ['AWS/ApiGateway', 'Latency'],
      ['AWS/SageMaker', 'ModelLatency'],
    ],
  ],
  [
    '5xx errors',
    [
      ['AWS/ApiGateway', '5XXError'],
      ['AWS/SageMaker', 'Invocation5XXErrors'],
    ],
  ],
  [
    '4xx errors',
    [
      ['AWS/ApiGateway', '4XXError'],
      ['AWS/SageMaker', 'Invocation4XXErrors'],
    ],
  ],
  ['throttles', [['AWS/Lambda', 'Throttles']]],
  ['WAF blocks', [['AWS/WAFV2', 'BlockedRequests']]],
];

/** The (namespace, metric) pairs a dashboard body plots, read from its widgets' metric arrays. */
export function dashboardMetrics(body: unknown): Array<[string, string]> {
  const widgets = list<{ properties?: { metrics?: unknown } }>(
    (body as { widgets?: unknown } | undefined)?.widgets,
  );
  const found: Array<[string, string]> = [];
  for (const w of widgets) {
    let previous: unknown[] = [];
    for (const row of list<unknown>(w.properties?.metrics)) {
      if (!Array.isArray(row)) continue;
      // CloudWatch's shorthand: '...' stands for the previous row's values before the ones that follow it
      // (["...", "asg2"] after [ns, metric, "AutoScalingGroupName", "asg1"]), '.' for the value in its place.
      const values =
        row[0] === '...'
          ? [...previous.slice(0, Math.max(0, previous.length - (row.length - 1))), ...row.slice(1)]
          : row;
      const resolved = values.map((v, i) => (v === '.' ? previous[i] : v));
      if (typeof resolved[0] === 'string' && typeof resolved[1] === 'string')
        found.push([resolved[0], resolved[1]]);
      previous = resolved;
    }
  }
  return found;
}

export const MON_4 = defineControl({
  id: 'MON-4',
  implementedBy: [{ name: 'OperationsDashboard', file: 'lib/constructs/operations-dashboard.ts' }],
  provenBy: [
    {
      file: 'test/lib/monitoring/monitoring-stack.test.ts',
      name: 'Monitoring stack in every environment (MON-1, MON-2, MON-3, MON-4) %s: the drift check, API alarms and a dashboard with drift per feature',
    },
  ],
  evaluate(ctx) {
    const f = new Findings();
    const { model } = ctx;
    const dashboards = model.ofType('AWS::CloudWatch::Dashboard');
    if (dashboards.length === 0) f.bad('no CloudWatch dashboard (the monitoring stack is not synthesized)');
    for (const d of dashboards) {
      let body: unknown;
      try {
        // References inside the body sit in JSON strings, so the rendered text stays valid JSON.
        body = JSON.parse(model.describe(d.props.DashboardBody, d.stack));
      } catch (error) {
        f.bad(`dashboard body is not valid JSON: ${(error as Error).message}`, d);
        continue;
      }
      const metrics = dashboardMetrics(body);
      for (const [what, options] of REQUIRED_PANELS) {
        const shown = options.filter(([ns, name]) => metrics.some(([n, m]) => n === ns && m === name));
        f.check(
          shown.length > 0,
          `dashboard shows ${what} (${shown.map(([ns, name]) => `${ns} ${name}`).join(', ')})`,
          `dashboard lacks ${what}`,
          d,
        );
      }
    }
    return f.conclude('enforced', 'one dashboard with latency, errors, throttles and WAF blocks');
  },
});
