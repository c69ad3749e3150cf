import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ApiClient, BOUNDS, requireWithin } from '../config';
import { acknowledgeRule } from '../compliance/acknowledge';
import { EncryptedLogGroup } from './encrypted-log-group';
import { ManagedPolicyRole } from './managed-policy-role';
import { wildcardResourceFinding } from './nag-finding';

/** Largest request body WAF can inspect on a regional resource (with the 64 KB inspection limit). */
export const MAX_INSPECTABLE_BODY_BYTES = 64 * 1024;

/** Headers that carry credentials: never written to WAF logs. */
export const REDACTED_HEADERS = ['authorization', 'x-amz-security-token'] as const;

export type ApiAuthorizationProps =
  | {
      readonly kind: 'iam';
      /** Roles allowed to call; empty means any principal of this account its own policies allow. */
      readonly allowedPrincipalArns: readonly string[];
    }
  | {
      readonly kind: 'cognito';
      readonly userPool: cognito.IUserPool;
    };

/** A whole JSON Schema draft-04 document (with `$schema`), as `inferenceRequestSchema` builds it. */
export interface RequestModelSchema {
  readonly $schema: string;
}

export interface ProtectedApiProps {
  /** Lower-case name used for the API, the WAF ACL and the log groups, e.g. `churn-dev`. */
  readonly apiName: string;
  /** Description of the REST API. */
  readonly description: string;
  /** The function behind `POST /<resourcePath>` (Lambda proxy integration). */
  readonly handler: lambda.IFunction;
  /** @default 'predictions' */
  readonly resourcePath?: string;
  /** Request body model; API Gateway rejects bodies that do not match it before the function runs. */
  readonly requestSchema: RequestModelSchema;
  /** IAM (SigV4, with the callers the resource policy allows) or a Cognito user pool. */
  readonly authorization: ApiAuthorizationProps;
  /** Stage throttling, which also becomes the usage plan's limit. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Requests per client IP per 5 minutes before WAF blocks with 429. */
  readonly wafRateLimitPer5Minutes: number;
  /** WAF blocks larger bodies with 413; at most MAX_INSPECTABLE_BODY_BYTES. */
  readonly maxBodyBytes: number;
  /** Encrypts access, execution and WAF logs; must allow CloudWatch Logs. */
  readonly logsKey: kms.IKey;
  /** Retention of the access, execution and WAF log groups, in days CloudWatch Logs accepts. */
  readonly logRetentionDays: number;
  /** What happens to the log groups when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** @default false — the anonymous-IP list also blocks hosting providers, where legitimate callers may run */
  readonly blockAnonymousIps?: boolean;
  /** Execution log level; never with data tracing. @default apigw.MethodLoggingLevel.ERROR */
  readonly executionLogLevel?: apigw.MethodLoggingLevel;
  /** Time the integration may take; keep it above the function's own timeout. @default 29 seconds */
  readonly integrationTimeout?: Duration;
  /**
   * Calling applications with their own limits. When any is given, every method requires an API key,
   * and each client's generated key selects its usage plan (the key identifies; it never authenticates).
   * @default [] — the stage-wide plan only
   */
  readonly clients?: readonly ApiClient[];
}

const STAGE_NAME = 'v1';

function jsonError(code: string, message: string): Record<string, string> {
  return {
    'application/json': JSON.stringify({ error: { code, message, requestId: '$context.requestId' } }),
  };
}

/**
 * A regional REST API behind AWS WAF (NET-5, SEC-4): managed rule groups, a rate limit per client IP and
 * a body-size limit at the edge; IAM (SigV4) or Cognito authorization on every method; a resource policy
 * naming the allowed callers; a request validator with the feature specification's JSON-schema model;
 * stage throttling and a usage plan; KMS-encrypted access, execution and WAF logs (credentials redacted);
 * X-Ray; execution logging without data tracing, which would write customer data to the logs.
 */
export class ProtectedApi extends Construct {
  /** The REST API itself, for wiring (alarms, dashboards, custom domains). */
  readonly restApi: apigw.RestApi;
  readonly webAcl: wafv2.CfnWebACL;
  readonly accessLogGroup: EncryptedLogGroup;
  readonly wafLogGroup: EncryptedLogGroup;
  readonly method: apigw.Method;
  readonly usagePlan: apigw.UsagePlan;
  /** The generated API key of each configured client, by client name. */
  readonly clientKeys: Readonly<Record<string, apigw.IApiKey>>;

  constructor(scope: Construct, id: string, props: ProtectedApiProps) {
    super(scope, id);
    if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(props.apiName)) {
      throw new Error(
        `ProtectedApi ${id}: apiName '${props.apiName}' must be 1-41 lower-case letters, digits or '-'`,
      );
    }
    if (
      !Number.isInteger(props.maxBodyBytes) ||
      props.maxBodyBytes < 1024 ||
      props.maxBodyBytes > MAX_INSPECTABLE_BODY_BYTES
    ) {
      throw new Error(
        `ProtectedApi ${id}: maxBodyBytes must be 1024..${MAX_INSPECTABLE_BODY_BYTES} (WAF cannot inspect beyond), got ${props.maxBodyBytes}`,
      );
    }
    const where = `ProtectedApi ${id}`;
    requireWithin(
      where,
      'wafRateLimitPer5Minutes',
      props.wafRateLimitPer5Minutes,
      BOUNDS.wafRateLimitPer5Minutes,
    );
    requireWithin(where, 'throttle.rateLimit', props.throttle.rateLimit, BOUNDS.throttleRateLimit);
    requireWithin(where, 'throttle.burstLimit', props.throttle.burstLimit, BOUNDS.throttleBurstLimit);
    for (const client of props.clients ?? []) {
      requireWithin(where, `clients.${client.name}.rateLimit`, client.rateLimit, BOUNDS.throttleRateLimit);
      requireWithin(where, `clients.${client.name}.burstLimit`, client.burstLimit, BOUNDS.throttleBurstLimit);
      if (client.quotaPerDay !== undefined)
        requireWithin(where, `clients.${client.name}.quotaPerDay`, client.quotaPerDay, BOUNDS.quotaPerDay);
    }
    const stack = Stack.of(this);
    const logGroupProps = {
      encryptionKey: props.logsKey,
      retentionDays: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
    };

    this.accessLogGroup = new EncryptedLogGroup(this, 'AccessLogs', logGroupProps);
    const iamAuth = props.authorization.kind === 'iam';
    this.restApi = new apigw.RestApi(this, 'Api', {
      restApiName: props.apiName,
      description: props.description,
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // The execute-api URL is the entry point; a custom domain in front needs its own TLS 1.2 policy.
      disableExecuteApiEndpoint: false,
      cloudWatchRole: false,
      policy: iamAuth ? this.resourcePolicy(props.authorization.allowedPrincipalArns) : undefined,
      deployOptions: {
        stageName: STAGE_NAME,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: props.executionLogLevel ?? apigw.MethodLoggingLevel.ERROR,
        // Data tracing writes full request and response bodies (customer ids, features) to the logs.
        dataTraceEnabled: false,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup.logGroup),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
      },
      defaultMethodOptions: iamAuth ? { authorizationType: apigw.AuthorizationType.IAM } : undefined,
    });
    // KEY-4: the execute-api endpoint itself refuses TLS 1.0/1.1 (the regional default still accepts 1.0).
    // TLS_1_2 admits TLS 1.2 and 1.3 without the endpoint access mode the newer SecurityPolicy_* ones need.
    (this.restApi.node.defaultChild as apigw.CfnRestApi).securityPolicy = 'TLS_1_2';
    this.configureExecutionLogging(props, stack);

    const validator = this.restApi.addRequestValidator('BodyValidator', {
      requestValidatorName: `${props.apiName}-body`,
      validateRequestBody: true,
      // The method declares no required parameters, so this only rejects what it would also reject.
      validateRequestParameters: true,
    });
    const { $schema: _draft, ...schemaBody } = props.requestSchema;
    const model = this.restApi.addModel('RequestModel', {
      contentType: 'application/json',
      modelName: 'InferenceRequest',
      description: 'Generated from the model feature specification',
      schema: { schema: apigw.JsonSchemaVersion.DRAFT4, ...schemaBody } as apigw.JsonSchema,
    });
    const clients = props.clients ?? [];
    const names = new Set(clients.map((c) => c.name));
    if (names.size !== clients.length)
      throw new Error(`ProtectedApi ${id}: clients must have distinct names`);
    const methodOptions: apigw.MethodOptions = iamAuth
      ? { authorizationType: apigw.AuthorizationType.IAM }
      : {
          authorizationType: apigw.AuthorizationType.COGNITO,
          authorizer: new apigw.CognitoUserPoolsAuthorizer(this, 'JwtAuthorizer', {
            cognitoUserPools: [(props.authorization as { userPool: cognito.IUserPool }).userPool],
            identitySource: 'method.request.header.Authorization',
          }),
        };
    const resource = this.restApi.root.addResource(props.resourcePath ?? 'predictions');
    this.method = resource.addMethod(
      'POST',
      new apigw.LambdaIntegration(props.handler, {
        proxy: true,
        timeout: props.integrationTimeout ?? Duration.seconds(29),
      }),
      {
        ...methodOptions,
        apiKeyRequired: clients.length > 0,
        requestValidator: validator,
        requestModels: { 'application/json': model },
      },
    );
    this.addGatewayResponses();

    this.usagePlan = this.restApi.addUsagePlan('UsagePlan', {
      name: `${props.apiName}-default`,
      description: 'Stage-wide limits for every caller; issue API keys to give clients their own plan',
      throttle: { rateLimit: props.throttle.rateLimit, burstLimit: props.throttle.burstLimit },
      apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
    });
    this.clientKeys = Object.fromEntries(
      clients.map((client) => {
        // No value is given: API Gateway generates the key, so it never appears in a template (SEC-1).
        const key = this.restApi.addApiKey(`Key-${client.name}`, {
          apiKeyName: `${props.apiName}-${client.name}`,
          description: `Identifies ${client.name} for its usage plan; callers still sign their requests`,
        });
        const plan = this.restApi.addUsagePlan(`Plan-${client.name}`, {
          name: `${props.apiName}-${client.name}`,
          description: `Limits of ${client.name}`,
          throttle: { rateLimit: client.rateLimit, burstLimit: client.burstLimit },
          quota: client.quotaPerDay ? { limit: client.quotaPerDay, period: apigw.Period.DAY } : undefined,
          apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
        });
        plan.addApiKey(key);
        return [client.name, key];
      }),
    );

    this.wafLogGroup = new EncryptedLogGroup(this, 'WafLogs', {
      ...logGroupProps,
      // WAF only delivers to log groups whose name starts with aws-waf-logs-.
      logGroupName: `aws-waf-logs-${props.apiName}`,
    });
    this.webAcl = this.createWebAcl(props);
    new wafv2.CfnWebACLAssociation(this, 'WafAssociation', {
      resourceArn: this.restApi.deploymentStage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
    this.configureWafLogging(props, stack);
    this.acknowledgeFindings(props);
  }

  /** The stage's invoke URL of the inference resource. */
  get url(): string {
    return this.restApi.urlForPath(this.method.resource.path);
  }

  /**
   * IAM mode: allow execute-api:Invoke for the named roles (or the account), and deny every other
   * principal explicitly, so a role of the account whose own policy grants execute-api:* still cannot call.
   */
  private resourcePolicy(allowed: readonly string[]): iam.PolicyDocument {
    const document = new iam.PolicyDocument();
    const principals =
      allowed.length > 0 ? allowed.map((arn) => new iam.ArnPrincipal(arn)) : [new iam.AccountRootPrincipal()];
    document.addStatements(
      new iam.PolicyStatement({
        sid: 'AllowConfiguredCallers',
        principals,
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
      }),
    );
    const denied =
      allowed.length > 0
        ? { sid: 'DenyEveryoneElse', unless: { 'aws:PrincipalArn': [...allowed] } }
        : { sid: 'DenyOtherAccounts', unless: { 'aws:PrincipalAccount': Stack.of(this).account } };
    document.addStatements(
      new iam.PolicyStatement({
        sid: denied.sid,
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: { StringNotEquals: denied.unless },
      }),
    );
    return document;
  }

  /**
   * Execution logs go to `API-Gateway-Execution-Logs_<api id>/<stage>`, a group API Gateway would create
   * unencrypted and without retention; creating it first gives it the logs key and the retention. API
   * Gateway writes with the account-level role, scoped here to execution-log groups.
   */
  private configureExecutionLogging(props: ProtectedApiProps, stack: Stack): void {
    const executionLogs = new EncryptedLogGroup(this, 'ExecutionLogs', {
      encryptionKey: props.logsKey,
      retentionDays: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
      logGroupName: `API-Gateway-Execution-Logs_${this.restApi.restApiId}/${STAGE_NAME}`,
    });
    const role = new ManagedPolicyRole(this, 'CloudWatchRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway account role: writes execution and access logs of this account',
    });
    // Scoped to this API's groups: the account has one such role, and this API is the account's only one.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        resources: [executionLogs.logGroup.logGroupArn, this.accessLogGroup.logGroup.logGroupArn],
      }),
    );
    const anyLogGroup = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: [anyLogGroup] }),
    );
    acknowledgeRule(
      role.policy,
      wildcardResourceFinding(role.policy, anyLogGroup),
      'logs:DescribeLogGroups is a list action that IAM cannot scope to one log group; API Gateway calls it before writing execution logs, and it reveals group names only, never log events.',
    );
    // One setting per account and region: the role API Gateway uses for all its CloudWatch logging.
    const account = new apigw.CfnAccount(this, 'Account', { cloudWatchRoleArn: role.roleArn });
    account.node.addDependency(role.policy);
    this.restApi.deploymentStage.node.addDependency(account, executionLogs);
  }

  private addGatewayResponses(): void {
    const headers = { 'Cache-Control': "'no-store'", 'X-Content-Type-Options': "'nosniff'" };
    const responses: Array<[string, apigw.ResponseType, string, string]> = [
      // validationErrorString lists every schema violation, naming the property.
      [
        'BadBody',
        apigw.ResponseType.BAD_REQUEST_BODY,
        'InvalidRequest',
        '$context.error.validationErrorString',
      ],
      ['TooLarge', apigw.ResponseType.REQUEST_TOO_LARGE, 'PayloadTooLarge', 'request body is too large'],
      ['Throttled', apigw.ResponseType.THROTTLED, 'Throttled', 'too many requests; retry with backoff'],
      ['Waf', apigw.ResponseType.WAF_FILTERED, 'Forbidden', 'request blocked by the firewall'],
      ['Default4xx', apigw.ResponseType.DEFAULT_4XX, 'Forbidden', '$context.error.message'],
      ['Default5xx', apigw.ResponseType.DEFAULT_5XX, 'GatewayError', 'the gateway failed; retry later'],
    ];
    for (const [id, type, code, message] of responses) {
      this.restApi.addGatewayResponse(id, {
        type,
        responseHeaders: headers,
        templates: jsonError(code, message),
      });
    }
  }

  private createWebAcl(props: ProtectedApiProps): wafv2.CfnWebACL {
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const managed = (
      name: string,
      priority: number,
      ruleActionOverrides?: wafv2.CfnWebACL.RuleActionOverrideProperty[],
    ): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides } },
      visibilityConfig: visibility(name),
    });
    const rules: wafv2.CfnWebACL.RuleProperty[] = [
      {
        name: 'BodySizeLimit',
        priority: 0,
        action: { block: { customResponse: { responseCode: 413, customResponseBodyKey: 'TooLarge' } } },
        statement: {
          sizeConstraintStatement: {
            // Bodies beyond what WAF inspects count as matching, so they are blocked rather than let through.
            fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
            comparisonOperator: 'GT',
            size: props.maxBodyBytes,
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
        visibilityConfig: visibility('BodySizeLimit'),
      },
      {
        name: 'RateLimitPerClientIp',
        priority: 1,
        action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: 'RateLimited' } } },
        statement: { rateBasedStatement: { limit: props.wafRateLimitPer5Minutes, aggregateKeyType: 'IP' } },
        visibilityConfig: visibility('RateLimitPerClientIp'),
      },
      managed('AWSManagedRulesAmazonIpReputationList', 2),
      // The common set blocks bodies over 8 KB; a batch is larger, and BodySizeLimit enforces the real limit.
      managed('AWSManagedRulesCommonRuleSet', 3, [
        { name: 'SizeRestrictions_BODY', actionToUse: { count: {} } },
      ]),
      managed('AWSManagedRulesKnownBadInputsRuleSet', 4),
    ];
    if (props.blockAnonymousIps) rules.push(managed('AWSManagedRulesAnonymousIpList', 5));
    const body = (code: string, message: string) => ({
      contentType: 'APPLICATION_JSON',
      content: JSON.stringify({ error: { code, message } }),
    });
    return new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `${props.apiName}-api`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rules,
      customResponseBodies: {
        TooLarge: body('PayloadTooLarge', `request body exceeds ${props.maxBodyBytes} bytes`),
        RateLimited: body('Throttled', 'too many requests from this address; retry later'),
      },
      // Lets WAF inspect bodies up to 64 KB, so the size rule sees whole batches.
      associationConfig: { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: 'KB_64' } } },
      visibilityConfig: visibility(`${props.apiName}-api`),
    });
  }

  /**
   * WAF delivers to CloudWatch Logs as delivery.logs.amazonaws.com, which needs a resource policy on the
   * log group. WAF would otherwise write one account-wide policy itself (AWSWAF-LOGS) at deploy time; this
   * one is scoped to this group and to this account's deliveries. Encryption is done by CloudWatch Logs
   * with the logs key, whose policy already admits CloudWatch Logs for this account's log groups.
   */
  private configureWafLogging(props: ProtectedApiProps, stack: Stack): void {
    const logGroupArn = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `aws-waf-logs-${props.apiName}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const policy = new logs.CfnResourcePolicy(this, 'WafLogDelivery', {
      policyName: `${props.apiName}-waf-log-delivery`,
      policyDocument: stack.toJsonString({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'WafLogDelivery',
            Effect: 'Allow',
            Principal: { Service: 'delivery.logs.amazonaws.com' },
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: `${logGroupArn}:log-stream:*`,
            Condition: {
              StringEquals: { 'aws:SourceAccount': stack.account },
              ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*` },
            },
          },
        ],
      }),
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [logGroupArn],
      redactedFields: REDACTED_HEADERS.map((name) => ({ singleHeader: { Name: name } })),
    });
    logging.node.addDependency(policy, this.wafLogGroup);
  }

  private acknowledgeFindings(props: ProtectedApiProps): void {
    const stage = this.restApi.deploymentStage.node.defaultChild as apigw.CfnStage;
    acknowledgeRule(
      stage,
      'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted',
      'Responses are per-customer churn scores; caching them would store customer data at the edge and serve stale scores, so the stage has no cache to encrypt.',
    );
    acknowledgeRule(
      stage,
      'NIST.800.53.R5-APIGWSSLEnabled',
      'Client certificates authenticate API Gateway to HTTP backends; this API only invokes Lambda through the Lambda service with an IAM-authorised call, so there is no backend TLS endpoint to present one to.',
    );
    if (props.authorization.kind === 'iam') {
      acknowledgeRule(
        this.method,
        'AwsSolutions-COG4',
        'The method uses IAM (SigV4) authorization with a resource policy naming the allowed roles; callers are workloads with IAM roles, not end users of a Cognito user pool (jwt mode switches to a Cognito authorizer).',
      );
    }
  }
}
