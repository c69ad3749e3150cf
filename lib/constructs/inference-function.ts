import { CfnCondition, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { captureStreamPrefix } from '../../src/capture/record';
import { acknowledgeRule } from '../compliance/acknowledge';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { BUNDLED_FEATURE_SPEC_FILE, inferenceEnvironment } from '../../lambda/inference/environment';
import { BUNDLED_REQUEST_VALIDATOR_FILE } from '../../lambda/inference/request-contract';
import type { InferenceRequestSchema } from '../../lambda/inference/request-schema';
import { writeRequestValidatorModule } from '../build/request-validator';
import type { EnvironmentConfig } from '../config';
import { EncryptionKey } from './encryption-key';
import { wildcardResourceFinding } from './nag-finding';
import { FunctionPlacement, SecureFunction } from './secure-function';

/** The alias the API invokes (`InferenceFunction.live`). */
export const LIVE_ALIAS_NAME = 'live';

/** The verified model the function serves or explains, as the deploy-time model gate resolved it. */
export interface ServedModelRef {
  readonly modelDataUrl: string;
  readonly artifactSha256: string;
  /** A version number, or `none` while nothing is served (the function answers 503 NoModelDeployed). */
  readonly modelVersion: string;
  /** `arn:aws:s3:::<bucket>/<key>` of the artifact: the one object the function may read. */
  readonly artifactObjectArn: string;
  /** Holds while a model is served; the artifact read grant exists only then. @default always served */
  readonly whenServed?: CfnCondition;
}

/** The configuration's `api.inference` section. */
export type InferenceTuning = EnvironmentConfig['api']['inference'];

export interface InferenceFunctionProps {
  /** VPC, security group and keys of the function. */
  readonly placement: FunctionPlacement;
  /** `embedded`: the function scores the model itself; `sagemaker`: it calls the endpoint. */
  readonly mode: 'embedded' | 'sagemaker';
  /** The served model as the model gate resolved it. */
  readonly model: ServedModelRef;
  /** Key of the model bucket; the function decrypts the served artifact through S3 only. */
  readonly modelKey: kms.IKey;
  /** Required in `sagemaker` mode. @default none (embedded mode) */
  readonly endpointName?: string;
  /** The function writes capture records here in both modes (SSE-KMS by the bucket's default key). */
  readonly capture: {
    readonly bucket: s3.IBucket;
    readonly dataKey: kms.IKey;
    readonly prefix: string;
    readonly source: string;
    readonly percent: number;
  };
  /** HMAC key for pseudonymisation; the function gets kms:GenerateMac on it and nothing else. */
  readonly pseudonymKey: EncryptionKey;
  /**
   * The request model the API validates with; the function ships the same document compiled (ajv
   * standalone code), so the edge and the function make the same decisions.
   */
  readonly requestSchema: InferenceRequestSchema;
  /**
   * The served model's feature specification (`serving.featureSpecFile`), relative to the project root or
   * absolute; bundled with the function, which encodes requests with it. `requestSchema` is built from it.
   */
  readonly featureSpecFile: string;
  /** Largest request body the function accepts (the edge refuses larger ones first). */
  readonly maxBodyBytes: number;
  /** Deadline margin, pseudonym cache, KMS concurrency and capture bounds (REL-1, REL-2). */
  readonly tuning: InferenceTuning;
  /** Probabilities above which a customer is High, and Medium, risk. */
  readonly riskThresholds: { readonly high: number; readonly medium: number };
  /** CloudWatch namespace of the function's metrics. */
  readonly metricNamespace: string;
  /** @default 10 */
  readonly reservedConcurrency?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
}

/**
 * The inference function (lambda/inference): SecureFunction hardening (VPC, arm64, CMK environment,
 * encrypted logs, reserved concurrency), least-privilege access to exactly what its mode needs, and a
 * request deadline (REL-1) inside its own timeout.
 */
export class InferenceFunction extends Construct {
  /** The hardened function construct: its role, log group and dead-letter queue. */
  readonly handler: SecureFunction;
  /** The Lambda function, for wiring (targets, alarms, permissions). */
  readonly function: lambda.IFunction;
  /** The compiled request model shipped next to the bundle (absolute path of the generated module). */
  readonly requestValidatorFile: string;
  /**
   * The version this deployment publishes: CDK names it after a hash of the function's code and
   * configuration, and its description names the served model (read from the served-model record at
   * deploy time, which the hash cannot see), so a change of any of them publishes a new version: the
   * snapshot the served-answer check invokes before `live` moves to it.
   */
  readonly version: lambda.Version;
  /**
   * What callers invoke: the alias `live`, on `version` unless `serveOnly` names the version a check
   * passed. Invoking the function unqualified would run `$LATEST`, the new code, from the moment it is
   * updated, before any check.
   */
  readonly live: lambda.Alias;
  /** Where this function's capture records go (`<prefix><source>/<mode>/`): what the drift check reads. */
  readonly captureStreamPrefix: string;

  constructor(scope: Construct, id: string, props: InferenceFunctionProps) {
    super(scope, id);
    if (props.mode === 'sagemaker' && !props.endpointName) {
      throw new Error(`InferenceFunction ${id}: endpointName is required in sagemaker mode`);
    }
    if (props.capture.percent < 0 || props.capture.percent > 100) {
      throw new Error(
        `InferenceFunction ${id}: capture.percent must be 0..100, got ${props.capture.percent}`,
      );
    }
    const stack = Stack.of(this);
    const timeout = props.timeout ?? Duration.seconds(10);
    if (props.tuning.deadlineMarginMs >= timeout.toMilliseconds() / 2) {
      throw new Error(
        `InferenceFunction ${id}: tuning.deadlineMarginMs (${props.tuning.deadlineMarginMs}) must be under half the timeout (${timeout.toMilliseconds()} ms)`,
      );
    }
    const embedded = props.mode === 'embedded';
    this.captureStreamPrefix = captureStreamPrefix(props.capture.prefix, props.capture.source, props.mode);
    this.requestValidatorFile = writeRequestValidatorModule(props.requestSchema);

    this.handler = new SecureFunction(this, 'Handler', {
      entry: 'lambda/inference/handler.ts',
      description: `Churn inference (${props.mode}): validate, pseudonymise, score, explain`,
      placement: props.placement,
      reservedConcurrency: props.reservedConcurrency ?? 10,
      timeout,
      // Memory buys CPU on Lambda; 1 GB keeps TreeSHAP of a batch of 100 well under the timeout.
      memorySize: 1024,
      bundledFiles: {
        [BUNDLED_REQUEST_VALIDATOR_FILE]: this.requestValidatorFile,
        [BUNDLED_FEATURE_SPEC_FILE]: props.featureSpecFile,
      },
      // Source-mapped stack traces cost ~15 ms of every cold start (the 2.9 MB map is parsed at load) and
      // would never be read: this function logs error names only, never stacks.
      sourceMapsAtRuntime: false,
      currentVersionOptions: {
        // Retained when replaced: Lambda answers PublishVersion with the existing version when nothing
        // changed, and deleting the replaced resource would then delete the version the new one names.
        removalPolicy: RemovalPolicy.RETAIN,
        description: Fn.join('', [
          'Churn inference serving model ',
          props.model.modelVersion,
          ' (artifact sha256 ',
          props.model.artifactSha256,
          ')',
        ]),
      },
      environment: inferenceEnvironment.render({
        serviceName: 'inference',
        metricsNamespace: props.metricNamespace,
        servingMode: props.mode,
        pseudonymKeyId: props.pseudonymKey.key.keyArn,
        modelVersion: props.model.modelVersion,
        modelDataUrl: props.model.modelDataUrl,
        modelSha256: props.model.artifactSha256,
        maxBodyBytes: props.maxBodyBytes,
        riskHigh: props.riskThresholds.high,
        riskMedium: props.riskThresholds.medium,
        deadlineMarginMs: props.tuning.deadlineMarginMs,
        pseudonymCacheSize: props.tuning.pseudonymCacheSize,
        pseudonymCacheTtlSeconds: props.tuning.pseudonymCacheTtlSeconds,
        kmsConcurrency: props.tuning.kmsConcurrency,
        endpointName: props.endpointName,
        captureBucket: props.capture.bucket.bucketName,
        capturePrefix: props.capture.prefix,
        captureSource: props.capture.source,
        capturePercent: props.capture.percent,
        captureWaitMs: props.tuning.captureWaitMs,
        captureMaxParkedRecords: props.tuning.captureMaxParkedRecords,
      }),
    });
    this.function = this.handler.function;
    this.version = this.handler.function.currentVersion;
    this.live = new lambda.Alias(this, 'Live', {
      aliasName: LIVE_ALIAS_NAME,
      version: this.version,
      description:
        'What the API invokes: the version published by the last deployment that passed its checks',
    });
    const role = this.handler.role;

    props.pseudonymKey.grantDirectUse('InferenceFunctionPseudonymises', role, ['kms:GenerateMac']);

    // Read exactly the served artifact (embedded scoring, or explanations on the SageMaker path), in a
    // policy of its own that exists only while a model is served: with nothing served there is no object
    // to name, and no grant.
    const artifactRead = new iam.ManagedPolicy(this, 'ServedArtifactRead', {
      description: 'Read the one model artifact the gate verified for this deployment',
      roles: [role],
      statements: [
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.model.artifactObjectArn] }),
      ],
    });
    if (props.model.whenServed) {
      (artifactRead.node.defaultChild as iam.CfnManagedPolicy).cfnOptions.condition = props.model.whenServed;
    }
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [props.modelKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    );

    // REL-2: the function writes the capture of record in both modes; the SageMaker endpoint's own capture
    // publishes no count of records it fails to write, so the drift check reads this stream only.
    const captureObjects = props.capture.bucket.arnForObjects(`${this.captureStreamPrefix}*`);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [captureObjects] }),
    );
    acknowledgeRule(
      role.policy,
      wildcardResourceFinding(role.policy, captureObjects),
      "Capture objects get a new key per request (hour path plus a random id), so the write grant is this function's own capture stream; the function cannot read, list or delete, and the bucket encrypts with its own key.",
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey'],
        resources: [props.capture.dataKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    );
    if (!embedded) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['sagemaker:InvokeEndpoint'],
          resources: [
            stack.formatArn({
              service: 'sagemaker',
              resource: 'endpoint',
              resourceName: (props.endpointName as string).toLowerCase(),
            }),
          ],
        }),
      );
    }
  }

  /**
   * Points `live` at `passedVersion`, a reference to the version a check passed (the served-answer
   * check's `Version` attribute): CloudFormation cannot update the alias before the check has succeeded,
   * and a failing check rolls the deployment back with traffic still on the previous version.
   */
  serveOnly(passedVersion: string): void {
    (this.live.node.defaultChild as lambda.CfnAlias).functionVersion = passedVersion;
  }
}
