import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AUD_1 } from '../../../../../lib/compliance/controls/aud/aud-1-immutable-trail';
import { ConfigurationFacts } from '../../../../../lib/compliance/controls/control';
import { AuditTrail } from '../../../../../lib/constructs/audit-trail';
import { exampleConfig } from '../../../../helpers/app';
import { context, describeControl, environment, Resources, synthesize } from '../harness';

const config = exampleConfig();
const prod: ConfigurationFacts = {
  project: config.project,
  environment: config.environments.find((e) => e.name === 'prod')!,
};
const { trailRetentionDays: DAYS, trailObjectLockMode: MODE } = prod.environment.audit;

/** The project's AuditTrail over a model bucket (Object Lock) and a data bucket (capture expiry). */
const resources = synthesize((stack) => {
  const key = new kms.Key(stack, 'LogsKey');
  const logs = new s3.Bucket(stack, 'AccessLogs');
  const models = new s3.Bucket(stack, 'Models', {
    versioned: true,
    objectLockEnabled: true,
    objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(30)),
  });
  const data = new s3.Bucket(stack, 'Data', {
    lifecycleRules: [{ prefix: 'capture/', expiration: Duration.days(90) }],
  });
  new AuditTrail(stack, 'Audit', {
    bucketName: 'churn-prod-trail-333333333333-eu-west-1',
    trailName: 'churn-prod-audit',
    encryptionKey: key,
    accessLogsBucket: logs,
    logRetentionDays: 365,
    logFileLock: { mode: MODE, retentionDays: DAYS },
    dataEventBuckets: [models, data],
    removalPolicy: RemovalPolicy.DESTROY,
  });
}, 'Audit');

const trailBucketId = Object.keys(resources).find(
  (id) => id.startsWith('AuditTrailBucket') && resources[id].Type === 'AWS::S3::Bucket',
)!;
const trailId = Object.keys(resources).find((id) => resources[id].Type === 'AWS::CloudTrail::Trail')!;
function edited(
  change: (bucket: Record<string, unknown>, trail: Record<string, unknown>) => void,
): Resources {
  const copy = structuredClone(resources);
  change(copy[trailBucketId].Properties!, copy[trailId].Properties!);
  return copy;
}
const lifecycle = (b: Record<string, unknown>) =>
  (b.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> }).Rules[0];
const ctx = (r: Resources) => () => context(environment({ stacks: { Audit: r } }), { configuration: prod });

describeControl(AUD_1, {
  compliant: [
    {
      name: 'the AuditTrail construct: validated, encrypted, data events, log files locked for the configured days and expired after',
      context: ctx(resources),
      evidence: [
        'log file validation on',
        `trail bucket keeps log files immutable: Object Lock ${MODE} for ${DAYS} days`,
        `the lock is the configured one (audit.trailObjectLockMode ${MODE}, audit.trailRetentionDays ${DAYS})`,
        `trail log files expire after ${DAYS} days, once their ${DAYS}-day lock has passed`,
        'S3 data events recorded for the model bucket',
        'S3 data events recorded for the data bucket',
      ],
    },
  ],
  nonCompliant: [
    {
      name: 'the trail bucket without Object Lock',
      context: ctx(edited((b) => (b.ObjectLockEnabled = false))),
      problem: 'trail bucket has no Object Lock default retention: log files can be deleted or overwritten',
    },
    {
      name: 'log files that never expire',
      context: ctx(edited((b) => delete b.LifecycleConfiguration)),
      problem: 'trail bucket has no expiration rule: log files accumulate forever',
    },
    {
      name: 'a lifecycle that expires log files before their lock ends',
      context: ctx(edited((b) => (lifecycle(b).ExpirationInDays = DAYS - 1))),
      problem: `trail log files expire after ${DAYS - 1} days, before their ${DAYS}-day Object Lock ends (the lifecycle contradicts the lock)`,
    },
    {
      name: 'expired log file versions kept behind their delete markers',
      context: ctx(edited((b) => delete lifecycle(b).NoncurrentVersionExpiration)),
      problem:
        'trail bucket never removes noncurrent versions: expired log files stay behind their delete markers forever',
    },
    {
      name: 'a lock other than the configured one',
      context: ctx(
        edited(
          (b) =>
            ((
              b.ObjectLockConfiguration as { Rule: { DefaultRetention: { Days: number } } }
            ).Rule.DefaultRetention.Days = 1),
        ),
      ),
      problem: `Object Lock ${MODE} for 1 day is not the configured ${MODE} for ${DAYS} days (audit.trailObjectLockMode, audit.trailRetentionDays)`,
    },
    {
      name: 'log file validation off',
      context: ctx(edited((_, t) => (t.EnableLogFileValidation = false))),
      problem: 'log file validation off',
    },
    {
      name: 'no data events for the model bucket',
      context: ctx(
        edited((_, t) =>
          (
            t.EventSelectors as Array<{ DataResources: Array<{ Values: unknown[] }> }>
          )[0].DataResources[0].Values.splice(0, 1),
        ),
      ),
      problem: 'no S3 data events for the model bucket',
    },
  ],
});
