import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledgeRule } from '../compliance/acknowledge';
import { FunctionPlacement, SecureFunction } from './secure-function';
import { MFA_DELETE_METRIC, mfaDeleteCheckEnvironment } from '../../lambda/mfa-delete-check/environment';

/**
 * How often the check runs by default. MFA Delete changes rarely, but an hourly run keeps the alarm
 * period short enough that a silent check (missing data) is noticed within two hours, and costs
 * 24 short invocations a day.
 */
export const DEFAULT_MFA_CHECK_INTERVAL = Duration.hours(1);

/** Consecutive bad periods (0 or no data) before the alarm fires: one late run never pages anyone. */
export const MFA_ALARM_PERIODS = 2;

export interface MfaDeleteCheckProps {
  /** The model bucket (a name, because the bucket lives in another stack and the name is fixed). */
  readonly bucketName: string;
  /** Namespace of the project's metrics, `resourceNames(...).metricNamespace`. */
  readonly metricNamespace: string;
  /** VPC, security group and keys of the check function. */
  readonly placement: FunctionPlacement;
  /** Receives both alarms. */
  readonly alertTopic: sns.ITopic;
  /**
   * Interval between checks; the alarm period equals it. Between 1 hour and 1 day.
   * @default DEFAULT_MFA_CHECK_INTERVAL
   */
  readonly interval?: Duration;
}

/**
 * MODEL-1 at run time: CloudFormation cannot enable S3 MFA Delete, so a scheduled function reads the
 * model bucket's versioning state and publishes `MfaDeleteEnabled`. One alarm fires when it is 0 or
 * stops arriving, another when the check itself fails.
 */
export class MfaDeleteCheck extends Construct {
  /** The hardened function construct: its role, log group and dead-letter queue. */
  readonly handler: SecureFunction;
  /** The Lambda function, for wiring (targets, alarms, permissions). */
  readonly function: lambda.IFunction;
  readonly schedule: events.Rule;
  readonly mfaDeleteAlarm: cloudwatch.Alarm;
  readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: MfaDeleteCheckProps) {
    super(scope, id);
    const interval = props.interval ?? DEFAULT_MFA_CHECK_INTERVAL;
    if (interval.toMinutes() < 60 || interval.toMinutes() > 24 * 60 || interval.toMinutes() % 60 !== 0) {
      throw new Error(
        `MfaDeleteCheck ${id}: interval must be whole hours from 1 hour to 1 day, got ${interval.toHumanString()}`,
      );
    }
    const stack = Stack.of(this);

    this.handler = new SecureFunction(this, 'Check', {
      entry: 'lambda/mfa-delete-check/handler.ts',
      description: `Reports whether MFA Delete is on for ${props.bucketName} (MODEL-1)`,
      placement: props.placement,
      environment: mfaDeleteCheckEnvironment.render({
        serviceName: 'mfa-delete-check',
        bucketName: props.bucketName,
        metricNamespace: props.metricNamespace,
      }),
      // One run at a time is all a schedule needs.
      reservedConcurrency: 1,
    });
    this.function = this.handler.function;
    this.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetBucketVersioning'],
        resources: [`arn:${stack.partition}:s3:::${props.bucketName}`],
      }),
    );
    const metricsPolicy = new iam.ManagedPolicy(this, 'PublishMetricsPolicy', {
      description: `Publish MODEL-1 metrics to ${props.metricNamespace} only`,
      roles: [this.handler.role],
      statements: [
        new iam.PolicyStatement({
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': props.metricNamespace } },
        }),
      ],
    });
    acknowledgeRule(
      metricsPolicy,
      'AwsSolutions-IAM5[Resource::*]',
      'cloudwatch:PutMetricData has no resource type in IAM, so Resource must be *; the cloudwatch:namespace condition confines the function to the project namespace.',
    );

    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Runs the MFA Delete check of ${props.bucketName} every ${interval.toHumanString()} (MODEL-1)`,
      schedule: events.Schedule.rate(interval),
      targets: [
        new targets.LambdaFunction(this.function, {
          retryAttempts: 2,
          maxEventAge: Duration.minutes(30),
        }),
      ],
    });

    const alarmAction = new actions.SnsAction(props.alertTopic);
    this.mfaDeleteAlarm = new cloudwatch.Alarm(this, 'MfaDeleteOff', {
      alarmDescription:
        `MODEL-1: MFA Delete is off on ${props.bucketName}, or the check stopped reporting. ` +
        'The check logs the one-time root command that turns it on (remediation.command); see the data protection runbook.',
      metric: new cloudwatch.Metric({
        namespace: props.metricNamespace,
        metricName: MFA_DELETE_METRIC,
        dimensionsMap: { BucketName: props.bucketName },
        statistic: cloudwatch.Stats.MINIMUM,
        period: interval,
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      threshold: 1,
      evaluationPeriods: MFA_ALARM_PERIODS,
      datapointsToAlarm: MFA_ALARM_PERIODS,
      // A check that cannot run publishes nothing; silence must look like a failure, not like success.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.errorsAlarm = new cloudwatch.Alarm(this, 'CheckFailing', {
      alarmDescription: `MODEL-1: the MFA Delete check of ${props.bucketName} failed; its log names the cause (access, missing bucket, metric publishing).`,
      metric: this.function.metricErrors({ period: interval, statistic: cloudwatch.Stats.SUM }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.mfaDeleteAlarm, this.errorsAlarm]) {
      alarm.addAlarmAction(alarmAction);
      alarm.addOkAction(alarmAction);
    }
  }
}
