import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DATA_BUCKET_PREFIXES, EnvironmentConfig, ResourceNames } from '../config';
import { applyDataPerimeter, DataPerimeterProps } from '../constructs/data-perimeter';
import { applyMfaDeleteGuard } from '../constructs/model-artifact-bucket';
import { ModelRegistry } from '../constructs/model-registry';
import { SecureBucket } from '../constructs/secure-bucket';

export interface DataStackProps extends StackProps {
  readonly environment: EnvironmentConfig;
  readonly names: ResourceNames;
  readonly cdkQualifier: string;
  readonly dataKey: kms.IKey;
  readonly modelKey: kms.IKey;
  readonly s3Endpoint: ec2.IGatewayVpcEndpoint;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The buckets: server access logs, model artifacts (MODEL-1) and data (DATA-3), inside the perimeter
 * (NET-6), and the model registry (MODEL-2): everything a model is published into, before any is served.
 */
export class DataStack extends Stack {
  readonly accessLogsBucket: SecureBucket;
  readonly modelBucket: SecureBucket;
  readonly dataBucket: SecureBucket;
  /** The environment's model registry (MODEL-2): publishing needs it before anything is served. */
  readonly registry: ModelRegistry;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const env = props.environment;
    const { buckets } = props.names;

    this.accessLogsBucket = new SecureBucket(this, 'AccessLogs', {
      bucketName: buckets.accessLogs,
      isAccessLogTarget: true,
      removalPolicy: props.removalPolicy,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(env.accessLogRetentionDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    // The trail bucket lives in the Audit stack and names this bucket by its registered name.
    this.accessLogsBucket.acceptAccessLogsFrom(buckets.trail);

    this.modelBucket = new SecureBucket(this, 'ModelArtifacts', {
      bucketName: buckets.model,
      encryptionKey: props.modelKey,
      serverAccessLogsBucket: this.accessLogsBucket.bucket,
      // Object Lock and the MFA guard make deletion by CloudFormation impossible by design, so the
      // bucket is retained in every environment rather than failing a dev teardown half-way; a rollback
      // of the deploy that created it still deletes it (still empty), so the retry can create it again.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      objectLock: {
        mode: env.modelBucket.objectLockMode,
        retentionDays: env.modelBucket.objectLockRetentionDays,
      },
    });
    applyMfaDeleteGuard(this.modelBucket.bucket);

    this.dataBucket = new SecureBucket(this, 'Data', {
      bucketName: buckets.data,
      encryptionKey: props.dataKey,
      serverAccessLogsBucket: this.accessLogsBucket.bucket,
      removalPolicy: props.removalPolicy,
      lifecycleRules: [
        {
          id: 'expire-inference-capture',
          prefix: DATA_BUCKET_PREFIXES.capture,
          expiration: Duration.days(env.dataBucket.captureRetentionDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
        {
          id: 'expire-reports',
          prefix: DATA_BUCKET_PREFIXES.reports,
          expiration: Duration.days(env.dataBucket.reportRetentionDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    this.accessLogsBucket.acknowledge(
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'Server access logs are operational records kept for the configured retention in the account; organisations that need a second copy ship them to a central log-archive account, which is outside this project.',
    );
    this.modelBucket.acknowledge(
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'Model artifacts are immutable (Object Lock) and reproducible: the publisher keeps the source artifact and its SHA-256 in the registry, and serving is single-region, so a cross-region copy would add a second locked bucket without a consumer.',
    );
    this.dataBucket.acknowledge(
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'The bucket holds customer data and inference captures that must stay in the environment region (data residency); replication would copy personal data to a second region. Durability comes from multi-AZ storage and versioning.',
    );

    this.registry = new ModelRegistry(this, 'Registry', {
      groupName: props.names.modelPackageGroup,
      description: `Churn model versions for ${env.name}: artifact digest, commit, data version and metrics`,
      removalPolicy: props.removalPolicy,
    });

    const perimeter: DataPerimeterProps = {
      vpcEndpointId: props.s3Endpoint.vpcEndpointId,
      // SageMaker downloads artifacts through the VPC, but whether it writes data capture through it
      // is not documented; the execution role's own policy limits it to models/ reads and its capture
      // prefix, so exempting it from the network condition keeps capture working without widening access.
      trustedRoleArns: [
        ...env.trustedRoleArns,
        `arn:aws:iam::${env.account}:role/${props.names.modelExecutionRole}`,
      ],
      cdkQualifier: props.cdkQualifier,
    };
    applyDataPerimeter(this.modelBucket.bucket, perimeter);
    applyDataPerimeter(this.dataBucket.bucket, perimeter);
  }
}
