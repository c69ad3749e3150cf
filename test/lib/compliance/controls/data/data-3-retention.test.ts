import { DATA_3 } from '../../../../../lib/compliance/controls/data/data-3-retention';
import { ConfigurationFacts } from '../../../../../lib/compliance/controls/control';
import { dataBucket, kmsKey, logGroup } from '../fixtures';
import { changed, context, describeControl, environment, Resources } from '../harness';
import { exampleConfig } from '../../../../helpers/app';

const config = exampleConfig();
const prod: ConfigurationFacts = {
  project: config.project,
  environment: config.environments.find((e) => e.name === 'prod')!,
};
const days = prod.environment.dataBucket.captureRetentionDays;
const resources: Resources = {
  DataKey: kmsKey(),
  LogsKey: kmsKey(),
  Data: dataBucket(undefined, days),
  Logs: logGroup(),
};
const ctx = (r: Resources) => () => context(environment({ stacks: { Data: r } }), { configuration: prod });

describeControl(DATA_3, {
  compliant: [
    {
      name: 'captured data expires after the configured days; every log group has a retention',
      context: ctx(resources),
      evidence: [
        `churn-prod-data-333333333333-eu-west-1: rule expire-capture expires capture/ after ${days} days`,
        '1 log groups with retention (365 days)',
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'a log group that keeps logs forever',
      context: ctx(changed(resources, (r) => delete r.Logs.Properties!.RetentionInDays)),
      problem: 'log group keeps logs forever (no retention)',
    },
    {
      name: 'captured data kept longer than configured',
      context: ctx(changed(resources, (r) => (r.Data = dataBucket(undefined, days * 2)))),
      problem: `churn-prod-data-333333333333-eu-west-1: captured data expires after ${days * 2} days, the configuration says ${days}`,
    },
    {
      name: 'the capture expiry rule disabled',
      context: ctx(
        changed(
          resources,
          (r) =>
            ((
              r.Data.Properties!.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> }
            ).Rules[0].Status = 'Disabled'),
        ),
      ),
      problem: 'churn-prod-data-333333333333-eu-west-1: captured data never expires',
    },
  ],
});
