import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface ApiAlarmThresholds {
  /** Share of requests answered 5xx. @default 0.01 */
  readonly serverErrorRate: number;
  /** Share of requests answered 4xx (bad input, auth failures, throttling). @default 0.2 */
  readonly clientErrorRate: number;
  /** p99 end-to-end latency in milliseconds. @default 2000 */
  readonly p99LatencyMs: number;
}

export const DEFAULT_API_ALARM_THRESHOLDS: ApiAlarmThresholds = {
  serverErrorRate: 0.01,
  clientErrorRate: 0.2,
  p99LatencyMs: 2000,
};

export interface ApiAlarmsProps {
  /** The REST API whose 5XX and 4XX rates and latency are watched. */
  readonly api: apigw.RestApi;
  /** The function behind the API; its errors and throttles are watched. */
  readonly inferenceFunction: lambda.IFunction;
  /** Where every alarm (and its recovery) is sent. */
  readonly alertTopic: sns.ITopic;
  /** Overrides of the alarm thresholds. @default DEFAULT_API_ALARM_THRESHOLDS */
  readonly thresholds?: Partial<ApiAlarmThresholds>;
  /**
   * The namespace the inference function publishes its metrics to, when it writes the capture of record
   * (it does in both serving modes): adds the REL-2 capture alarms.
   * @default no capture alarms
   */
  readonly captureMetricNamespace?: string;
}

/** Powertools Metrics' default dimension: the function's POWERTOOLS_SERVICE_NAME. */
export const INFERENCE_METRIC_DIMENSIONS = { service: 'inference' } as const;

/**
 * MON-3, MON-4: the few API alarms worth waking someone for. Each description is the first response.
 * Rates, not counts, so the thresholds hold at any traffic level.
 */
export class ApiAlarms extends Construct {
  readonly serverErrors: cloudwatch.Alarm;
  readonly clientErrors: cloudwatch.Alarm;
  readonly latency: cloudwatch.Alarm;
  readonly functionErrors: cloudwatch.Alarm;
  readonly throttles: cloudwatch.Alarm;
  /** REL-2: capture records pushed out of a full parking area (lost to the drift check, counted). */
  readonly captureDropped?: cloudwatch.Alarm;
  /** REL-2: capture writes failing for 15 minutes (records parked, retried with every request). */
  readonly captureWriteFailures?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ApiAlarmsProps) {
    super(scope, id);
    const t = { ...DEFAULT_API_ALARM_THRESHOLDS, ...props.thresholds };
    if (
      !(t.serverErrorRate > 0 && t.serverErrorRate < 1) ||
      !(t.clientErrorRate > 0 && t.clientErrorRate < 1)
    ) {
      throw new Error(
        `ApiAlarms ${id}: thresholds.serverErrorRate and clientErrorRate must lie strictly between 0 and 1`,
      );
    }
    if (!(t.p99LatencyMs > 0)) throw new Error(`ApiAlarms ${id}: thresholds.p99LatencyMs must be positive`);
    const period = Duration.minutes(5);
    const notify = new actions.SnsAction(props.alertTopic);
    const make = (
      alarmId: string,
      description: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      evaluationPeriods: number,
      datapoints: number,
    ) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods,
        datapointsToAlarm: datapoints,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      return alarm;
    };
    // API Gateway reports 5XXError/4XXError as 0 or 1 per request, so their average is the error rate.
    this.serverErrors = make(
      'ServerErrorRate',
      `More than ${t.serverErrorRate * 100}% of API requests failed with 5xx in 3 of 5 minutes-long periods. Check the inference function log and the endpoint alarms; 502/503 mean the model backend is failing.`,
      props.api.metricServerError({ statistic: 'Average', period }),
      t.serverErrorRate,
      5,
      3,
    );
    this.clientErrors = make(
      'ClientErrorRate',
      `More than ${t.clientErrorRate * 100}% of API requests were refused (4xx) for 15 minutes. A client is sending invalid or unauthenticated requests, or is being throttled; the access log names it.`,
      props.api.metricClientError({ statistic: 'Average', period }),
      t.clientErrorRate,
      3,
      3,
    );
    this.latency = make(
      'Latency',
      `API p99 latency above ${t.p99LatencyMs} ms for 15 minutes. Check the endpoint's ModelLatency and instance count, and the function's duration.`,
      props.api.metricLatency({ statistic: 'p99', period }),
      t.p99LatencyMs,
      3,
      3,
    );
    this.functionErrors = make(
      'FunctionErrors',
      'The inference function threw (not a mapped 4xx/5xx answer). Its log group has the stack trace; these are bugs.',
      props.inferenceFunction.metricErrors({ statistic: 'Sum', period }),
      0,
      1,
      1,
    );
    this.throttles = make(
      'FunctionThrottles',
      'The inference function hit its reserved concurrency; callers get 429/503. Raise reservedConcurrency or the API throttle, or find the client flooding it.',
      props.inferenceFunction.metricThrottles({ statistic: 'Sum', period }),
      0,
      1,
      1,
    );
    if (props.captureMetricNamespace !== undefined) {
      const captureMetric = (metricName: string) =>
        new cloudwatch.Metric({
          namespace: props.captureMetricNamespace as string,
          metricName,
          dimensionsMap: { ...INFERENCE_METRIC_DIMENSIONS },
          statistic: 'Sum',
          period,
        });
      this.captureDropped = make(
        'CaptureDropped',
        'Capture records were dropped: writes to the data bucket kept failing until the function parking area was full, so the drift check misses these records. Read the function log (capture write failed: errorName) and fix the write path (bucket policy, data key, S3 endpoint).',
        captureMetric('CaptureDropped'),
        0,
        1,
        1,
      );
      this.captureWriteFailures = make(
        'CaptureWriteFailures',
        'Capture writes have failed or timed out for 15 minutes; the records are parked in the functions and retried with every request, and will be dropped (CaptureDropped) once parking is full. Check the function log for the error name and the S3 write path.',
        captureMetric('CaptureWriteFailures'),
        0,
        3,
        3,
      );
    }
  }

  get all(): cloudwatch.Alarm[] {
    return [
      this.serverErrors,
      this.clientErrors,
      this.latency,
      this.functionErrors,
      this.throttles,
      ...(this.captureDropped ? [this.captureDropped] : []),
      ...(this.captureWriteFailures ? [this.captureWriteFailures] : []),
    ];
  }
}
