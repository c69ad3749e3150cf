import { Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { projectBuckets } from './project-buckets';
import { EnvironmentConfig, ResourceNames } from '../config';
import { AnomalyAlarms } from '../constructs/anomaly-alarms';
import { ApiAlarms } from '../constructs/api-alarms';
import { DriftMonitor } from '../constructs/drift-monitor';
import { EndpointRollback } from '../constructs/endpoint-rollback';
import { InferenceEndpoint, PRODUCTION_VARIANT } from '../constructs/inference-endpoint';
import { DashboardApi, OperationsDashboard } from '../constructs/operations-dashboard';
import { FunctionPlacement } from '../constructs/secure-function';

export interface MonitoringStackProps extends StackProps {
  readonly projectName: string;
  readonly environment: EnvironmentConfig;
  readonly names: ResourceNames;
  readonly placement: FunctionPlacement;
  /** Encrypts the endpoint's volumes; a restored endpoint configuration names it again. */
  readonly modelKey: kms.IKey;
  readonly alertTopic: sns.ITopic;
  /** The SageMaker endpoint, when the environment serves through one. */
  readonly endpoint?: InferenceEndpoint;
  /** The inference API, when the environment has one. */
  readonly api?: DashboardApi;
  /**
   * The inference function's capture stream (`InferenceFunction.captureStreamPrefix`): the records the
   * drift check reads, written by the function in both serving modes (REL-2).
   */
  readonly captureStreamPrefix: string;
}

/**
 * Watching the model in production (MON-1..6): the drift check, the API alarms, the anomaly-detection
 * alarms, automated rollback where configured, and the dashboard. The endpoint's own deployment alarms live with the endpoint.
 */
export class MonitoringStack extends Stack {
  readonly drift: DriftMonitor;
  readonly apiAlarms?: ApiAlarms;
  readonly anomalyAlarms?: AnomalyAlarms;
  readonly rollback?: EndpointRollback;
  readonly dashboard: OperationsDashboard;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const buckets = projectBuckets(this, props.names);
    const env = props.environment;

    this.drift = new DriftMonitor(this, 'Drift', {
      placement: props.placement,
      dataBucket: buckets.data,
      alertTopic: props.alertTopic,
      metricNamespace: props.names.metricNamespace,
      environmentName: env.name,
      settings: env.monitoring,
      captureStreamPrefix: props.captureStreamPrefix,
    });

    if (props.api) {
      this.apiAlarms = new ApiAlarms(this, 'ApiAlarms', {
        api: props.api.restApi,
        inferenceFunction: props.api.inferenceFunction,
        alertTopic: props.alertTopic,
        // REL-2: the function writes the capture of record in both serving modes.
        captureMetricNamespace: props.names.metricNamespace,
      });
      this.anomalyAlarms = new AnomalyAlarms(this, 'AnomalyAlarms', {
        api: props.api.restApi,
        metricNamespace: props.names.metricNamespace,
        alertTopic: props.alertTopic,
        bandWidth: env.monitoring.anomalyBandWidth,
        clientKeys: props.api.clientKeys,
      });
    }

    if (env.monitoring.autoRollback) {
      if (!props.endpoint) {
        // Unreachable from a validated configuration: the schema refuses autoRollback without SageMaker.
        throw new Error(`MonitoringStack ${id}: autoRollback needs the endpoint to roll back`);
      }
      const endpointAlarms = props.endpoint.rollbackAlarms;
      const watched: cloudwatch.IAlarm[] = [
        this.drift.predictionDriftAlarm,
        endpointAlarms.serverErrors,
        endpointAlarms.modelErrors,
        ...(this.apiAlarms ? [this.apiAlarms.serverErrors] : []),
      ];
      this.rollback = new EndpointRollback(this, 'Rollback', {
        placement: props.placement,
        endpointName: props.endpoint.endpointName,
        watchedAlarms: watched,
        modelExecutionRole: props.endpoint.executionRole,
        endpointKeys: [props.placement.dataKey, props.modelKey],
        stateBucket: buckets.data,
        alertTopic: props.alertTopic,
        metricNamespace: props.names.metricNamespace,
      });
    }

    this.dashboard = new OperationsDashboard(this, 'Dashboard', {
      dashboardName: `${props.projectName}-${env.name}`,
      drift: this.drift,
      api: props.api,
      anomalyAlarms: this.anomalyAlarms?.all,
      endpoint: props.endpoint
        ? { endpointName: props.endpoint.endpointName, variantName: PRODUCTION_VARIANT }
        : undefined,
    });
  }
}
