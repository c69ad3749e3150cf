import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BUNDLED_BASELINE_FILE, driftCheckEnvironment } from '../../lambda/drift-check/environment';
import { DATA_BUCKET_PREFIXES, MonitoringSettings } from '../config';
import { acknowledgeRule } from '../compliance/acknowledge';
import { wildcardResourceFinding } from './nag-finding';
import { schedulePeriod } from './schedule-period';
import { FunctionPlacement, PROJECT_ROOT, SecureFunction } from './secure-function';

export const DRIFT_REPORT_PREFIX = `${DATA_BUCKET_PREFIXES.reports}drift/`;

export interface DriftMonitorProps {
  /** VPC, security group and keys of the drift-check function. */
  readonly placement: FunctionPlacement;
  /** Holds the capture objects and receives the reports. */
  readonly dataBucket: s3.IBucket;
  /** Where the drift, data-quality and not-running alarms go. */
  readonly alertTopic: sns.ITopic;
  /** CloudWatch namespace of the published drift metrics. */
  readonly metricNamespace: string;
  /** The `Environment` dimension of every metric. */
  readonly environmentName: string;
  /** The environment's `monitoring` configuration (schedule, lookback, thresholds, baseline). */
  readonly settings: MonitoringSettings;
  /**
   * The capture stream the check reads, under the data bucket's capture prefix: the inference function's
   * (`InferenceFunction.captureStreamPrefix`), never an endpoint's own capture of the same requests.
   */
  readonly captureStreamPrefix: string;
}

function baselineFeatureNames(file: string, id: string): string[] {
  let parsed: { features?: Array<{ name?: unknown }> };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`DriftMonitor ${id}: monitoring.baselineFile ${file} is not valid JSON`, {
      cause: error,
    });
  }
  const names = (parsed.features ?? []).map((f) => f.name);
  if (names.length === 0 || names.some((n) => typeof n !== 'string')) {
    throw new Error(
      `DriftMonitor ${id}: monitoring.baselineFile ${file} lists no named features; is it a drift baseline?`,
    );
  }
  return names as string[];
}

/**
 * MON-1, MON-2, MON-6: the scheduled drift and data-quality check over captured inference data, with the
 * alarms a person can act on: features drifted, predictions drifted, data quality breached, a drift
 * concentrated in a few callers (a poisoning or probing signal), and the check itself not running or failing.
 */
export class DriftMonitor extends Construct {
  /** The hardened function construct: its role, log group and dead-letter queue. */
  readonly handler: SecureFunction;
  /** The Lambda function, for wiring (targets, alarms, permissions). */
  readonly function: lambda.IFunction;
  readonly schedule: events.Rule;
  readonly featureDriftAlarm: cloudwatch.Alarm;
  readonly predictionDriftAlarm: cloudwatch.Alarm;
  readonly dataQualityAlarm: cloudwatch.Alarm;
  /** MON-6: a drifted feature whose drift comes from a few callers, apart from broad (natural) drift. */
  readonly concentratedDriftAlarm: cloudwatch.Alarm;
  readonly notRunningAlarm: cloudwatch.Alarm;
  readonly errorsAlarm: cloudwatch.Alarm;
  /** Features the baseline knows, in model order: one drift series each on the dashboard. */
  readonly featureNames: readonly string[];
  /** The drift metrics per feature, for dashboards: `metric('FeatureKsStatistic', 'tenure')`. */
  readonly metric: (name: string, feature?: string) => cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: DriftMonitorProps) {
    super(scope, id);
    const { settings } = props;
    const stream = props.captureStreamPrefix;
    // Under the capture prefix, the data bucket's capture retention (DATA-3) and the Macie scan apply.
    if (!stream.startsWith(DATA_BUCKET_PREFIXES.capture) || !stream.endsWith('/') || stream.includes('*')) {
      throw new Error(
        `DriftMonitor ${id}: captureStreamPrefix must be a folder under ${DATA_BUCKET_PREFIXES.capture} ending in '/', got '${stream}'`,
      );
    }
    const baselinePath = path.resolve(PROJECT_ROOT, settings.baselineFile);
    if (!existsSync(baselinePath)) {
      throw new Error(
        `DriftMonitor ${id}: monitoring.baselineFile ${settings.baselineFile} does not exist; build it with npm run baseline`,
      );
    }
    this.featureNames = baselineFeatureNames(baselinePath, id);

    this.handler = new SecureFunction(this, 'Check', {
      entry: 'lambda/drift-check/handler.ts',
      description: `Drift and data-quality check over captured inference data (${props.environmentName})`,
      placement: props.placement,
      memorySize: 1024,
      timeout: Duration.minutes(15),
      reservedConcurrency: 1,
      bundledFiles: { [BUNDLED_BASELINE_FILE]: settings.baselineFile },
      environment: driftCheckEnvironment.render({
        serviceName: 'drift-check',
        dataBucket: props.dataBucket.bucketName,
        capturePrefix: props.captureStreamPrefix,
        reportPrefix: DRIFT_REPORT_PREFIX,
        lookbackHours: settings.lookbackHours,
        reportKmsKeyId: props.placement.dataKey.keyArn,
        metricNamespace: props.metricNamespace,
        environmentName: props.environmentName,
        significanceLevel: settings.significanceLevel,
        psiThreshold: settings.psiThreshold,
        minConcentratedShare: settings.concentratedDriftShare,
        maxConcentratedCallers: settings.concentratedDriftCallers,
      }),
    });
    this.function = this.handler.function;
    const role = this.handler.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.dataBucket.bucketArn],
        conditions: {
          StringLike: { 's3:prefix': [props.captureStreamPrefix, `${props.captureStreamPrefix}*`] },
        },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [props.dataBucket.arnForObjects(`${props.captureStreamPrefix}*`)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [props.dataBucket.arnForObjects(`${DRIFT_REPORT_PREFIX}*`)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.placement.dataKey.keyArn],
      }),
    );
    this.handler.allowPutMetricData(props.metricNamespace);
    const captureObjects = props.dataBucket.arnForObjects(`${props.captureStreamPrefix}*`);
    const reportObjects = props.dataBucket.arnForObjects(`${DRIFT_REPORT_PREFIX}*`);
    acknowledgeRule(
      role.policy,
      wildcardResourceFinding(this, captureObjects),
      "Capture object keys are chosen by the inference function at write time (date/hour/uuid); the grant is read-only and confined to that function's capture stream.",
    );
    acknowledgeRule(
      role.policy,
      wildcardResourceFinding(this, reportObjects),
      'Each drift report is a new object named by its timestamp; the grant is write-only and confined to the reports/drift/ prefix.',
    );

    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Runs the drift check (${settings.driftSchedule})`,
      schedule: events.Schedule.expression(settings.driftSchedule),
      targets: [
        new targets.LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) }),
      ],
    });

    const period = schedulePeriod(settings.driftSchedule);
    const dimensionsMap = { Environment: props.environmentName };
    this.metric = (name, feature) =>
      new cloudwatch.Metric({
        namespace: props.metricNamespace,
        metricName: name,
        dimensionsMap: feature ? { ...dimensionsMap, Feature: feature } : dimensionsMap,
        statistic: 'Maximum',
        period,
      });
    const notify = new actions.SnsAction(props.alertTopic);
    const alarm = (
      alarmId: string,
      description: string,
      metric: cloudwatch.IMetric,
      missing: cloudwatch.TreatMissingData,
      threshold = 1,
    ) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: missing,
      });
      created.addAlarmAction(notify);
      created.addOkAction(notify);
      return created;
    };
    this.featureDriftAlarm = alarm(
      'FeatureDrift',
      'Input features drifted from the training baseline. Open the latest report under reports/drift/ and compare the drifted features with upstream changes.',
      this.metric('DriftedFeatures'),
      cloudwatch.TreatMissingData.NOT_BREACHING,
    );
    this.predictionDriftAlarm = alarm(
      'PredictionDrift',
      'The score distribution moved from the training baseline. Check the served model version and recent input drift; consider rolling back.',
      this.metric('PredictionDrift'),
      cloudwatch.TreatMissingData.NOT_BREACHING,
    );
    this.dataQualityAlarm = alarm(
      'DataQuality',
      'Null, type-error, out-of-range or non-finite output rates exceeded their limits. The report names the feature and check; look for a broken upstream feed.',
      this.metric('DataQualityBreaches'),
      cloudwatch.TreatMissingData.NOT_BREACHING,
    );
    this.concentratedDriftAlarm = alarm(
      'ConcentratedDrift',
      "A feature drifted, and the drift comes from one or two callers: without them the window does not drift (a poisoning or probing signal, not natural drift). The latest report under reports/drift/ names the feature and callers (features[].attribution.concentratedIn); api-key:<id> is the client whose key has that id (aws apigateway get-api-key). Check that client's recent traffic and usage plan, and suspend its key or principal if it is not expected.",
      this.metric('ConcentratedDrift'),
      cloudwatch.TreatMissingData.NOT_BREACHING,
    );
    // Every run publishes WindowEmpty (0 or 1); no sample for two periods means the check is not running.
    this.notRunningAlarm = new cloudwatch.Alarm(this, 'NotRunning', {
      alarmDescription:
        'The drift check published nothing for its last schedule periods. Check the function logs and its schedule.',
      metric: this.metric('WindowEmpty').with({ statistic: 'SampleCount' }),
      threshold: 1,
      // Two periods, as long as they fit CloudWatch's one-day evaluation window.
      evaluationPeriods: period.toHours() * 2 <= 24 ? 2 : 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.notRunningAlarm.addAlarmAction(notify);
    this.errorsAlarm = alarm(
      'Errors',
      'The drift check failed. Its log group has the error; a failing check hides drift.',
      this.function.metricErrors({ period, statistic: 'Sum' }),
      cloudwatch.TreatMissingData.NOT_BREACHING,
    );
  }
}
