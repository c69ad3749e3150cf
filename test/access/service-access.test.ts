import { resourceNames, stageName } from '../../lib/config';
import {
  asRole,
  asService,
  decide,
  EnvironmentPolicies,
  namedPrincipals,
  overS3,
  throughService,
  type AccessRequest,
  type Decision,
  type PolicyDocument,
} from '../helpers/access';
import { buildTestApp, exampleConfig } from '../helpers/app';
import { CfnEnvironment } from '../helpers/cfn-environment';

/**
 * The calls AWS documents for each integration the stacks rely on, evaluated by a real IAM policy simulator
 * against the synthesized key, bucket, topic, VPC endpoint and identity policies, with the request context
 * the calling service sends. One row per call, one test per row and environment; negative rows prove what
 * must stay denied. A row returns undefined where its resource does not exist in an environment (no
 * SageMaker endpoint in dev). The last test fails when a principal named in any key, bucket or topic
 * policy has no allowed row: a new integration cannot arrive without its proof.
 */

const config = exampleConfig();
const testApp = buildTestApp(config);
const environments = new Map(
  config.environments.map((env) => [
    env.name,
    new EnvironmentPolicies(new CfnEnvironment(testApp.stage(stageName(env.name)))),
  ]),
);

interface Row {
  /** What the row proves, with the control id where one applies. */
  readonly call: string;
  readonly expected: Decision;
  readonly request: (p: EnvironmentPolicies, c: RowContext) => AccessRequest | undefined;
}

interface RowContext {
  readonly account: string;
  readonly region: string;
  readonly project: string;
  readonly env: string;
  readonly names: ReturnType<typeof resourceNames>;
  /** `serving.mode`: where the inference function writes its capture stream. */
  readonly servingMode: string;
  /** The configured model-publishing role (trustedRoleArns[0]). */
  readonly publisher: string;
  readonly cdkQualifier: string;
}

const OTHER_ACCOUNT = '999999999999';

/**
 * Identity policies of principals the templates do not define, as AWS or the CDK bootstrap define them.
 * The CloudFormation execution role carries AdministratorAccess (the bootstrap default); the Macie
 * service-linked role's AWS managed policy (AmazonMacieServiceRolePolicy) lets it read objects; the
 * publishing role is the operator's, granted what `npm run model -- publish` calls.
 */
const ADMINISTRATOR: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const MACIE_SLR_READS_OBJECTS: PolicyDocument = {
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' }],
};
const PUBLISHER_POLICY: PolicyDocument = {
  Statement: [
    { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:ListBucket'], Resource: '*' },
    { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*' },
  ],
};

const trailArn = (c: RowContext, account = c.account) =>
  `arn:aws:cloudtrail:${c.region}:${account}:trail/${c.names.trail}`;
const logGroupArn = (c: RowContext, account = c.account) =>
  `arn:aws:logs:${c.region}:${account}:log-group:/aws/lambda/${c.project}-${c.env}-inference`;
const alarmArn = (c: RowContext, account = c.account) =>
  `arn:aws:cloudwatch:${c.region}:${account}:alarm:${c.project}-${c.env}-api-5xx`;
const ruleArn = (c: RowContext, account = c.account) =>
  `arn:aws:events:${c.region}:${account}:rule/${c.project}-${c.env}-macie-findings`;
const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
const macieSlr = (account: string) =>
  `arn:aws:iam::${account}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`;
const cfnExecRole = (c: RowContext) =>
  `arn:aws:iam::${c.account}:role/cdk-${c.cdkQualifier}-cfn-exec-role-${c.account}-${c.region}`;
const logsKey = (p: EnvironmentPolicies, c: RowContext) => p.key(`${c.project}/${c.env}/logs`);
const dataKey = (p: EnvironmentPolicies, c: RowContext) => p.key(`${c.project}/${c.env}/data`);
const modelKey = (p: EnvironmentPolicies, c: RowContext) => p.key(`${c.project}/${c.env}/model`);
const ALERTS = 'Audit/Alerts/Topic/Resource';

/** A role of this environment calling S3 on a bucket: its own policies, the bucket's, the endpoint's. */
function roleToBucket(
  p: EnvironmentPolicies,
  rolePath: string,
  action: string,
  bucket: string,
  key: string | undefined,
): AccessRequest {
  const role = p.role(rolePath);
  const gateway = p.endpointPolicy('s3');
  return {
    principal: role.arn,
    action,
    resource: key === undefined ? `arn:aws:s3:::${bucket}` : objectArn(bucket, key),
    identityPolicies: role.policies,
    resourcePolicy: p.bucketPolicy(bucket),
    endpointPolicies: [gateway.policy],
    context: overS3(asRole(role.arn, { 'aws:SourceVpce': gateway.id })),
  };
}

/** A role of this environment whose S3 request makes S3 call KMS on its behalf for the bucket's key. */
function roleToKeyThroughS3(
  roleArn: string,
  identityPolicies: readonly PolicyDocument[],
  key: { arn: string; policy: PolicyDocument },
  action: string,
  region: string,
): AccessRequest {
  return {
    principal: roleArn,
    action,
    resource: key.arn,
    identityPolicies,
    resourcePolicy: key.policy,
    context: throughService(roleArn, 's3', region),
  };
}

/** A Lambda role calling a service through the service's interface endpoint in the VPC. */
function roleThroughEndpoint(
  p: EnvironmentPolicies,
  rolePath: string,
  endpointService: string,
  action: string,
  resource: string,
  resourcePolicy?: PolicyDocument,
): AccessRequest {
  const role = p.role(rolePath);
  const endpoint = p.endpointPolicy(endpointService);
  return {
    principal: role.arn,
    action,
    resource,
    identityPolicies: role.policies,
    resourcePolicy,
    endpointPolicies: [endpoint.policy],
    context: asRole(role.arn, { 'aws:SourceVpce': endpoint.id }),
  };
}

/** The model gate's framework function calling the Lambda API for its handler, from inside the VPC. */
function frameworkLambdaCall(p: EnvironmentPolicies, action: string): AccessRequest {
  const handler = p.env.byPath('Serving/Gate/Provider/Handler/Function/Resource');
  return roleThroughEndpoint(
    p,
    'Serving/Gate/Provider/FrameworkRole/Resource',
    'lambda',
    action,
    String(p.env.resolve({ 'Fn::GetAtt': [handler.logicalId, 'Arn'] }, handler.stack)),
  );
}

/** The embedded served-answer check exists where the function scores itself (serving.mode = embedded). */
const FUNCTION_CHECK_ROLE = 'Api/AnswerCheck/Provider/Handler/Role/Resource';
function withFunctionCheck<T>(p: EnvironmentPolicies, build: (versionArn: string) => T): T | undefined {
  try {
    p.env.byPath(FUNCTION_CHECK_ROLE);
  } catch {
    return undefined;
  }
  const version = p.env.byPath('Api/Inference/Handler/Function/CurrentVersion/Resource');
  return build(String(p.env.resolve({ Ref: version.logicalId }, version.stack)));
}

function checkInvokes(p: EnvironmentPolicies, functionArn: string): AccessRequest {
  return roleThroughEndpoint(p, FUNCTION_CHECK_ROLE, 'lambda', 'lambda:InvokeFunction', functionArn);
}

/** The Endpoint stack exists only where SageMaker serves the model. */
function withEndpoint<T>(p: EnvironmentPolicies, build: () => T): T | undefined {
  return p.env.stacks.some((s) => s.id === 'Endpoint') ? build() : undefined;
}

/** The automatic rollback exists where a SageMaker endpoint does and auto-rollback is on. */
const ROLLBACK_ROLE = 'Monitoring/Rollback/Function/Role/Resource';
function withRollback<T>(p: EnvironmentPolicies, build: () => T): T | undefined {
  try {
    p.env.byPath(ROLLBACK_ROLE);
  } catch {
    return undefined;
  }
  return build();
}

const MODEL_OBJECT = 'models/churn/sha256-0f3c/model.tar.gz';

export const ROWS: readonly Row[] = [
  // --- CloudTrail (AUD-1): key and trail bucket, as the CloudTrail guide documents them.
  {
    call: 'AUD-1 CloudTrail describes the logs key when the trail is created (no encryption context)',
    expected: 'Allowed',
    request: (p, c) => ({
      principal: 'cloudtrail.amazonaws.com',
      action: 'kms:DescribeKey',
      resource: logsKey(p, c).arn,
      resourcePolicy: logsKey(p, c).policy,
      context: asService('cloudtrail.amazonaws.com', { account: c.account, arn: trailArn(c) }),
    }),
  },
  {
    call: "AUD-1 CloudTrail generates a data key for a log file with the trail's encryption context",
    expected: 'Allowed',
    request: (p, c) => ({
      principal: 'cloudtrail.amazonaws.com',
      action: 'kms:GenerateDataKey',
      resource: logsKey(p, c).arn,
      resourcePolicy: logsKey(p, c).policy,
      context: asService(
        'cloudtrail.amazonaws.com',
        { account: c.account, arn: trailArn(c) },
        {
          'kms:EncryptionContext:aws:cloudtrail:arn': trailArn(c),
          'kms:EncryptionContextKeys': ['aws:cloudtrail:arn', 'aws:s3:arn'],
        },
      ),
    }),
  },
  {
    call: "negative: another account's trail cannot describe or use the logs key (confused deputy)",
    expected: 'ImplicitlyDenied',
    request: (p, c) => ({
      principal: 'cloudtrail.amazonaws.com',
      action: 'kms:DescribeKey',
      resource: logsKey(p, c).arn,
      resourcePolicy: logsKey(p, c).policy,
      context: asService('cloudtrail.amazonaws.com', {
        account: OTHER_ACCOUNT,
        arn: trailArn(c, OTHER_ACCOUNT),
      }),
    }),
  },
  {
    call: "AUD-1 CloudTrail checks the trail bucket's ACL before delivering",
    expected: 'Allowed',
    request: (p, c) => ({
      principal: 'cloudtrail.amazonaws.com',
      action: 's3:GetBucketAcl',
      resource: `arn:aws:s3:::${c.names.buckets.trail}`,
      resourcePolicy: p.bucketPolicy(c.names.buckets.trail),
      context: overS3(asService('cloudtrail.amazonaws.com', { account: c.account, arn: trailArn(c) })),
    }),
  },
  {
    call: 'AUD-1 CloudTrail writes a log file under AWSLogs/<account>/ with bucket-owner-full-control',
    expected: 'Allowed',
    request: (p, c) => ({
      principal: 'cloudtrail.amazonaws.com',
      action: 's3:PutObject',
      resource: objectArn(
        c.names.buckets.trail,
        `AWSLogs/${c.account}/CloudTrail/${c.region}/2026/12/01/${c.account}_CloudTrail_${c.region}_x.json.gz`,
      ),
      resourcePolicy: p.bucketPolicy(c.names.buckets.trail),
      context: overS3(
        asService(
          'cloudtrail.amazonaws.com',
          { account: c.account, arn: trailArn(c) },
          { 's3:x-amz-acl': 'bucket-owner-full-control' },
        ),
      ),
    }),
  },
  {
    call: "negative: another account's trail cannot write into the trail bucket",
    expected: 'ImplicitlyDenied',
    request: (p, c) => ({
      principal: 'cloudtrail.amazonaws.com',
      action: 's3:PutObject',
      resource: objectArn(c.names.buckets.trail, `AWSLogs/${OTHER_ACCOUNT}/CloudTrail/${c.region}/x.json.gz`),
      resourcePolicy: p.bucketPolicy(c.names.buckets.trail),
      context: overS3(
        asService(
          'cloudtrail.amazonaws.com',
          { account: OTHER_ACCOUNT, arn: trailArn(c, OTHER_ACCOUNT) },
          { 's3:x-amz-acl': 'bucket-owner-full-control' },
        ),
      ),
    }),
  },

  // --- CloudWatch Logs (KEY-1): the service encrypts each log group under its own encryption context.
  {
    call: 'KEY-1 CloudWatch Logs generates a data key for a log group of this account',
    expected: 'Allowed',
    request: (p, c) => ({
      principal: `logs.${c.region}.amazonaws.com`,
      action: 'kms:GenerateDataKey',
      resource: logsKey(p, c).arn,
      resourcePolicy: logsKey(p, c).policy,
      context: asService(`logs.${c.region}.amazonaws.com`, undefined, {
        'kms:EncryptionContext:aws:logs:arn': logGroupArn(c),
      }),
    }),
  },
  {
    call: 'KEY-1 CloudWatch Logs decrypts a log group of this account',
    expected: 'Allowed',
    request: (p, c) => ({
      principal: `logs.${c.region}.amazonaws.com`,
      action: 'kms:Decrypt',
      resource: logsKey(p, c).arn,
      resourcePolicy: logsKey(p, c).policy,
      context: asService(`logs.${c.region}.amazonaws.com`, undefined, {
        'kms:EncryptionContext:aws:logs:arn': logGroupArn(c),
      }),
    }),
  },
  {
    call: "negative: CloudWatch Logs cannot use the logs key for another account's log group",
    expected: 'ImplicitlyDenied',
    request: (p, c) => ({
      principal: `logs.${c.region}.amazonaws.com`,
      action: 'kms:GenerateDataKey',
      resource: logsKey(p, c).arn,
      resourcePolicy: logsKey(p, c).policy,
      context: asService(`logs.${c.region}.amazonaws.com`, undefined, {
        'kms:EncryptionContext:aws:logs:arn': logGroupArn(c, OTHER_ACCOUNT),
      }),
    }),
  },
  {
    call: 'ENV-4 CloudFormation creates an encrypted log group: Logs describes the key with the deployer credentials',
    expected: 'Allowed',
    request: (p, c) => ({
      principal: cfnExecRole(c),
      action: 'kms:DescribeKey',
      resource: logsKey(p, c).arn,
      identityPolicies: [ADMINISTRATOR],
      resourcePolicy: logsKey(p, c).policy,
      context: throughService(cfnExecRole(c), 'logs', c.region),
    }),
  },

  // --- Alerts (MON-3): alarms and EventBridge rules publish to the CMK-encrypted topic.
  {
    call: 'MON-3 a CloudWatch alarm of this account publishes to the alert topic',
    expected: 'Allowed',
    request: (p, c) => ({
      principal: 'cloudwatch.amazonaws.com',
      action: 'sns:Publish',
      resource: p.topic(ALERTS).arn,
      resourcePolicy: p.topic(ALERTS).policy,
      context: asService('cloudwatch.amazonaws.com', { account: c.account, arn: alarmArn(c) }),
    }),
  },
  {
    call: "MON-3 SNS encrypts the alarm's message with the topic key as CloudWatch (GenerateDataKey)",
    expected: 'Allowed',
    request: (p, c) => ({
      principal: 'cloudwatch.amazonaws.com',
      action: 'kms:GenerateDataKey',
      resource: p.topic(ALERTS).keyArn,
      resourcePolicy: p.keyByArn(p.topic(ALERTS).keyArn),
      context: asService(
        'cloudwatch.amazonaws.com',
        { account: c.account, arn: alarmArn(c) },
        { 'kms:EncryptionContext:aws:sns:topicArn': p.topic(ALERTS).arn },
      ),
    }),
  },
  {
    call: 'MON-3 an EventBridge rule of this account publishes to the alert topic',
    expected: 'Allowed',
    request: (p, c) => ({
      principal: 'events.amazonaws.com',
      action: 'sns:Publish',
      resource: p.topic(ALERTS).arn,
      resourcePolicy: p.topic(ALERTS).policy,
      context: asService('events.amazonaws.com', { account: c.account, arn: ruleArn(c) }),
    }),
  },
  {
    // The KMS request SNS makes for an EventBridge delivery carries no aws:SourceAccount, aws:SourceArn or
    // aws:SourceOrgID, only SNS's encryption context (the topic ARN): a key statement conditioned on the
    // source keys drops every event silently.
    call: "MON-3 SNS encrypts an EventBridge rule's message with the topic key (no source keys in that KMS call)",
    expected: 'Allowed',
    request: (p) => ({
      principal: 'events.amazonaws.com',
      action: 'kms:GenerateDataKey',
      resource: p.topic(ALERTS).keyArn,
      resourcePolicy: p.keyByArn(p.topic(ALERTS).keyArn),
      context: asService('events.amazonaws.com', undefined, {
        'kms:EncryptionContext:aws:sns:topicArn': p.topic(ALERTS).arn,
      }),
    }),
  },
  {
    call: "negative: the logs key does not encrypt messages of another account's topic",
    expected: 'ImplicitlyDenied',
    request: (p, c) => ({
      principal: 'events.amazonaws.com',
      action: 'kms:GenerateDataKey',
      resource: p.topic(ALERTS).keyArn,
      resourcePolicy: p.keyByArn(p.topic(ALERTS).keyArn),
      context: asService('events.amazonaws.com', undefined, {
        'kms:EncryptionContext:aws:sns:topicArn': `arn:aws:sns:${c.region}:${OTHER_ACCOUNT}:borrowed`,
      }),
    }),
  },
  {
    call: "negative: another account's alarm cannot publish to the alert topic",
    expected: 'ImplicitlyDenied',
    request: (p) => ({
      principal: 'cloudwatch.amazonaws.com',
      action: 'sns:Publish',
      resource: p.topic(ALERTS).arn,
      resourcePolicy: p.topic(ALERTS).policy,
      context: asService('cloudwatch.amazonaws.com', {
        account: OTHER_ACCOUNT,
        arn: `arn:aws:cloudwatch:eu-west-1:${OTHER_ACCOUNT}:alarm:x`,
      }),
    }),
  },
  {
    call: "negative: another account's EventBridge rule cannot publish to the alert topic",
    expected: 'ImplicitlyDenied',
    request: (p) => ({
      principal: 'events.amazonaws.com',
      action: 'sns:Publish',
      resource: p.topic(ALERTS).arn,
      resourcePolicy: p.topic(ALERTS).policy,
      context: asService('events.amazonaws.com', {
        account: OTHER_ACCOUNT,
        arn: `arn:aws:events:eu-west-1:${OTHER_ACCOUNT}:rule/x`,
      }),
    }),
  },

  // --- S3 server access logging (NET-6 buckets log to the access-log bucket).
  ...(['model', 'data', 'trail'] as const).map((source): Row => ({
    call: `AUD-1 S3 server access logging delivers the ${source} bucket's logs`,
    expected: 'Allowed',
    request: (p, c) => ({
      principal: 'logging.s3.amazonaws.com',
      action: 's3:PutObject',
      resource: objectArn(
        c.names.buckets.accessLogs,
        `${c.names.buckets[source]}/2026-12-01-00-00-00-0123456789ABCDEF`,
      ),
      resourcePolicy: p.bucketPolicy(c.names.buckets.accessLogs),
      context: overS3(
        asService('logging.s3.amazonaws.com', {
          account: c.account,
          arn: `arn:aws:s3:::${c.names.buckets[source]}`,
        }),
      ),
    }),
  })),
  ...(['model', 'data', 'trail'] as const).map((source): Row => ({
    call: `negative: another account's bucket cannot deliver its logs under the ${source} bucket's prefix`,
    expected: 'ImplicitlyDenied',
    request: (p, c) => ({
      principal: 'logging.s3.amazonaws.com',
      action: 's3:PutObject',
      resource: objectArn(c.names.buckets.accessLogs, `${c.names.buckets[source]}/2026-12-01-00-00-00-X`),
      resourcePolicy: p.bucketPolicy(c.names.buckets.accessLogs),
      context: overS3(
        asService('logging.s3.amazonaws.com', { account: OTHER_ACCOUNT, arn: 'arn:aws:s3:::someone-else' }),
      ),
    }),
  })),

  // --- Macie (DATA-2): its service-linked role reads the data bucket from Macie's fleet.
  {
    call: "DATA-2 Macie's service-linked role reads an object of the data bucket (outside the VPC, exempt)",
    expected: 'Allowed',
    request: (p, c) => ({
      principal: macieSlr(c.account),
      action: 's3:GetObject',
      resource: objectArn(c.names.buckets.data, 'customer-data/2026/12/01/batch.csv'),
      identityPolicies: [MACIE_SLR_READS_OBJECTS],
      resourcePolicy: p.bucketPolicy(c.names.buckets.data),
      context: overS3(asRole(macieSlr(c.account))),
    }),
  },
  {
    call: "DATA-2 S3 decrypts that object with the data key for Macie's service-linked role",
    expected: 'Allowed',
    request: (p, c) =>
      roleToKeyThroughS3(
        macieSlr(c.account),
        [MACIE_SLR_READS_OBJECTS],
        dataKey(p, c),
        'kms:Decrypt',
        c.region,
      ),
  },
  {
    call: "negative: Macie's service-linked role cannot decrypt the model key",
    expected: 'ImplicitlyDenied',
    request: (p, c) =>
      roleToKeyThroughS3(
        macieSlr(c.account),
        [MACIE_SLR_READS_OBJECTS],
        modelKey(p, c),
        'kms:Decrypt',
        c.region,
      ),
  },
  {
    call: "negative: another account's Macie role cannot decrypt the data key",
    expected: 'ImplicitlyDenied',
    request: (p, c) =>
      roleToKeyThroughS3(
        macieSlr(OTHER_ACCOUNT),
        [MACIE_SLR_READS_OBJECTS],
        dataKey(p, c),
        'kms:Decrypt',
        c.region,
      ),
  },

  // --- Model publishing (MODEL-1, MODEL-2): the operator's role, from outside the VPC (CI).
  {
    call: 'MODEL-1 the publishing role uploads an artifact from outside the VPC without MFA',
    expected: 'Allowed',
    request: (p, c) => ({
      principal: c.publisher,
      action: 's3:PutObject',
      resource: objectArn(c.names.buckets.model, MODEL_OBJECT),
      identityPolicies: [PUBLISHER_POLICY],
      resourcePolicy: p.bucketPolicy(c.names.buckets.model),
      context: overS3(asRole(c.publisher)),
    }),
  },
  {
    call: 'MODEL-1 S3 generates the data key for that upload with the model key',
    expected: 'Allowed',
    request: (p, c) =>
      roleToKeyThroughS3(c.publisher, [PUBLISHER_POLICY], modelKey(p, c), 'kms:GenerateDataKey', c.region),
  },
  {
    call: 'negative: MODEL-1 deleting an artifact version without MFA is denied, even to the publisher',
    expected: 'ExplicitlyDenied',
    request: (p, c) => ({
      principal: c.publisher,
      action: 's3:DeleteObjectVersion',
      resource: objectArn(c.names.buckets.model, MODEL_OBJECT),
      identityPolicies: [ADMINISTRATOR],
      resourcePolicy: p.bucketPolicy(c.names.buckets.model),
      context: overS3(asRole(c.publisher, { 'aws:MultiFactorAuthPresent': 'false' })),
    }),
  },
  {
    call: 'negative: MODEL-1 a deploy cannot change the model bucket policy without MFA (README: a person with MFA)',
    expected: 'ExplicitlyDenied',
    request: (p, c) => ({
      principal: cfnExecRole(c),
      action: 's3:PutBucketPolicy',
      resource: `arn:aws:s3:::${c.names.buckets.model}`,
      identityPolicies: [ADMINISTRATOR],
      resourcePolicy: p.bucketPolicy(c.names.buckets.model),
      context: overS3(asRole(cfnExecRole(c))),
    }),
  },
  {
    call: "ENV-4 a routine deploy may update the model bucket's tags (not guarded by MFA)",
    expected: 'Allowed',
    request: (p, c) => ({
      principal: cfnExecRole(c),
      action: 's3:PutBucketTagging',
      resource: `arn:aws:s3:::${c.names.buckets.model}`,
      identityPolicies: [ADMINISTRATOR],
      resourcePolicy: p.bucketPolicy(c.names.buckets.model),
      context: overS3(asRole(cfnExecRole(c))),
    }),
  },

  // --- Deploying (ENV-4): CloudFormation's execution role administers keys and creates SageMaker resources.
  ...(['data', 'model', 'logs'] as const).map((purpose): Row => ({
    call: `ENV-4 the CloudFormation execution role can update the ${purpose} key's policy (no lockout)`,
    expected: 'Allowed',
    request: (p, c) => {
      const key = p.key(`${c.project}/${c.env}/${purpose}`);
      return {
        principal: cfnExecRole(c),
        action: 'kms:PutKeyPolicy',
        resource: key.arn,
        identityPolicies: [ADMINISTRATOR],
        resourcePolicy: key.policy,
        context: asRole(cfnExecRole(c)),
      };
    },
  })),
  {
    call: "ENV-4 creating the endpoint config: SageMaker grants itself the model key for the endpoint's volume",
    expected: 'Allowed',
    request: (p, c) => ({
      principal: cfnExecRole(c),
      action: 'kms:CreateGrant',
      resource: modelKey(p, c).arn,
      identityPolicies: [ADMINISTRATOR],
      resourcePolicy: modelKey(p, c).policy,
      context: throughService(cfnExecRole(c), 'sagemaker', c.region, { 'kms:GrantIsForAWSResource': 'true' }),
    }),
  },
  {
    call: 'negative: KEY-2 even an administrator cannot grant the data key for a non-AWS resource',
    expected: 'ImplicitlyDenied',
    request: (p, c) => ({
      principal: cfnExecRole(c),
      action: 'kms:CreateGrant',
      resource: dataKey(p, c).arn,
      identityPolicies: [ADMINISTRATOR],
      resourcePolicy: dataKey(p, c).policy,
      context: asRole(cfnExecRole(c), {
        'kms:CallerAccount': c.account,
        'kms:GrantIsForAWSResource': 'false',
      }),
    }),
  },
  {
    call: 'negative: KEY-1 an administrator cannot use the data key directly (only through the named services)',
    expected: 'ImplicitlyDenied',
    request: (p, c) => ({
      principal: cfnExecRole(c),
      action: 'kms:Decrypt',
      resource: dataKey(p, c).arn,
      identityPolicies: [ADMINISTRATOR],
      resourcePolicy: dataKey(p, c).policy,
      context: asRole(cfnExecRole(c), { 'kms:CallerAccount': c.account }),
    }),
  },

  // --- SageMaker (MODEL-4): the execution role reads the artifact and writes data capture.
  {
    call: 'MODEL-4 the SageMaker execution role downloads the model artifact',
    expected: 'Allowed',
    request: (p, c) =>
      withEndpoint(p, () => {
        const role = p.role('Endpoint/Endpoint/ExecutionRole/Resource');
        return {
          principal: role.arn,
          action: 's3:GetObject',
          resource: objectArn(c.names.buckets.model, MODEL_OBJECT),
          identityPolicies: role.policies,
          resourcePolicy: p.bucketPolicy(c.names.buckets.model),
          context: overS3(asRole(role.arn)),
        };
      }),
  },
  {
    call: 'MODEL-4 S3 decrypts the artifact with the model key for the execution role',
    expected: 'Allowed',
    request: (p, c) =>
      withEndpoint(p, () => {
        const role = p.role('Endpoint/Endpoint/ExecutionRole/Resource');
        return roleToKeyThroughS3(role.arn, role.policies, modelKey(p, c), 'kms:Decrypt', c.region);
      }),
  },
  {
    call: 'MON-1 the execution role writes data capture to the data bucket',
    expected: 'Allowed',
    request: (p, c) =>
      withEndpoint(p, () => {
        const role = p.role('Endpoint/Endpoint/ExecutionRole/Resource');
        return {
          principal: role.arn,
          action: 's3:PutObject',
          resource: objectArn(
            c.names.buckets.data,
            `capture/${c.project}-${c.env}/AllTraffic/2026/12/01/00/capture.jsonl`,
          ),
          identityPolicies: role.policies,
          resourcePolicy: p.bucketPolicy(c.names.buckets.data),
          context: overS3(asRole(role.arn)),
        };
      }),
  },
  {
    call: 'MON-1 S3 generates the data key for that capture file with the data key',
    expected: 'Allowed',
    request: (p, c) =>
      withEndpoint(p, () => {
        const role = p.role('Endpoint/Endpoint/ExecutionRole/Resource');
        return roleToKeyThroughS3(role.arn, role.policies, dataKey(p, c), 'kms:GenerateDataKey', c.region);
      }),
  },
  {
    call: 'negative: the execution role cannot read customer data',
    expected: 'ImplicitlyDenied',
    request: (p, c) =>
      withEndpoint(p, () => {
        const role = p.role('Endpoint/Endpoint/ExecutionRole/Resource');
        return {
          principal: role.arn,
          action: 's3:GetObject',
          resource: objectArn(c.names.buckets.data, 'customer-data/batch.csv'),
          identityPolicies: role.policies,
          resourcePolicy: p.bucketPolicy(c.names.buckets.data),
          context: overS3(asRole(role.arn)),
        };
      }),
  },

  // --- Each Lambda role's own calls, through the VPC endpoints (NET-2, NET-6).
  {
    call: 'NET-2 the custom-resource framework waits for its handler through the Lambda endpoint (GetFunction)',
    expected: 'Allowed',
    request: (p) => frameworkLambdaCall(p, 'lambda:GetFunction'),
  },
  {
    call: 'NET-2 the custom-resource framework invokes its handler through the Lambda endpoint',
    expected: 'Allowed',
    request: (p) => frameworkLambdaCall(p, 'lambda:InvokeFunction'),
  },
  {
    call: 'MODEL-3 the model gate reads the artifact through the S3 endpoint to verify its digest',
    expected: 'Allowed',
    request: (p, c) =>
      roleToBucket(
        p,
        'Serving/Gate/Provider/Handler/Role/Resource',
        's3:GetObject',
        c.names.buckets.model,
        MODEL_OBJECT,
      ),
  },
  {
    call: 'MODEL-3 S3 decrypts the artifact with the model key for the model gate',
    expected: 'Allowed',
    request: (p, c) => {
      const role = p.role('Serving/Gate/Provider/Handler/Role/Resource');
      return roleToKeyThroughS3(role.arn, role.policies, modelKey(p, c), 'kms:Decrypt', c.region);
    },
  },
  {
    call: 'MODEL-2 the model gate lists the registry through the SageMaker API endpoint',
    expected: 'Allowed',
    request: (p, c) =>
      roleThroughEndpoint(
        p,
        'Serving/Gate/Provider/Handler/Role/Resource',
        'sagemaker.api',
        'sagemaker:ListModelPackages',
        `arn:aws:sagemaker:${c.region}:${c.account}:model-package/*`,
      ),
  },
  {
    call: 'MODEL-2 the model gate describes a version of its group through the SageMaker API endpoint',
    expected: 'Allowed',
    request: (p, c) =>
      roleThroughEndpoint(
        p,
        'Serving/Gate/Provider/Handler/Role/Resource',
        'sagemaker.api',
        'sagemaker:DescribeModelPackage',
        `arn:aws:sagemaker:${c.region}:${c.account}:model-package/${c.names.modelPackageGroup}/3`,
      ),
  },
  {
    call: 'DATA-1 the inference function pseudonymises with the HMAC key through the KMS endpoint',
    expected: 'Allowed',
    request: (p, c) => {
      const key = p.key(`${c.project}/${c.env}/pseudonym`);
      return roleThroughEndpoint(
        p,
        'Api/Inference/Handler/Role/Resource',
        'kms',
        'kms:GenerateMac',
        key.arn,
        key.policy,
      );
    },
  },
  {
    call: 'REL-2 the inference function writes its capture stream (in either serving mode) through the S3 endpoint',
    expected: 'Allowed',
    request: (p, c) =>
      roleToBucket(
        p,
        'Api/Inference/Handler/Role/Resource',
        's3:PutObject',
        c.names.buckets.data,
        `capture/${c.project}-${c.env}/${c.project}-${c.env}/${c.servingMode}/2026/12/01/00/0f6c.jsonl`,
      ),
  },
  {
    call: 'MODEL-4 the inference function invokes the endpoint through the SageMaker runtime endpoint',
    expected: 'Allowed',
    request: (p, c) =>
      withEndpoint(p, () =>
        roleThroughEndpoint(
          p,
          'Api/Inference/Handler/Role/Resource',
          'sagemaker.runtime',
          'sagemaker:InvokeEndpoint',
          `arn:aws:sagemaker:${c.region}:${c.account}:endpoint/${c.project}-${c.env}`,
        ),
      ),
  },
  {
    call: 'MODEL-6 the embedded served-answer check invokes the inference function version just published through the Lambda endpoint',
    expected: 'Allowed',
    request: (p) => withFunctionCheck(p, (version) => checkInvokes(p, version)),
  },
  {
    call: 'negative: the embedded served-answer check cannot invoke the inference function unqualified (what the API serves)',
    expected: 'ImplicitlyDenied',
    request: (p) => withFunctionCheck(p, (version) => checkInvokes(p, version.replace(/:[^:]+$/, ''))),
  },
  {
    call: 'negative: the embedded served-answer check cannot invoke another version of the inference function',
    expected: 'ImplicitlyDenied',
    request: (p) =>
      withFunctionCheck(p, (version) => checkInvokes(p, version.replace(/:[^:]+$/, ':$LATEST'))),
  },
  {
    call: 'DATA-2 the Macie job handler creates a classification job through the Macie endpoint',
    expected: 'Allowed',
    request: (p, c) => {
      const request = roleThroughEndpoint(
        p,
        'DataProtection/Macie/JobProvider/Handler/Role/Resource',
        'macie2',
        'macie2:CreateClassificationJob',
        `arn:aws:macie2:${c.region}:${c.account}:classification-job/*`,
      );
      // The handler tags the job with its stack's name; the role may create only jobs tagged so.
      const stackName = p.env.stackById('DataProtection').stackName;
      return { ...request, context: { ...request.context, 'aws:RequestTag/cfn-stack-name': stackName } };
    },
  },
  {
    call: 'MODEL-1 the MFA Delete check reads the model bucket versioning through the S3 endpoint',
    expected: 'Allowed',
    request: (p, c) =>
      roleToBucket(
        p,
        'DataProtection/MfaDeleteCheck/Check/Role/Resource',
        's3:GetBucketVersioning',
        c.names.buckets.model,
        undefined,
      ),
  },
  {
    call: "MON-1 the drift check reads the inference function's capture stream through the S3 endpoint",
    expected: 'Allowed',
    request: (p, c) =>
      roleToBucket(
        p,
        'Monitoring/Drift/Check/Role/Resource',
        's3:GetObject',
        c.names.buckets.data,
        `capture/${c.project}-${c.env}/${c.project}-${c.env}/${c.servingMode}/2026/12/01/00/capture.jsonl`,
      ),
  },
  {
    call: "negative: REL-2 the drift check cannot read an endpoint's own capture (whose lost records nobody counts)",
    expected: 'ImplicitlyDenied',
    request: (p, c) =>
      roleToBucket(
        p,
        'Monitoring/Drift/Check/Role/Resource',
        's3:GetObject',
        c.names.buckets.data,
        `capture/${c.project}-${c.env}/${c.project}-${c.env}/primary/2026/12/01/00/capture.jsonl`,
      ),
  },
  {
    call: 'MON-1 S3 decrypts data capture with the data key for the drift check',
    expected: 'Allowed',
    request: (p, c) => {
      const role = p.role('Monitoring/Drift/Check/Role/Resource');
      return roleToKeyThroughS3(role.arn, role.policies, dataKey(p, c), 'kms:Decrypt', c.region);
    },
  },
  {
    call: 'SEC-1 the secret rotation stores a new version through the Secrets Manager endpoint',
    expected: 'Allowed',
    request: (p) => {
      const secret = p.env.byPath('DataProtection/AlertWebhookSigningSecret/Secret/Resource');
      return roleThroughEndpoint(
        p,
        'DataProtection/AlertWebhookSigningSecret/Rotation/Role/Resource',
        'secretsmanager',
        'secretsmanager:PutSecretValue',
        String(p.env.resolve({ Ref: secret.logicalId }, secret.stack)),
      );
    },
  },
  {
    call: 'MODEL-5 the rollback function updates the endpoint through the SageMaker API endpoint',
    expected: 'Allowed',
    request: (p, c) =>
      withRollback(p, () =>
        roleThroughEndpoint(
          p,
          ROLLBACK_ROLE,
          'sagemaker.api',
          'sagemaker:UpdateEndpoint',
          `arn:aws:sagemaker:${c.region}:${c.account}:endpoint/${c.project}-${c.env}`,
        ),
      ),
  },
  ...(['model', 'data'] as const).flatMap((purpose): Row[] => [
    {
      call: `MODEL-5 the rollback's new endpoint config: SageMaker describes the ${purpose} key with the function's credentials`,
      expected: 'Allowed',
      request: (p, c) =>
        withRollback(p, () => {
          const role = p.role(ROLLBACK_ROLE);
          const key = p.key(`${c.project}/${c.env}/${purpose}`);
          return {
            principal: role.arn,
            action: 'kms:DescribeKey',
            resource: key.arn,
            identityPolicies: role.policies,
            resourcePolicy: key.policy,
            context: throughService(role.arn, 'sagemaker', c.region),
          };
        }),
    },
    {
      call: `MODEL-5 the rollback's new endpoint config: SageMaker creates its grant on the ${purpose} key`,
      expected: 'Allowed',
      request: (p, c) =>
        withRollback(p, () => {
          const role = p.role(ROLLBACK_ROLE);
          const key = p.key(`${c.project}/${c.env}/${purpose}`);
          return {
            principal: role.arn,
            action: 'kms:CreateGrant',
            resource: key.arn,
            identityPolicies: role.policies,
            resourcePolicy: key.policy,
            context: throughService(role.arn, 'sagemaker', c.region, { 'kms:GrantIsForAWSResource': 'true' }),
          };
        }),
    },
  ]),
  {
    call: 'negative: NET-6 a workload role cannot read the data bucket from outside the VPC endpoint',
    expected: 'ExplicitlyDenied',
    request: (p, c) => {
      const request = roleToBucket(
        p,
        'Monitoring/Drift/Check/Role/Resource',
        's3:GetObject',
        c.names.buckets.data,
        `capture/${c.project}-${c.env}/${c.project}-${c.env}/${c.servingMode}/x.jsonl`,
      );
      return { ...request, endpointPolicies: [], context: overS3(asRole(request.principal)) };
    },
  },
  {
    call: 'negative: NET-6 a role of another account cannot read the data bucket, even through the endpoint',
    expected: 'ExplicitlyDenied',
    request: (p, c) => {
      const outsider = `arn:aws:iam::${OTHER_ACCOUNT}:role/reader`;
      const gateway = p.endpointPolicy('s3');
      return {
        principal: outsider,
        action: 's3:GetObject',
        resource: objectArn(c.names.buckets.data, 'customer-data/batch.csv'),
        identityPolicies: [ADMINISTRATOR],
        resourcePolicy: p.bucketPolicy(c.names.buckets.data),
        endpointPolicies: [gateway.policy],
        context: overS3(asRole(outsider, { 'aws:SourceVpce': gateway.id })),
      };
    },
  },
  {
    call: "negative: NET-2 the KMS endpoint refuses another account's principal",
    expected: 'ImplicitlyDenied',
    request: (p, c) => {
      const outsider = `arn:aws:iam::${OTHER_ACCOUNT}:role/reader`;
      const endpoint = p.endpointPolicy('kms');
      const key = dataKey(p, c);
      return {
        principal: outsider,
        action: 'kms:Decrypt',
        resource: key.arn,
        identityPolicies: [ADMINISTRATOR],
        resourcePolicy: key.policy,
        endpointPolicies: [endpoint.policy],
        context: asRole(outsider, { 'aws:SourceVpce': endpoint.id }),
      };
    },
  },
];

describe.each(config.environments.map((e) => [e.name, e] as const))('%s', (name, env) => {
  const policies = environments.get(name)!;
  const ctx: RowContext = {
    account: env.account,
    region: env.region,
    project: config.project.name,
    env: name,
    names: resourceNames(config.project.name, env),
    servingMode: env.serving.mode,
    publisher: env.trustedRoleArns[0]!,
    cdkQualifier: config.project.cdkQualifier,
  };
  const requests = ROWS.map((row) => ({ row, request: row.request(policies, ctx) }));

  test.each(requests.filter((r) => r.request !== undefined).map((r) => [r.row.call, r] as const))(
    '%s',
    async (_call, { row, request }) => {
      expect(await decide(request!, env.account)).toBe(row.expected);
    },
  );

  test('every principal named in a key, bucket or topic policy has an allowed call in the table', () => {
    const covered = new Set(
      requests.filter((r) => r.request && r.row.expected === 'Allowed').map((r) => r.request!.principal),
    );
    const named = namedPrincipals(policies.env);
    // The extraction itself finds what the templates name (service principals, a role in a key policy's
    // Principal, a role admitted by aws:PrincipalArn), so an empty list cannot pass for full coverage.
    expect(named).toEqual(
      expect.arrayContaining([
        'cloudtrail.amazonaws.com',
        `logs.${env.region}.amazonaws.com`,
        'cloudwatch.amazonaws.com',
        'events.amazonaws.com',
        'logging.s3.amazonaws.com',
        macieSlr(env.account),
        policies.role('Api/Inference/Handler/Role/Resource').arn,
      ]),
    );
    expect(named.filter((principal) => !covered.has(principal))).toEqual([]);
  });
});
