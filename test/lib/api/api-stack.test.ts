import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeRequestValidatorModule } from '../../../lib/build/request-validator';
import { validateConfig } from '../../../lib/config';
import { validRecord } from '../../lambda/inference/fixtures';
import { buildTestApp, rawExampleConfig, resourcesOfType, type CfnResource } from '../../helpers/app';

type Json = Record<string, unknown>;
type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Principal?: unknown;
  Condition?: Json;
  Resource?: unknown;
};

const testApp = buildTestApp();
const dev = testApp.stage('Dev');
const prod = testApp.stage('Prod');
const devApi = Template.fromStack(dev.api);
const prodApi = Template.fromStack(prod.api);
const testApi = Template.fromStack(testApp.stage('Test').api);

function only(template: Template, type: string): CfnResource {
  const found = resourcesOfType(template, type);
  expect(found).toHaveLength(1);
  return found[0][1];
}

function props(template: Template, type: string): Json {
  return only(template, type).Properties as Json;
}

const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

function logicalIdOf(template: Template, type: string): string {
  return resourcesOfType(template, type)[0][0];
}

describe('NET-5: WAF in front of the stage', () => {
  const acl = props(devApi, 'AWS::WAFv2::WebACL');
  const rules = acl.Rules as Array<{ Name: string; Statement: Json; Action?: Json; OverrideAction?: Json }>;

  test('a regional web ACL is associated with the API stage', () => {
    expect(acl.Scope).toBe('REGIONAL');
    const association = props(devApi, 'AWS::WAFv2::WebACLAssociation');
    expect(association.WebACLArn).toEqual({
      'Fn::GetAtt': [logicalIdOf(devApi, 'AWS::WAFv2::WebACL'), 'Arn'],
    });
    const stageId = logicalIdOf(devApi, 'AWS::ApiGateway::Stage');
    expect(JSON.stringify(association.ResourceArn)).toContain(stageId);
  });

  test('AWS managed rule groups: common, known bad inputs, IP reputation', () => {
    const managed = rules
      .map((r) => r.Statement.ManagedRuleGroupStatement as { VendorName: string; Name: string } | undefined)
      .filter((m) => m !== undefined)
      .map((m) => `${m.VendorName}/${m.Name}`);
    expect(managed).toEqual(
      expect.arrayContaining([
        'AWS/AWSManagedRulesCommonRuleSet',
        'AWS/AWSManagedRulesKnownBadInputsRuleSet',
        'AWS/AWSManagedRulesAmazonIpReputationList',
      ]),
    );
    for (const r of rules.filter((x) => x.Statement.ManagedRuleGroupStatement)) {
      expect(r.OverrideAction).toEqual({ None: {} });
    }
  });

  test('a rate-based rule per client IP with the configured limit', () => {
    const rate = rules.find((r) => r.Statement.RateBasedStatement)!;
    expect(rate.Statement.RateBasedStatement).toMatchObject({ AggregateKeyType: 'IP' });
    const prodRate = (props(prodApi, 'AWS::WAFv2::WebACL').Rules as typeof rules).find(
      (r) => r.Statement.RateBasedStatement,
    )!;
    expect((prodRate.Statement.RateBasedStatement as Json).Limit).toBe(2000);
    expect(prodRate.Action).toMatchObject({ Block: { CustomResponse: { ResponseCode: 429 } } });
  });

  test('a body-size rule blocks larger (and uninspectable) bodies with 413', () => {
    const size = rules.find((r) => r.Statement.SizeConstraintStatement)!;
    expect(size.Statement.SizeConstraintStatement).toMatchObject({
      FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
      ComparisonOperator: 'GT',
      Size: 65536,
    });
    expect(size.Action).toMatchObject({ Block: { CustomResponse: { ResponseCode: 413 } } });
    expect(acl.AssociationConfig).toEqual({
      RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_64' } },
    });
  });

  test('WAF logs go to a KMS-encrypted aws-waf-logs- group, with credentials redacted', () => {
    const logging = props(devApi, 'AWS::WAFv2::LoggingConfiguration');
    expect(logging.RedactedFields).toEqual(
      expect.arrayContaining([{ SingleHeader: { Name: 'authorization' } }]),
    );
    const destination = JSON.stringify(logging.LogDestinationConfigs);
    expect(destination).toContain('log-group:aws-waf-logs-churn-dev');
    const group = resourcesOfType(devApi, 'AWS::Logs::LogGroup').find(
      ([, g]) => g.Properties!.LogGroupName === 'aws-waf-logs-churn-dev',
    )!;
    expect(group[1].Properties!.KmsKeyId).toBeDefined();
    const policy = JSON.parse(props(devApi, 'AWS::Logs::ResourcePolicy').PolicyDocument as string) as {
      Statement: Statement[];
    };
    expect(policy.Statement[0]).toMatchObject({
      Principal: { Service: 'delivery.logs.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    });
  });
});

describe('SEC-4: authorization on every method, callers limited by the resource policy', () => {
  test('every method of every environment uses IAM (SigV4) authorization', () => {
    for (const template of [devApi, testApi, prodApi]) {
      const methods = resourcesOfType(template, 'AWS::ApiGateway::Method');
      expect(methods.length).toBeGreaterThan(0);
      for (const [id, m] of methods)
        expect({ id, auth: m.Properties!.AuthorizationType }).toEqual({ id, auth: 'AWS_IAM' });
    }
  });

  test('KEY-4: the API endpoint only accepts TLS 1.2 or newer', () => {
    expect(props(prodApi, 'AWS::ApiGateway::RestApi').SecurityPolicy).toBe('TLS_1_2');
  });

  test('the resource policy allows the configured role and denies every other principal', () => {
    const statements = (props(devApi, 'AWS::ApiGateway::RestApi').Policy as { Statement: Statement[] })
      .Statement;
    const allow = statements.find((s) => s.Effect === 'Allow')!;
    expect(JSON.stringify(allow.Principal)).toContain('arn:aws:iam::111111111111:role/churn-api-client');
    const deny = statements.find((s) => s.Effect === 'Deny')!;
    expect(deny.Condition).toEqual({
      StringNotEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/churn-api-client'] },
    });
  });

  test('jwt mode puts a Cognito user pool authorizer on every method', () => {
    const raw = rawExampleConfig() as { environments: Record<string, { api: Json }> };
    raw.environments.dev.api.authorization = 'jwt';
    raw.environments.dev.api.jwt = {
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
      audience: ['client-1'],
    };
    const jwtApp = buildTestApp(validateConfig(raw as never));
    const template = Template.fromStack(jwtApp.stage('Dev').api);
    const authorizer = props(template, 'AWS::ApiGateway::Authorizer');
    expect(authorizer.Type).toBe('COGNITO_USER_POOLS');
    expect(JSON.stringify(authorizer.ProviderARNs)).toContain('userpool/eu-west-1_AbCdEf123');
    for (const [, m] of resourcesOfType(template, 'AWS::ApiGateway::Method')) {
      expect(m.Properties!.AuthorizationType).toBe('COGNITO_USER_POOLS');
      expect(m.Properties!.AuthorizerId).toBeDefined();
    }
  });
});

describe('stage logging, tracing, throttling and validation (DATA-4, SEC-4)', () => {
  const stage = props(prodApi, 'AWS::ApiGateway::Stage');

  test('X-Ray, execution logging without data tracing, encrypted access logs, throttling', () => {
    expect(stage.TracingEnabled).toBe(true);
    const settings = (stage.MethodSettings as Json[])[0];
    expect(settings).toMatchObject({
      DataTraceEnabled: false,
      LoggingLevel: 'ERROR',
      ThrottlingRateLimit: 200,
      ThrottlingBurstLimit: 400,
    });
    const destination = JSON.stringify((stage.AccessLogSetting as Json).DestinationArn);
    const [groupId, group] = resourcesOfType(prodApi, 'AWS::Logs::LogGroup').find(([id]) =>
      destination.includes(id),
    )!;
    expect({ groupId, kms: group.Properties!.KmsKeyId !== undefined }).toEqual({ groupId, kms: true });
  });

  test('no stage anywhere traces request or response data', () => {
    for (const template of [devApi, testApi, prodApi]) {
      for (const s of (props(template, 'AWS::ApiGateway::Stage').MethodSettings as Json[]) ?? []) {
        expect(s.DataTraceEnabled).toBe(false);
      }
    }
  });

  test('the execution log group is pre-created encrypted, so API Gateway never creates a plain one', () => {
    const group = resourcesOfType(prodApi, 'AWS::Logs::LogGroup').find(([, g]) =>
      JSON.stringify(g.Properties!.LogGroupName ?? '').includes('API-Gateway-Execution-Logs_'),
    )!;
    expect(group[1].Properties!.KmsKeyId).toBeDefined();
    expect(group[1].Properties!.RetentionInDays).toBeGreaterThan(0);
  });

  test('a usage plan applies the throttle to the stage', () => {
    const plan = resourcesOfType(prodApi, 'AWS::ApiGateway::UsagePlan').find(
      ([, p]) => p.Properties!.UsagePlanName === 'churn-prod-default',
    )![1].Properties!;
    expect(plan.Throttle).toEqual({ RateLimit: 200, BurstLimit: 400 });
    expect((plan.ApiStages as Json[]).length).toBe(1);
  });

  test('each configured client gets a generated API key bound to its own usage plan, and keys become required', () => {
    const keys = resourcesOfType(prodApi, 'AWS::ApiGateway::ApiKey').map(([, k]) => k.Properties!);
    expect(keys.map((k) => k.Name).sort()).toEqual([
      'churn-prod-crm-batch-scoring',
      'churn-prod-retention-dashboard',
    ]);
    for (const key of keys) expect(key.Value).toBeUndefined();
    const plans = Object.fromEntries(
      resourcesOfType(prodApi, 'AWS::ApiGateway::UsagePlan').map(([id, p]) => [
        p.Properties!.UsagePlanName,
        { id, ...p.Properties! },
      ]),
    );
    expect(plans['churn-prod-crm-batch-scoring']).toMatchObject({
      Throttle: { RateLimit: 100, BurstLimit: 200 },
      Quota: { Limit: 500000, Period: 'DAY' },
    });
    expect(plans['churn-prod-retention-dashboard']).toMatchObject({
      Throttle: { RateLimit: 20, BurstLimit: 40 },
    });
    const bindings = resourcesOfType(prodApi, 'AWS::ApiGateway::UsagePlanKey').map(([, b]) =>
      JSON.stringify(b.Properties),
    );
    expect(bindings).toHaveLength(2);
    for (const method of resourcesOfType(prodApi, 'AWS::ApiGateway::Method')) {
      if (method[1].Properties!.HttpMethod !== 'OPTIONS')
        expect(method[1].Properties!.ApiKeyRequired).toBe(true);
    }
    // Without clients (dev), no key is asked for.
    for (const method of resourcesOfType(devApi, 'AWS::ApiGateway::Method'))
      expect(method[1].Properties!.ApiKeyRequired ?? false).toBe(false);
  });

  test('the body validator and the JSON-schema model from the feature specification guard the method', () => {
    const validator = props(devApi, 'AWS::ApiGateway::RequestValidator');
    expect(validator.ValidateRequestBody).toBe(true);
    const model = props(devApi, 'AWS::ApiGateway::Model');
    const schema = model.Schema as { $schema: string; items: Json; properties: Json };
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(schema).toMatchObject({ type: ['object', 'array'], maxItems: 100 });
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['customerId', 'tenure']));
    expect(Object.keys(schema.items.properties as Json)).toEqual(Object.keys(schema.properties));
    const method = resourcesOfType(devApi, 'AWS::ApiGateway::Method')[0][1].Properties!;
    expect(method.RequestValidatorId).toBeDefined();
    expect(method.RequestModels).toHaveProperty(['application/json']);
  });
});

describe('the inference function (KEY-1, NET-1, DATA-1)', () => {
  const fn = resourcesOfType(devApi, 'AWS::Lambda::Function').find(([, f]) =>
    String(f.Properties!.Description).startsWith('Churn inference'),
  )![1].Properties!;
  const env = (fn.Environment as { Variables: Record<string, unknown> }).Variables;

  test('runs in the VPC, arm64, current Node.js, environment encrypted with the data key, reserved concurrency', () => {
    expect((fn.VpcConfig as { SubnetIds: unknown[] }).SubnetIds.length).toBeGreaterThan(0);
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Runtime).toBe('nodejs24.x');
    expect(JSON.stringify(fn.KmsKeyArn)).toContain('DataKey');
    expect(fn.ReservedConcurrentExecutions).toBeGreaterThan(0);
    expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
  });

  test('embedded mode (dev) serves the gate-resolved artifact and writes capture under the capture prefix', () => {
    expect(env.SERVING_MODE).toBe('embedded');
    // From the served-model record the gate wrote in this deployment, resolved when the stack deploys.
    const parameters = devApi.toJSON().Parameters as Record<string, { Type: string; Default: string }>;
    const recordOf = (value: unknown) => parameters[(value as { Ref: string }).Ref]!;
    expect(recordOf(env.MODEL_DATA_URL)).toEqual({
      Type: 'AWS::SSM::Parameter::Value<String>',
      Default: '/churn/dev/served-model/model-data-url',
      Description: expect.any(String),
    });
    expect(recordOf(env.MODEL_SHA256).Default).toBe('/churn/dev/served-model/artifact-sha256');
    expect(recordOf(env.MODEL_VERSION).Default).toBe('/churn/dev/served-model/version');
    expect(env.CAPTURE_PREFIX).toBe('capture/churn-dev/');
    // The customer id rule lives in the request model the function ships compiled, not in a second copy.
    expect(env.CUSTOMER_ID_PATTERN).toBeUndefined();
    // Cold-start budget: no source-map parsing at load (stacks are never logged by this function).
    expect(env.NODE_OPTIONS).toBeUndefined();
  });

  test('sagemaker mode (test) calls its endpoint, with a deadline inside the function timeout', () => {
    const testFn = resourcesOfType(testApi, 'AWS::Lambda::Function').find(([, f]) =>
      String(f.Properties!.Description).startsWith('Churn inference'),
    )![1].Properties!;
    const vars = (testFn.Environment as { Variables: Record<string, string> }).Variables;
    expect(vars.SERVING_MODE).toBe('sagemaker');
    expect(vars.ENDPOINT_NAME).toBe('churn-test');
    // REL-1: the request budget is the remaining time minus this margin, from the configuration.
    expect(Number(vars.DEADLINE_MARGIN_MS)).toBe(500);
    expect(Number(vars.DEADLINE_MARGIN_MS)).toBeLessThan((testFn.Timeout as number) * 1000);
    expect(vars).toMatchObject({
      PSEUDONYM_CACHE_SIZE: '10000',
      PSEUDONYM_CACHE_TTL_SECONDS: '3600',
      KMS_CONCURRENCY: '25',
    });
    const policies = JSON.stringify(
      resourcesOfType(testApi, 'AWS::IAM::ManagedPolicy').map(([, p]) => p.Properties),
    );
    expect(policies).toContain('sagemaker:InvokeEndpoint');
    expect(policies).toContain('endpoint/churn-test');
    // REL-2: the function writes the capture of record on this path too, to its own stream only.
    expect(vars.CAPTURE_SOURCE).toBe('churn-test');
    expect(policies).toContain('/capture/churn-test/churn-test/sagemaker/*');
  });

  test('ENV-4 the function may read exactly the served artifact, and only while a model is served', () => {
    const json = devApi.toJSON() as {
      Resources: Record<string, { Type: string; Condition?: string; Properties: Json }>;
      Conditions: Record<string, unknown>;
      Parameters: Record<string, { Default: string }>;
    };
    const reads = Object.values(json.Resources).filter(
      (r) => r.Type === 'AWS::IAM::ManagedPolicy' && JSON.stringify(r.Properties).includes('s3:GetObject'),
    );
    // The function's own grant (the embedded served-answer check has its own, tested with MODEL-6).
    const artifactRead = reads.filter(
      (r) =>
        JSON.stringify(r.Properties).includes('artifactobjectarn') &&
        JSON.stringify(r.Properties.Roles).includes('InferenceHandlerRole'),
    );
    expect(artifactRead).toHaveLength(1);
    const [policy] = artifactRead;
    const [statement] = (policy!.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(json.Parameters[(statement!.Resource as { Ref: string }).Ref]!.Default).toBe(
      '/churn/dev/served-model/artifact-object-arn',
    );
    expect(JSON.stringify(json.Conditions[policy!.Condition!])).toContain('"none"');
  });

  test('the pseudonymisation key is an HMAC key only the function may use, for GenerateMac only', () => {
    const key = resourcesOfType(devApi, 'AWS::KMS::Key')[0][1].Properties!;
    expect(key.KeySpec).toBe('HMAC_256');
    expect(key.KeyUsage).toBe('GENERATE_VERIFY_MAC');
    const statements = (key.KeyPolicy as { Statement: Statement[] }).Statement;
    const use = statements.filter((s) =>
      asArray(s.Action).some(
        (a) =>
          !/^kms:(Create|Describe|Enable|List|Put|Update|Revoke|Disable|Get|Delete|TagResource|UntagResource|ScheduleKeyDeletion|CancelKeyDeletion|RotateKeyOnDemand)/.test(
            a,
          ),
      ),
    );
    expect(use).toHaveLength(1);
    expect(use[0].Action).toBe('kms:GenerateMac');
    expect(JSON.stringify(use[0].Principal)).toContain('InferenceHandlerRole');
  });
});

describe('what differs between environments is configuration, not the environment name', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spec-'));
  const specFile = path.join(dir, 'feature-spec.json');
  const spec = JSON.parse(readFileSync('models/sample-churn/feature-spec.json', 'utf8'));
  spec.fields = spec.fields.filter((f: { name: string }) => f.name !== 'gender');
  writeFileSync(specFile, JSON.stringify(spec));
  const raw = rawExampleConfig() as { environments: Record<string, { serving: Json; api: Json }> };
  raw.environments.dev.serving.featureSpecFile = specFile;
  raw.environments.dev.api.executionLogLevel = 'ERROR';
  raw.environments.prod.api.executionLogLevel = 'INFO';
  const variant = buildTestApp(validateConfig(raw));

  test('the request model comes from the configured serving.featureSpecFile of that environment', () => {
    const changed = props(Template.fromStack(variant.stage('Dev').api), 'AWS::ApiGateway::Model');
    expect(Object.keys((changed.Schema as { properties: Json }).properties)).not.toContain('gender');
    const unchanged = props(Template.fromStack(variant.stage('Test').api), 'AWS::ApiGateway::Model');
    expect(Object.keys((unchanged.Schema as { properties: Json }).properties)).toContain('gender');
  });

  test('the execution log level is api.executionLogLevel (prod defaults to ERROR, others to INFO)', () => {
    const level = (app: typeof variant, stage: string) =>
      (props(Template.fromStack(app.stage(stage).api), 'AWS::ApiGateway::Stage').MethodSettings as Json[])[0]
        .LoggingLevel;
    expect([level(testApp, 'Dev'), level(testApp, 'Prod')]).toEqual(['INFO', 'ERROR']);
    expect([level(variant, 'Dev'), level(variant, 'Prod')]).toEqual(['ERROR', 'INFO']);
  });

  test('a feature specification that cannot be read is refused at synth, naming the setting', () => {
    const broken = rawExampleConfig() as { environments: Record<string, { serving: Json }> };
    broken.environments.dev.serving.featureSpecFile = path.join(dir, 'missing.json');
    expect(() => buildTestApp(validateConfig(broken))).toThrow(
      /serving\.featureSpecFile .*missing\.json cannot be read/,
    );
  });
});

describe('the inference handler starts with the environment its stack sets', () => {
  type LoadedHandler = {
    handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
  };
  /** Deploy-time values (references, joins) as the strings Lambda would receive. */
  const atDeploy = (variables: Record<string, unknown>): Record<string, string> =>
    Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [
        name,
        typeof value === 'string' ? value : name === 'MODEL_DATA_URL' ? 's3://bucket/model.json' : 'resolved',
      ]),
    );
  const featureSpec = path.join(__dirname, '..', '..', '..', 'models', 'sample-churn', 'feature-spec.json');

  test.each([
    ['Dev (embedded)', devApi],
    ['Test (sagemaker)', testApi],
  ])(
    '%s: the cold start finds every variable it needs in what the construct renders, and answers',
    async (_, template) => {
      const fn = resourcesOfType(template, 'AWS::Lambda::Function').find(([, f]) =>
        String(f.Properties!.Description).startsWith('Churn inference'),
      )![1].Properties!;
      const variables = atDeploy((fn.Environment as { Variables: Record<string, unknown> }).Variables);
      const saved = process.env;
      process.env = {
        ...variables,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_SECRET_ACCESS_KEY: 'test',
        // Nothing listens here: every AWS call is refused at once.
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        FEATURE_SPEC_PATH: featureSpec,
        REQUEST_VALIDATOR_PATH: writeRequestValidatorModule({ type: 'object' }),
      };
      try {
        let loaded: LoadedHandler | undefined;
        jest.isolateModules(() => {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          loaded = require('../../../lambda/inference/handler') as LoadedHandler;
        });
        const answer = await loaded!.handler(
          {
            body: JSON.stringify(validRecord()),
            isBase64Encoded: false,
            headers: { 'Content-Type': 'application/json' },
            requestContext: { requestId: 'r' },
          },
          { awsRequestId: 'a', getRemainingTimeInMillis: () => 10_000 },
        );
        // Every variable was found (a missing one throws at import, naming it); the answer is the refused
        // KMS call's, an error of a dependency, not of the function.
        expect(answer.statusCode).toBe(502);
        expect(JSON.parse(answer.body)).toMatchObject({
          error: { code: 'ScoringFailed', message: expect.stringContaining('pseudonymisation') },
        });
      } finally {
        process.env = saved;
      }
    },
  );
});

describe('MODEL-6: served-answer check of the inference function (embedded mode)', () => {
  const resources = devApi.toJSON().Resources as Record<string, CfnResource & { DependsOn?: string[] }>;
  const parameters = devApi.toJSON().Parameters as Record<string, { Default: string }>;
  const [checkId, check] = resourcesOfType(devApi, 'Custom::ServedFunctionAnswerCheck')[0] ?? [];
  const checkProps = () => check.Properties as Record<string, { Ref?: string; 'Fn::GetAtt'?: string[] }>;
  const [functionId] = resourcesOfType(devApi, 'AWS::Lambda::Function').find(([id]) =>
    id.startsWith('InferenceHandlerFunction'),
  )!;

  test('MODEL-6 the check depends on and targets the version just published of the inference function', () => {
    expect(checkId).toBeDefined();
    const versionId = checkProps().FunctionArn.Ref!;
    const version = resources[versionId];
    expect(version.Type).toBe('AWS::Lambda::Version');
    expect((version.Properties as { FunctionName: unknown }).FunctionName).toEqual({ Ref: functionId });
    expect(asArray((check as { DependsOn?: string[] }).DependsOn ?? [])).toContain(versionId);
    // CDK names the version after a hash of the function's code and configuration: new code, new version,
    // new FunctionArn, so the check runs again.
    expect(versionId).toMatch(/^InferenceHandlerFunctionCurrentVersion[0-9A-F]{8}[0-9a-f]{32}$/);
  });

  test('MODEL-6 the check runs again when the served model changes: the version names the model, and so does the check', () => {
    const version = resources[checkProps().FunctionArn.Ref!];
    const description = JSON.stringify((version.Properties as { Description: unknown }).Description);
    const param = (name: string) =>
      Object.keys(parameters).find((p) => parameters[p].Default === `/churn/dev/served-model/${name}`)!;
    // A Version's Description cannot change in place: a new model version or digest publishes a new version.
    expect(description).toContain(`{"Ref":"${param('version')}"}`);
    expect(description).toContain(`{"Ref":"${param('artifact-sha256')}"}`);
    expect(checkProps().ModelVersion).toEqual({ Ref: param('version') });
    expect(checkProps().ModelDataUrl).toEqual({ Ref: param('model-data-url') });
    expect(checkProps().ArtifactSha256).toEqual({ Ref: param('artifact-sha256') });
    expect((version as { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
  });

  test('MODEL-6 the check may invoke exactly that version, read exactly the served artifact and its provenance, decrypt only through S3, and exists only while a model is served', () => {
    const [, policy] = resourcesOfType(devApi, 'AWS::IAM::ManagedPolicy').find(([id]) =>
      id.startsWith('AnswerCheckCheckPermissions'),
    )!;
    const statements = (policy.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument
      .Statement;
    expect(statements.map((s) => [s.Sid, s.Action])).toEqual([
      ['InvokeTheVersionJustPublished', 'lambda:InvokeFunction'],
      ['ReadTheServedArtifactAndItsProvenance', 's3:GetObject'],
      ['DecryptThemThroughS3', 'kms:Decrypt'],
    ]);
    expect(statements[0].Resource).toEqual({ Ref: checkProps().FunctionArn.Ref });
    const artifact = Object.keys(parameters).find(
      (p) => parameters[p].Default === '/churn/dev/served-model/artifact-object-arn',
    );
    expect(statements[1].Resource).toEqual(
      expect.arrayContaining([
        { Ref: artifact },
        { 'Fn::Join': ['', [{ Ref: artifact }, '.provenance.json']] },
      ]),
    );
    expect(statements[2].Condition).toEqual({
      StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
    });
    expect(JSON.stringify(statements)).not.toContain('*');
    expect(policy.Condition).toBeDefined();
    expect(check.Condition).toBe(policy.Condition);
    expect(asArray((check as { DependsOn?: string[] }).DependsOn ?? [])).toContain(
      resourcesOfType(devApi, 'AWS::IAM::ManagedPolicy').find(([id]) =>
        id.startsWith('AnswerCheckCheckPermissions'),
      )![0],
    );
  });

  test('MODEL-6 the check answers CloudFormation through the Provider framework', () => {
    const token = (check.Properties as { ServiceToken: { 'Fn::GetAtt': string[] } }).ServiceToken;
    const framework = resources[token['Fn::GetAtt'][0]];
    expect((framework.Properties as { Description?: string }).Description).toMatch(
      /AWS CDK resource provider framework - onEvent/,
    );
  });

  test('sagemaker-mode environments check the endpoint instead; every environment records the function ARN for model verify', () => {
    expect(resourcesOfType(prodApi, 'Custom::ServedFunctionAnswerCheck')).toHaveLength(0);
    expect(resourcesOfType(testApi, 'Custom::ServedFunctionAnswerCheck')).toHaveLength(0);
    for (const [template, env] of [
      [devApi, 'dev'],
      [prodApi, 'prod'],
    ] as const) {
      const parameter = resourcesOfType(template, 'AWS::SSM::Parameter').find(
        ([, p]) => (p.Properties as { Name?: string }).Name === `/churn/${env}/inference/function-arn`,
      );
      expect(parameter).toBeDefined();
      // verify invokes what the API invokes: the live alias, not $LATEST.
      expect((parameter![1].Properties as { Value: unknown }).Value).toEqual({
        Ref: logicalIdOf(template, 'AWS::Lambda::Alias'),
      });
    }
  });

  test('MODEL-6 callers reach a new version only after it passed the check: the API invokes the live alias, which follows the version the check passed', () => {
    const [aliasId, alias] = resourcesOfType(devApi, 'AWS::Lambda::Alias')[0];
    const aliasProps = alias.Properties as { Name: string; FunctionName: unknown; FunctionVersion: unknown };
    expect(aliasProps.Name).toBe('live');
    expect(aliasProps.FunctionName).toEqual({ Ref: functionId });
    // Nothing served (no check exists): the version just published, which answers NoModelDeployed.
    expect(aliasProps.FunctionVersion).toEqual({
      'Fn::If': [
        check.Condition,
        { 'Fn::GetAtt': [checkId, 'Version'] },
        { 'Fn::GetAtt': [checkProps().FunctionArn.Ref, 'Version'] },
      ],
    });
    const [, method] = resourcesOfType(devApi, 'AWS::ApiGateway::Method')[0];
    const uri = JSON.stringify((method.Properties as { Integration: { Uri: unknown } }).Integration.Uri);
    expect(uri).toContain(`{"Ref":"${aliasId}"}`);
    expect(uri).not.toContain(functionId);
    const apiGatewayPermissions = resourcesOfType(devApi, 'AWS::Lambda::Permission').filter(
      ([, p]) => (p.Properties as { Principal: string }).Principal === 'apigateway.amazonaws.com',
    );
    expect(apiGatewayPermissions.length).toBeGreaterThan(0);
    for (const [, permission] of apiGatewayPermissions) {
      expect((permission.Properties as { FunctionName: unknown }).FunctionName).toEqual({ Ref: aliasId });
    }
  });

  test('sagemaker mode: the API invokes the live alias on the version just published (the endpoint stack checks the endpoint)', () => {
    const [, alias] = resourcesOfType(prodApi, 'AWS::Lambda::Alias')[0];
    const version = (alias.Properties as { FunctionVersion: { 'Fn::GetAtt': string[] } }).FunctionVersion;
    expect(version['Fn::GetAtt'][1]).toBe('Version');
    expect(prodApi.toJSON().Resources[version['Fn::GetAtt'][0]].Type).toBe('AWS::Lambda::Version');
  });
});
