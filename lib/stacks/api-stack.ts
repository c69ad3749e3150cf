import { CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { inferenceRequestSchema } from '../../lambda/inference/request-schema';
import { parseFeatureSpec, type FeatureSpec } from '../../src/features';
import {
  cognitoUserPool,
  DATA_BUCKET_PREFIXES,
  EnvironmentConfig,
  ProjectSettings,
  ResourceNames,
} from '../config';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { EncryptionKey } from '../constructs/encryption-key';
import { FunctionAnswerCheck } from '../constructs/function-answer-check';
import { InferenceFunction, ServedModelRef } from '../constructs/inference-function';
import { ApiAuthorizationProps, MAX_INSPECTABLE_BODY_BYTES, ProtectedApi } from '../constructs/protected-api';
import { FunctionPlacement, PROJECT_ROOT } from '../constructs/secure-function';
import { ServedModelParameters } from '../constructs/served-model-record';
import { projectBuckets } from './project-buckets';

/**
 * The environment's `serving.featureSpecFile` (relative to the project root, or absolute): the function
 * bundles it and the API's request model is built from it.
 */
export function loadFeatureSpec(file: string): FeatureSpec {
  const where = `serving.featureSpecFile ${file}`;
  let text: string;
  try {
    text = readFileSync(path.resolve(PROJECT_ROOT, file), 'utf8');
  } catch (error) {
    throw new Error(`${where} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  try {
    return parseFeatureSpec(JSON.parse(text));
  } catch (error) {
    throw new Error(`${where} is not a feature specification: ${(error as Error).message}`, { cause: error });
  }
}

export interface ApiStackProps extends StackProps {
  readonly project: ProjectSettings;
  readonly environment: EnvironmentConfig;
  readonly names: ResourceNames;
  readonly placement: FunctionPlacement;
  readonly modelKey: kms.IKey;
  /** The SageMaker endpoint's name, in `sagemaker` mode. @default none: the function scores itself */
  readonly endpointName?: string;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The inference API (NET-5, SEC-4, DATA-1, DATA-4, DATA-5, MODEL-3, KEY-1): the pseudonymisation key, the
 * inference function and the WAF-protected REST API in front of it.
 *
 * The served model comes from the served-model record the Serving stack's gate wrote in this deployment
 * (SSM parameters resolved when this stack deploys), not from a cross-stack export, which could not change
 * while imported. The endpoint stack reads the same record, so both agree on the version; while it says
 * `none` (a new account) the function answers 503 NoModelDeployed.
 */
export class ApiStack extends Stack {
  readonly pseudonymKey: EncryptionKey;
  readonly inference: InferenceFunction;
  readonly protectedApi: ProtectedApi;
  readonly servedModel: ServedModelRef;
  /** MODEL-6 in embedded mode: the function version must answer the golden records. @default none (sagemaker mode) */
  readonly answerCheck?: FunctionAnswerCheck;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const env = props.environment;
    const apiName = `${props.project.name}-${env.name}`;
    const spec = loadFeatureSpec(env.serving.featureSpecFile);

    // HMAC keys cannot rotate: rotating would change every pseudonym and break joins across captures.
    this.pseudonymKey = new EncryptionKey(this, 'PseudonymKey', {
      aliasName: `${props.project.name}/${env.name}/pseudonym`,
      description: `Pseudonymisation of customer ids by HMAC-SHA-256 (${env.name}); pseudonymisation key, not rotated`,
      removalPolicy: props.removalPolicy,
      viaServices: [],
      keySpec: kms.KeySpec.HMAC_256,
    });

    const dataBucket = projectBuckets(this, props.names).data;

    const served = new ServedModelParameters(this, 'ServedModel', props.names.servedModelParameters);
    this.servedModel = { ...pickServedModel(served), whenServed: served.serves };
    // One request contract: the API's model and the function's compiled validator are this one document.
    const requestSchema = inferenceRequestSchema(spec, {
      maxBatchSize: env.api.maxBatchSize,
      customerIdPattern: props.project.customerIdPattern,
    });
    this.inference = new InferenceFunction(this, 'Inference', {
      placement: props.placement,
      mode: env.serving.mode,
      model: this.servedModel,
      modelKey: props.modelKey,
      endpointName: props.endpointName,
      capture: {
        bucket: dataBucket,
        dataKey: props.placement.dataKey,
        // SageMaker's own layout: <capture prefix><endpoint name>/<endpoint name>/<variant>/yyyy/mm/dd/hh/
        prefix: `${DATA_BUCKET_PREFIXES.capture}${apiName}/`,
        source: apiName,
        percent: env.serving.dataCapturePercent,
      },
      pseudonymKey: this.pseudonymKey,
      requestSchema,
      tuning: env.api.inference,
      featureSpecFile: env.serving.featureSpecFile,
      maxBodyBytes: MAX_INSPECTABLE_BODY_BYTES,
      riskThresholds: env.api.riskThresholds,
      metricNamespace: props.names.metricNamespace,
    });

    if (env.serving.mode === 'embedded') {
      // MODEL-6: the version just published must answer the golden records as recorded, or the deployment
      // fails and the function rolls back. In sagemaker mode the endpoint stack checks the endpoint.
      this.answerCheck = new FunctionAnswerCheck(this, 'AnswerCheck', {
        placement: props.placement,
        version: this.inference.version,
        model: this.servedModel,
        modelKey: props.modelKey,
        whenServed: served.serves,
      });
      // Callers reach the new version only once it has answered the golden records as recorded.
      this.inference.serveOnly(this.answerCheck.passedVersion);
    }
    // Where `npm run model -- verify` finds what the API invokes.
    new ssm.StringParameter(this, 'InferenceFunctionArn', {
      parameterName: props.names.inferenceFunctionParameter,
      description: `The ${env.name} inference function's live alias (what the API invokes), for npm run model -- verify`,
      stringValue: this.inference.live.functionArn,
      tier: ssm.ParameterTier.STANDARD,
    });

    this.protectedApi = new ProtectedApi(this, 'Api', {
      apiName,
      description: `Churn inference API (${env.name})`,
      handler: this.inference.live,
      requestSchema,
      authorization: this.authorization(props),
      throttle: env.api.throttle,
      wafRateLimitPer5Minutes: env.api.wafRateLimitPer5Minutes,
      clients: env.api.clients,
      maxBodyBytes: MAX_INSPECTABLE_BODY_BYTES,
      logsKey: props.placement.logsKey,
      logRetentionDays: env.logRetentionDays,
      removalPolicy: props.removalPolicy,
      executionLogLevel: apigw.MethodLoggingLevel[env.api.executionLogLevel],
    });

    new CfnOutput(this, 'InferenceUrl', { value: this.protectedApi.url });
    new CfnOutput(this, 'ServedModelVersion', { value: this.servedModel.modelVersion });
  }

  private authorization(props: ApiStackProps): ApiAuthorizationProps {
    const api = props.environment.api;
    if (api.authorization === 'iam') return { kind: 'iam', allowedPrincipalArns: api.allowedPrincipalArns };
    if (!api.jwt) throw new Error(`ApiStack ${this.node.id}: authorization 'jwt' needs api.jwt`);
    // The schema admits only Cognito issuers, so the pool can be read from the URL.
    const { region, userPoolId: poolId } = cognitoUserPool(api.jwt.issuer);
    const userPool = cognito.UserPool.fromUserPoolArn(
      this,
      'JwtIssuerPool',
      `arn:${this.partition}:cognito-idp:${region}:${this.account}:userpool/${poolId}`,
    );
    return { kind: 'cognito', userPool };
  }
}

function pickServedModel(served: ServedModelParameters): Omit<ServedModelRef, 'whenServed'> {
  return {
    modelDataUrl: served.modelDataUrl,
    artifactSha256: served.artifactSha256,
    modelVersion: served.modelVersion,
    artifactObjectArn: served.artifactObjectArn,
  };
}
