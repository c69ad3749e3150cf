import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  CALLER_DIMENSION,
  CALLER_REQUESTS_METRIC,
  PREDICTED_PROBABILITY_METRIC,
} from '../../lambda/inference/metric-names';
import { INFERENCE_METRIC_DIMENSIONS } from './api-alarms';

export interface AnomalyAlarmsProps {
  /** The inference API whose request volume, 4xx rate and latency are watched. */
  readonly api: apigw.RestApi;
  /** The namespace the inference function publishes to (PredictedProbability, CallerRequests). */
  readonly metricNamespace: string;
  /** Where every alarm (and its return to OK) is sent. */
  readonly alertTopic: sns.ITopic;
  /** Width of the anomaly-detection band, in standard deviations (monitoring.anomalyBandWidth). */
  readonly bandWidth: number;
  /**
   * The API clients with their own key (api.clients): one volume alarm each, on the requests their key
   * made. @default no per-client alarms (the total volume alarm still applies)
   */
  readonly clientKeys?: Readonly<Record<string, apigw.IApiKey>>;
}

/** Anomaly bands need a steady period; 5 minutes, 3 of 3 periods (15 minutes) out of band to alarm. */
const PERIOD = Duration.minutes(5);
const EVALUATION_PERIODS = 3;

/**
 * MON-5: CloudWatch anomaly-detection alarms (ANOMALY_DETECTION_BAND) on what a fixed threshold cannot
 * judge: request volume in total and per API client, the 4xx rate, latency and the mean predicted
 * probability. CloudWatch learns each band from the metric's own history (about two weeks for a good
 * model; until then the band is wide). Few and actionable: each description is the first response.
 */
export class AnomalyAlarms extends Construct {
  readonly requestVolume: cloudwatch.AnomalyDetectionAlarm;
  readonly clientErrorRate: cloudwatch.AnomalyDetectionAlarm;
  readonly latency: cloudwatch.AnomalyDetectionAlarm;
  readonly meanProbability: cloudwatch.AnomalyDetectionAlarm;
  /** One per configured API client, by client name. */
  readonly clientVolume: Readonly<Record<string, cloudwatch.AnomalyDetectionAlarm>>;

  constructor(scope: Construct, id: string, props: AnomalyAlarmsProps) {
    super(scope, id);
    if (!(props.bandWidth >= 1 && props.bandWidth <= 10)) {
      throw new Error(
        `AnomalyAlarms ${id}: bandWidth must be from 1 to 10 standard deviations, got ${props.bandWidth}`,
      );
    }
    const notify = new actions.SnsAction(props.alertTopic);
    const make = (
      alarmId: string,
      description: string,
      metric: cloudwatch.IMetric,
      comparisonOperator: cloudwatch.ComparisonOperator,
    ) => {
      const alarm = new cloudwatch.AnomalyDetectionAlarm(this, alarmId, {
        alarmDescription: description,
        metric,
        stdDevs: props.bandWidth,
        comparisonOperator,
        evaluationPeriods: EVALUATION_PERIODS,
        datapointsToAlarm: EVALUATION_PERIODS,
        // No traffic is not an anomaly of a rate or a mean; the volume alarms see a drop as low volume.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      return alarm;
    };
    const above = cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD;
    const outside = cloudwatch.ComparisonOperator.LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD;
    const { api } = props;
    const own = (metricName: string, statistic: string, dimensions: Record<string, string> = {}) =>
      new cloudwatch.Metric({
        namespace: props.metricNamespace,
        metricName,
        dimensionsMap: { ...INFERENCE_METRIC_DIMENSIONS, ...dimensions },
        statistic,
        period: PERIOD,
      });

    this.requestVolume = make(
      'RequestVolumeAnomaly',
      'API request volume left its learned band for 15 minutes (far above or below the usual for this time of day and week). Above: find the caller in the CallerRequests metric and the access log (a flood, scraping or a client bug); below: check the callers upstream and the WAF blocks.',
      api.metricCount({ statistic: 'Sum', period: PERIOD }),
      outside,
    );
    this.clientErrorRate = make(
      'ClientErrorRateAnomaly',
      'The share of requests refused with 4xx rose above its learned band for 15 minutes. A caller is probing the schema, sending broken records or is throttled: the access log names it, the function log says which fields were refused.',
      // 4XXError is 0 or 1 per request, so its average is the 4xx rate.
      api.metricClientError({ statistic: 'Average', period: PERIOD }),
      above,
    );
    this.latency = make(
      'LatencyAnomaly',
      'Average API latency rose above its learned band for 15 minutes, below the fixed p99 alarm. Compare the function duration with the endpoint ModelLatency and instance count; check KMS and S3 latency in the function log.',
      api.metricLatency({ statistic: 'Average', period: PERIOD }),
      above,
    );
    this.meanProbability = make(
      'MeanProbabilityAnomaly',
      'The mean predicted churn probability left its learned band for 15 minutes. Check whether one caller sends unusual records (CallerRequests, the drift report attribution), whether the served model version changed, and the drift alarms.',
      own(PREDICTED_PROBABILITY_METRIC, 'Average'),
      outside,
    );
    this.clientVolume = Object.fromEntries(
      Object.entries(props.clientKeys ?? {}).map(([name, key]) => [
        name,
        make(
          `ClientVolumeAnomaly-${name}`,
          `Requests with API client '${name}' key rose above their learned band for 15 minutes. Ask the client whether it is expected; sustained querying can extract the model (MODEL-7 extraction figure), so lower its usage plan or disable its key if not.`,
          own(CALLER_REQUESTS_METRIC, 'Sum', { [CALLER_DIMENSION]: `api-key:${key.keyId}` }),
          above,
        ),
      ]),
    );
  }

  get all(): cloudwatch.AnomalyDetectionAlarm[] {
    return [
      this.requestVolume,
      this.clientErrorRate,
      this.latency,
      this.meanProbability,
      ...Object.values(this.clientVolume),
    ];
  }
}
