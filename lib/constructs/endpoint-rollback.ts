import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledgeRule } from '../compliance/acknowledge';
import { wildcardResourceFinding } from './nag-finding';
import { FunctionPlacement, SecureFunction } from './secure-function';
import { endpointRollbackEnvironment } from '../../lambda/endpoint-rollback/environment';

export const ROLLBACK_STATE_PREFIX = 'state/endpoint-rollback/';

export interface EndpointRollbackProps {
  /** VPC, security group and keys of the rollback function. */
  readonly placement: FunctionPlacement;
  /** The SageMaker endpoint to roll back. */
  readonly endpointName: string;
  /** Drift and error alarms whose ALARM state moves the endpoint back to its last good configuration. */
  readonly watchedAlarms: readonly cloudwatch.IAlarm[];
  /** The role SageMaker models run as; needed to recreate a model CloudFormation already deleted. */
  readonly modelExecutionRole: iam.IRole;
  /** Keys the endpoint configuration names (volumes, data capture): SageMaker grants itself use of them. */
  readonly endpointKeys: readonly kms.IKey[];
  /** Holds the function's state object. */
  readonly stateBucket: s3.IBucket;
  /** Where rollbacks, failures and the self-disable are reported. */
  readonly alertTopic: sns.ITopic;
  /** CloudWatch namespace of the rollback metrics. */
  readonly metricNamespace: string;
  /** @default 3 */
  readonly maxConsecutiveFailures?: number;
  /** How often a healthy endpoint's configuration is recorded as known good. @default 15 minutes */
  readonly heartbeat?: Duration;
}

/**
 * MON-3: automated rollback, opt-in per environment. Records the endpoint's configuration while every
 * watched alarm is OK, moves the endpoint back to it when one of them goes to ALARM, and stops after
 * repeated failures until a person resets it. Every action is a metric with an alarm to the topic.
 */
export class EndpointRollback extends Construct {
  /** The hardened function construct: its role, log group and dead-letter queue. */
  readonly handler: SecureFunction;
  /** The Lambda function, for wiring (targets, alarms, permissions). */
  readonly function: lambda.IFunction;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: EndpointRollbackProps) {
    super(scope, id);
    if (props.watchedAlarms.length === 0)
      throw new Error(`EndpointRollback ${id}: watchedAlarms must name at least one alarm`);
    const maxFailures = props.maxConsecutiveFailures ?? 3;
    if (!Number.isInteger(maxFailures) || maxFailures < 1) {
      throw new Error(
        `EndpointRollback ${id}: maxConsecutiveFailures must be a positive integer, got ${maxFailures}`,
      );
    }
    const stack = Stack.of(this);
    const stateKey = `${ROLLBACK_STATE_PREFIX}${props.endpointName}.json`;

    this.handler = new SecureFunction(this, 'Function', {
      entry: 'lambda/endpoint-rollback/handler.ts',
      description: `Rolls ${props.endpointName} back to its last known good configuration`,
      placement: props.placement,
      timeout: Duration.minutes(2),
      reservedConcurrency: 1,
      environment: endpointRollbackEnvironment.render({
        serviceName: 'endpoint-rollback',
        endpointName: props.endpointName,
        watchedAlarmNames: props.watchedAlarms.map((a) => a.alarmName),
        maxConsecutiveFailures: maxFailures,
        metricNamespace: props.metricNamespace,
        stateBucket: props.stateBucket.bucketName,
        stateKey,
      }),
    });
    this.function = this.handler.function;
    const role = this.handler.role;
    const sagemakerArn = (type: string, name: string) =>
      `arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:${type}/${name}`;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpoint'],
        resources: [sagemakerArn('endpoint', props.endpointName.toLowerCase())],
      }),
    );
    // Configurations and models are named by CloudFormation or by this function at rollback time.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'sagemaker:DescribeEndpointConfig',
          'sagemaker:CreateEndpointConfig',
          'sagemaker:DescribeModel',
          'sagemaker:CreateModel',
        ],
        resources: [sagemakerArn('endpoint-config', '*'), sagemakerArn('model', '*')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [props.modelExecutionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    );
    // SageMaker describes the config's keys and grants itself their use, both with this role's credentials.
    // A DescribeKey request carries no kms:GrantIsForAWSResource, so it needs a statement of its own.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:CreateGrant'],
        resources: props.endpointKeys.map((k) => k.keyArn),
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:DescribeKey'],
        resources: props.endpointKeys.map((k) => k.keyArn),
        conditions: { StringEquals: { 'kms:ViaService': `sagemaker.${stack.region}.amazonaws.com` } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms'],
        resources: props.watchedAlarms.map((a) => a.alarmArn),
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [props.stateBucket.arnForObjects(stateKey)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.placement.dataKey.keyArn],
      }),
    );
    this.handler.allowPutMetricData(props.metricNamespace);
    for (const type of ['endpoint-config', 'model']) {
      acknowledgeRule(
        role.policy,
        wildcardResourceFinding(this, sagemakerArn(type, '*')),
        `A restored ${type} gets a new name at rollback time, and the known good one was named by CloudFormation; creating a model also requires passing the one model execution role, so nothing else can run.`,
      );
    }

    const target = new targets.LambdaFunction(this.function, {
      retryAttempts: 2,
      maxEventAge: Duration.minutes(30),
    });
    new events.Rule(this, 'OnAlarm', {
      description: `Rolls ${props.endpointName} back when a watched alarm goes to ALARM`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        detail: { alarmName: props.watchedAlarms.map((a) => a.alarmName), state: { value: ['ALARM'] } },
      },
      targets: [target],
    });
    new events.Rule(this, 'Heartbeat', {
      description: `Records ${props.endpointName}'s configuration as known good while its alarms are OK`,
      schedule: events.Schedule.rate(props.heartbeat ?? Duration.minutes(15)),
      targets: [target],
    });

    const notify = new actions.SnsAction(props.alertTopic);
    const dimensionsMap = { EndpointName: props.endpointName };
    const outcome = (alarmId: string, metricName: string, description: string) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric: new cloudwatch.Metric({
          namespace: props.metricNamespace,
          metricName,
          dimensionsMap,
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(notify);
      return alarm;
    };
    this.alarms = [
      outcome(
        'Performed',
        'RollbackPerformed',
        'The endpoint was rolled back automatically. Find out why the newer model failed before redeploying; pin modelVersion to the good one meanwhile.',
      ),
      outcome(
        'Failed',
        'RollbackFailed',
        'An automatic rollback failed. Read the rollback function log; the endpoint still serves the configuration that raised the alarm.',
      ),
      outcome(
        'Disabled',
        'RollbackDisabled',
        'Automatic rollback is disabled after repeated failures. Fix the cause, then reset it: aws lambda invoke with {"action":"reset","requestedBy":"<you>"}.',
      ),
    ];
  }
}
