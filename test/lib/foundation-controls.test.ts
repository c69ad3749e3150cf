import { Template } from 'aws-cdk-lib/assertions';
import { stageName } from '../../lib/config';
import { MFA_PROTECTED_ACTIONS } from '../../lib/constructs/model-artifact-bucket';
import { isTaggableType } from '../../lib/compliance/controls/env/taggable-types';
import { TAG_KEYS } from '../../lib/stages/environment-stage';
import { asRole, decide, throughService, type PolicyDocument, type RequestContext } from '../helpers/access';
import { CfnEnvironment } from '../helpers/cfn-environment';
import { resolveSourceCommit, UNKNOWN_COMMIT } from '../../lib/source-commit';
import {
  allTemplates,
  buildTestApp,
  exampleConfig,
  resourcesOfType,
  stacksOf,
  TEST_COMMIT,
} from '../helpers/app';

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
};

const testApp = buildTestApp();
const templates = allTemplates(testApp);
const config = exampleConfig();

function each(type: string) {
  return templates.flatMap(({ label, template }) =>
    resourcesOfType(template, type).map(([id, resource]) => ({
      where: `${label}/${id}`,
      props: resource.Properties ?? {},
      resource,
      template,
    })),
  );
}

function policyStatementsFor(template: Template, bucketLogicalId: string): Statement[] {
  const policies = resourcesOfType(template, 'AWS::S3::BucketPolicy').filter(
    ([, p]) =>
      JSON.stringify((p.Properties as { Bucket: unknown }).Bucket) ===
      JSON.stringify({ Ref: bucketLogicalId }),
  );
  expect(policies).toHaveLength(1);
  return (policies[0][1].Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument
    .Statement;
}

const asArray = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

describe('NET-1: isolated network', () => {
  test('no internet gateway, NAT gateway or egress-only gateway exists in any environment', () => {
    for (const type of [
      'AWS::EC2::InternetGateway',
      'AWS::EC2::NatGateway',
      'AWS::EC2::EgressOnlyInternetGateway',
      'AWS::EC2::VPCGatewayAttachment',
      'AWS::EC2::EIP',
    ]) {
      expect({ type, found: each(type).map((r) => r.where) }).toEqual({ type, found: [] });
    }
  });

  test('every environment has one VPC whose subnets span at least two AZs and never map public IPs', () => {
    for (const stage of testApp.stages) {
      const network = Template.fromStack(stage.network);
      network.resourceCountIs('AWS::EC2::VPC', 1);
      const subnets = resourcesOfType(network, 'AWS::EC2::Subnet').map(([, s]) => s.Properties!);
      expect(new Set(subnets.map((s) => s.AvailabilityZone)).size).toBeGreaterThanOrEqual(2);
      for (const subnet of subnets) expect(subnet.MapPublicIpOnLaunch ?? false).toBe(false);
      for (const [, route] of resourcesOfType(network, 'AWS::EC2::Route')) {
        expect(route.Properties).not.toHaveProperty('GatewayId');
        expect(route.Properties).not.toHaveProperty('NatGatewayId');
      }
    }
  });

  test('the VPC spans the configured availability zones', () => {
    const prod = Template.fromStack(testApp.stage('Prod').network);
    const azs = resourcesOfType(prod, 'AWS::EC2::Subnet')
      .map(([, s]) => s.Properties!.AvailabilityZone)
      .sort();
    expect(azs).toEqual(config.environments.find((e) => e.name === 'prod')!.network.availabilityZones);
  });
});

describe('NET-2, NET-3: endpoints and security groups', () => {
  test('the default security group of every VPC is stripped of its rules', () => {
    for (const stage of testApp.stages) {
      Template.fromStack(stage.network).resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
    }
  });

  test('every interface endpoint has private DNS, a policy limited to the account, and the endpoint security group', () => {
    const endpoints = each('AWS::EC2::VPCEndpoint');
    const interfaces = endpoints.filter((e) => e.props.VpcEndpointType === 'Interface');
    expect(interfaces.length).toBeGreaterThanOrEqual(3 * 7);
    for (const { where, props } of interfaces) {
      expect({ where, dns: props.PrivateDnsEnabled }).toEqual({ where, dns: true });
      const statements = (props.PolicyDocument as { Statement: Statement[] }).Statement;
      for (const s of statements) {
        expect(s.Condition?.StringEquals?.['aws:PrincipalAccount']).toBeDefined();
        expect(asArray(s.Action)).not.toContain('*');
      }
    }
    const services = JSON.stringify(interfaces.map((e) => e.props.ServiceName));
    for (const svc of [
      'sagemaker.runtime',
      'sagemaker.api',
      '.kms',
      '.logs',
      '.monitoring',
      '.sts',
      '.secretsmanager',
    ]) {
      expect(services).toContain(svc);
    }
  });

  test('the S3 gateway endpoint reaches only the project buckets', () => {
    for (const stage of testApp.stages) {
      const network = Template.fromStack(stage.network);
      const gateways = resourcesOfType(network, 'AWS::EC2::VPCEndpoint').filter(
        ([, e]) => e.Properties!.VpcEndpointType === 'Gateway',
      );
      expect(gateways).toHaveLength(1);
      const resources = JSON.stringify(
        (gateways[0][1].Properties!.PolicyDocument as { Statement: unknown[] }).Statement,
      );
      expect(resources).toContain(`churn-${stage.stageName.toLowerCase()}-model-`);
      expect(resources).toContain(`churn-${stage.stageName.toLowerCase()}-data-`);
      expect(resources).not.toContain('arn:aws:s3:::*');
    }
  });

  test('endpoints accept only HTTPS, and only from the workload security group', () => {
    for (const stage of testApp.stages) {
      const network = Template.fromStack(stage.network);
      const ingress = resourcesOfType(network, 'AWS::EC2::SecurityGroupIngress').map(
        ([, r]) => r.Properties!,
      );
      expect(ingress).toHaveLength(1);
      expect(ingress[0]).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
      expect(ingress[0]).toHaveProperty('SourceSecurityGroupId');
      for (const [, sg] of resourcesOfType(network, 'AWS::EC2::SecurityGroup')) {
        expect(sg.Properties!.SecurityGroupIngress ?? []).toEqual([]);
      }
    }
  });
});

describe('NET-4, KEY-1, DATA-3: flow logs and log groups', () => {
  test('every VPC logs all traffic to a KMS-encrypted log group with retention', () => {
    for (const stage of testApp.stages) {
      const network = Template.fromStack(stage.network);
      const flowLogs = resourcesOfType(network, 'AWS::EC2::FlowLog');
      expect(flowLogs).toHaveLength(1);
      const flowLog = flowLogs[0][1].Properties!;
      expect(flowLog.TrafficType).toBe('ALL');
      expect(flowLog.LogDestinationType).toBe('cloud-watch-logs');
      const groupId = (flowLog.LogGroupName as { Ref: string }).Ref;
      const group = network.toJSON().Resources[groupId];
      expect(group.Properties.KmsKeyId).toBeDefined();
      const env = config.environments.find((e) => stageName(e.name) === stage.stageName)!;
      expect(group.Properties.RetentionInDays).toBe(env.logRetentionDays);
    }
  });

  test('every log group in every environment is encrypted with a customer key and has a retention period', () => {
    const groups = each('AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(6);
    for (const { where, props } of groups) {
      expect({ where, kms: props.KmsKeyId !== undefined, retention: typeof props.RetentionInDays }).toEqual({
        where,
        kms: true,
        retention: 'number',
      });
    }
  });
});

describe('KEY-1, KEY-2, KEY-3: customer-managed keys', () => {
  test('every key rotates, and each environment has separate data, model and logs keys', () => {
    // HMAC keys cannot rotate in KMS; the API's pseudonymisation key is one (tested in test/lib/api).
    const keys = each('AWS::KMS::Key').filter(({ props }) => !String(props.KeySpec ?? '').startsWith('HMAC'));
    for (const { where, props } of keys)
      expect({ where, rotation: props.EnableKeyRotation }).toEqual({ where, rotation: true });
    for (const stage of testApp.stages) {
      const aliases = resourcesOfType(Template.fromStack(stage.keys), 'AWS::KMS::Alias')
        .map(([, a]) => a.Properties!.AliasName)
        .sort();
      const env = stage.stageName.toLowerCase();
      expect(aliases).toEqual([
        `alias/churn/${env}/data`,
        `alias/churn/${env}/logs`,
        `alias/churn/${env}/model`,
      ]);
    }
  });

  test('key policies never give the account kms:*, and allow grants only for AWS resources', () => {
    for (const { where, props } of each('AWS::KMS::Key')) {
      const statements = (props.KeyPolicy as { Statement: Statement[] }).Statement;
      for (const s of statements) {
        expect({ where, sid: s.Sid, wildcard: asArray(s.Action).includes('kms:*') }).toEqual({
          where,
          sid: s.Sid,
          wildcard: false,
        });
        if (asArray(s.Action).includes('kms:CreateGrant')) {
          expect(s.Condition?.Bool?.['kms:GrantIsForAWSResource']).toBe('true');
        }
      }
      // An HMAC key serves direct GenerateMac calls only; it has no via-service use statement.
      if (String(props.KeySpec ?? '').startsWith('HMAC')) continue;
      const use = statements.find((s) => s.Sid === 'UseOnlyThroughNamedServicesInThisAccount')!;
      expect(use.Condition!.StringEquals['kms:CallerAccount']).toBeDefined();
      expect(use.Condition!.StringEquals['kms:ViaService']).toBeDefined();
    }
  });

  test('KEY-2: an administrator of the account cannot grant a key except to an AWS resource through a named service', async () => {
    for (const stage of testApp.stages) {
      const account = stage.account!;
      const env = new CfnEnvironment(stage);
      const admin = `arn:aws:iam::${account}:role/KeyAdministrator`;
      const everything: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
      for (const { stack, logicalId, resource } of env.resources('AWS::KMS::Key')) {
        const where = `${stack.stackName}/${logicalId}`;
        const keyArn = String(env.resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] }, stack));
        const policy = env.resolve(resource.Properties?.KeyPolicy, stack) as PolicyDocument;
        // The administrator may do anything IAM allows; the key policy alone decides.
        const decision = (action: string, context: RequestContext) =>
          decide(
            {
              principal: admin,
              action,
              resource: keyArn,
              identityPolicies: [everything],
              resourcePolicy: policy,
              context,
            },
            account,
          );
        const direct = asRole(admin, { 'kms:CallerAccount': account });
        const viaS3 = (extra: RequestContext = {}) => throughService(admin, 's3', stage.region!, extra);
        // Administration still works; a grant to anyone, or for something that is not an AWS resource, does not.
        expect({
          where,
          createAlias: await decision('kms:CreateAlias', direct),
          putPolicy: await decision('kms:PutKeyPolicy', direct),
          grant: await decision('kms:CreateGrant', direct),
          grantViaS3: await decision('kms:CreateGrant', viaS3({ 'kms:GrantIsForAWSResource': 'false' })),
        }).toEqual({
          where,
          createAlias: 'Allowed',
          putPolicy: 'Allowed',
          grant: 'ImplicitlyDenied',
          grantViaS3: 'ImplicitlyDenied',
        });
        if (String(resource.Properties?.KeySpec ?? '').startsWith('HMAC')) continue;
        expect({
          where,
          grant: await decision('kms:CreateGrant', viaS3({ 'kms:GrantIsForAWSResource': 'true' })),
        }).toEqual({ where, grant: 'Allowed' });
      }
    }
  });

  test('only CloudWatch Logs of this account may use the logs key directly, by encryption context', () => {
    const keys = Template.fromStack(testApp.stage('Dev').keys);
    const logsKey = resourcesOfType(keys, 'AWS::KMS::Key').find(([, k]) =>
      String(k.Properties!.Description).startsWith('CloudWatch log groups'),
    )!;
    const statement = (logsKey[1].Properties!.KeyPolicy as { Statement: Statement[] }).Statement.find(
      (s) => s.Sid === 'CloudWatchLogsForThisAccountsLogGroups',
    )!;
    expect(JSON.stringify(statement.Condition)).toContain('arn:aws:logs:eu-west-1:111111111111:log-group:*');
  });
});

describe('KEY-1, KEY-4, MODEL-1, DATA-3, NET-6: buckets', () => {
  const buckets = each('AWS::S3::Bucket');

  test('every bucket blocks public access, is versioned and denies non-TLS and TLS below 1.2', () => {
    expect(buckets).toHaveLength(3 * 4);
    for (const { where, props, template } of buckets) {
      expect({ where, bpa: props.PublicAccessBlockConfiguration }).toEqual({
        where,
        bpa: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
      expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      const logicalId = where.split('/').pop()!;
      const statements = policyStatementsFor(template, logicalId);
      expect(
        statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'),
      ).toBe(true);
      expect(
        statements.some(
          (s) => s.Effect === 'Deny' && s.Condition?.NumericLessThan?.['s3:TlsVersion'] === 1.2,
        ),
      ).toBe(true);
      expect(statements.some((s) => s.Sid === 'DenyPrincipalsOutsideTheAccount')).toBe(true);
    }
  });

  test('every bucket but the access-log target is encrypted with a customer key and logs its access', () => {
    for (const { where, props } of buckets) {
      const sse = (
        props.BucketEncryption as {
          ServerSideEncryptionConfiguration: Array<{
            ServerSideEncryptionByDefault: Record<string, unknown>;
          }>;
        }
      ).ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault;
      if (where.includes('AccessLogs')) {
        expect(sse.SSEAlgorithm).toBe('AES256');
        continue;
      }
      expect({ where, algo: sse.SSEAlgorithm, key: sse.KMSMasterKeyID !== undefined }).toEqual({
        where,
        algo: 'aws:kms',
        key: true,
      });
      expect(props.LoggingConfiguration).toBeDefined();
    }
  });

  for (const env of config.environments) {
    test(`${env.name}: the model bucket has Object Lock, no lifecycle rules and the MFA-deny statement`, () => {
      const data = Template.fromStack(testApp.stage(stageName(env.name)).data);
      const [[modelId, model]] = resourcesOfType(data, 'AWS::S3::Bucket').filter(([, b]) =>
        String(b.Properties!.BucketName).includes('-model-'),
      );
      expect(model.Properties!.ObjectLockEnabled).toBe(true);
      expect(model.Properties!.ObjectLockConfiguration).toEqual({
        ObjectLockEnabled: 'Enabled',
        Rule: {
          DefaultRetention: {
            Mode: env.modelBucket.objectLockMode,
            Days: env.modelBucket.objectLockRetentionDays,
          },
        },
      });
      expect(model.Properties!.LifecycleConfiguration).toBeUndefined();
      expect(model.DeletionPolicy).toBe('RetainExceptOnCreate');
      const mfa = policyStatementsFor(data, modelId).find(
        (s) => s.Sid === 'DenyDestructiveChangesWithoutMfa',
      )!;
      expect(mfa.Effect).toBe('Deny');
      expect(mfa.Condition).toEqual({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } });
      expect(asArray(mfa.Action).sort()).toEqual([...MFA_PROTECTED_ACTIONS].sort());
      for (const action of [
        's3:DeleteObjectVersion',
        's3:PutBucketVersioning',
        's3:PutBucketObjectLockConfiguration',
        's3:PutBucketPolicy',
      ]) {
        expect(mfa.Action).toContain(action);
      }
    });

    test(`${env.name}: captured inference data expires after ${env.dataBucket.captureRetentionDays} days (DATA-3)`, () => {
      const data = Template.fromStack(testApp.stage(stageName(env.name)).data);
      const [[, bucket]] = resourcesOfType(data, 'AWS::S3::Bucket').filter(([, b]) =>
        String(b.Properties!.BucketName).includes('-data-'),
      );
      const rules = (bucket.Properties!.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> })
        .Rules;
      expect(rules).toContainEqual(
        expect.objectContaining({
          Prefix: 'capture/',
          ExpirationInDays: env.dataBucket.captureRetentionDays,
          Status: 'Enabled',
        }),
      );
    });
  }

  test('the model and data buckets deny access from outside the VPC endpoint unless an exempt principal or AWS service', () => {
    for (const stage of testApp.stages) {
      const data = Template.fromStack(stage.data);
      for (const [id, bucket] of resourcesOfType(data, 'AWS::S3::Bucket')) {
        const statements = policyStatementsFor(data, id);
        const perimeter = statements.find((s) => s.Sid === 'DataPerimeterOnlyThroughTheVpcEndpoint');
        if (String(bucket.Properties!.BucketName).includes('access-logs')) {
          expect(perimeter).toBeUndefined();
          continue;
        }
        expect(perimeter).toBeDefined();
        expect(perimeter!.Effect).toBe('Deny');
        expect(perimeter!.Condition!.StringNotEqualsIfExists['aws:SourceVpce']).toBeDefined();
        expect(perimeter!.Condition!.BoolIfExists).toEqual({
          'aws:PrincipalIsAWSService': 'false',
          'aws:ViaAWSService': 'false',
        });
        const exempt = perimeter!.Condition!.ArnNotLikeIfExists['aws:PrincipalArn'] as string[];
        const env = config.environments.find((e) => e.name === stage.stageName.toLowerCase())!;
        for (const arn of env.trustedRoleArns) expect(exempt).toContain(arn);
        expect(exempt).toContain(
          `arn:aws:iam::${env.account}:role/cdk-hnb659fds-cfn-exec-role-${env.account}-${env.region}`,
        );
        expect(exempt).toContain(`arn:aws:iam::${env.account}:role/churn-${env.name}-model-execution`);
      }
    }
  });
});

describe('AUD-1: CloudTrail', () => {
  test('each account has a multi-region, validated, encrypted trail with CloudWatch delivery and S3 data events', () => {
    for (const stage of testApp.stages) {
      const audit = Template.fromStack(stage.audit);
      const trails = resourcesOfType(audit, 'AWS::CloudTrail::Trail');
      expect(trails).toHaveLength(1);
      const trail = trails[0][1].Properties!;
      expect(trail).toMatchObject({
        IsMultiRegionTrail: true,
        EnableLogFileValidation: true,
        IncludeGlobalServiceEvents: true,
        IsLogging: true,
      });
      expect(trail.KMSKeyId).toBeDefined();
      expect(trail.CloudWatchLogsLogGroupArn).toBeDefined();
      expect(trail.CloudWatchLogsRoleArn).toBeDefined();
      const selectors = JSON.stringify(trail.EventSelectors);
      expect(selectors).toContain('AWS::S3::Object');
      expect(selectors).toContain('"ReadWriteType":"All"');
      const dataResources = (
        trail.EventSelectors as Array<{ DataResources: Array<{ Values: unknown[] }> }>
      )[0].DataResources[0].Values;
      expect(dataResources).toHaveLength(2);
    }
  });

  test('the trail has the registered name its key policy names, and its bucket uses no S3 Bucket Key', () => {
    for (const stage of testApp.stages) {
      const audit = Template.fromStack(stage.audit);
      const [[, trail]] = resourcesOfType(audit, 'AWS::CloudTrail::Trail');
      expect(trail!.Properties!.TrailName).toBe(`churn-${stage.stageName.toLowerCase()}-audit`);
      // With a Bucket Key, KMS is asked for a key of the bucket without the trail's encryption context,
      // which the CloudTrail statement of the logs key (rightly) requires.
      const [[, bucket]] = resourcesOfType(audit, 'AWS::S3::Bucket');
      const encryption = bucket!.Properties!.BucketEncryption as {
        ServerSideEncryptionConfiguration: Array<{ BucketKeyEnabled?: boolean }>;
      };
      expect(encryption.ServerSideEncryptionConfiguration[0]!.BucketKeyEnabled).toBe(false);
    }
  });

  test('the trail bucket locks every log file for the configured retention and expires it afterwards', () => {
    for (const stage of testApp.stages) {
      const configured = config.environments.find((e) => stageName(e.name) === stage.stageName)!.audit;
      const audit = Template.fromStack(stage.audit);
      const trail = resourcesOfType(audit, 'AWS::CloudTrail::Trail')[0][1].Properties!;
      const bucketId = (trail.S3BucketName as { Ref: string }).Ref;
      const bucket = audit.toJSON().Resources[bucketId] as {
        Properties: Record<string, unknown>;
        DeletionPolicy: string;
      };
      expect({
        env: stage.stageName,
        lock: bucket.Properties.ObjectLockEnabled,
        retained: bucket.DeletionPolicy,
      }).toEqual({
        env: stage.stageName,
        lock: true,
        retained: 'RetainExceptOnCreate',
      });
      expect(bucket.Properties.ObjectLockConfiguration).toEqual({
        ObjectLockEnabled: 'Enabled',
        Rule: {
          DefaultRetention: { Mode: configured.trailObjectLockMode, Days: configured.trailRetentionDays },
        },
      });
      expect((bucket.Properties.VersioningConfiguration as { Status: string }).Status).toBe('Enabled');
      expect((bucket.Properties.LifecycleConfiguration as { Rules: unknown[] }).Rules).toEqual([
        {
          Id: 'expire-log-files-after-their-lock',
          Status: 'Enabled',
          ExpirationInDays: configured.trailRetentionDays,
          NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ]);
    }
  });
});

describe('ENV-2, ENV-3: lifecycle protection and tags', () => {
  test('prod stacks have termination protection and dev stacks do not', () => {
    for (const stack of stacksOf(testApp.stage('Prod'))) expect(stack.terminationProtection).toBe(true);
    for (const stack of stacksOf(testApp.stage('Dev'))) expect(stack.terminationProtection).toBe(false);
  });

  test('prod retains keys, buckets and log groups (except when their creation rolls back); dev deletes them except the Object-Locked buckets', () => {
    const dataBearing = ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup'];
    for (const { where, resource, props } of dataBearing.flatMap((t) => each(t))) {
      // A locked object cannot be deleted, so neither can its bucket: the model and trail buckets stay.
      const locked = props.ObjectLockEnabled === true;
      if (where.startsWith('Prod/') || locked)
        expect({ where, policy: resource.DeletionPolicy }).toEqual({ where, policy: 'RetainExceptOnCreate' });
      else if (where.startsWith('Dev/'))
        expect({ where, policy: resource.DeletionPolicy }).toEqual({ where, policy: 'Delete' });
    }
  });

  test('every taggable resource carries environment, data classification, owner and source commit tags', () => {
    // Every resource of every type CloudFormation can tag, CDK's own raw provider resources included.
    const resources = templates.flatMap(({ label, template }) =>
      Object.entries(
        template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>,
      )
        .filter(([, r]) => isTaggableType(r.Type))
        .map(([id, r]) => ({ where: `${label}/${id}`, props: r.Properties ?? {} })),
    );
    expect(resources.length).toBeGreaterThan(100);
    for (const { where, props } of resources) {
      // A list of {Key, Value} for most types; a plain map for some (AWS::SSM::Parameter).
      const raw = props.Tags ?? [];
      const tags: Record<string, string> = Array.isArray(raw)
        ? Object.fromEntries((raw as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]))
        : (raw as Record<string, string>);
      const env = where.split('/')[0].toLowerCase();
      expect({
        where,
        tags: {
          e: tags[TAG_KEYS.environment],
          c: tags[TAG_KEYS.dataClassification],
          o: tags[TAG_KEYS.owner],
          s: tags[TAG_KEYS.sourceCommit],
        },
      }).toEqual({
        where,
        // The MFA-guarded model bucket carries no per-commit tag (test/lib/first-deploy/routine-deploy).
        tags: {
          e: env,
          c: 'confidential',
          o: 'ml-platform-team',
          s: where.includes('ModelArtifacts') ? undefined : TEST_COMMIT,
        },
      });
    }
  });

  test('the source commit comes from the environment first, then git, and says so when unknown', () => {
    expect(resolveSourceCommit({ SOURCE_COMMIT: 'abc123' })).toBe('abc123');
    expect(resolveSourceCommit({ GITHUB_SHA: 'def456' })).toBe('def456');
    expect(resolveSourceCommit({}, '/')).toBe(UNKNOWN_COMMIT);
    expect(resolveSourceCommit({}, process.cwd())).toMatch(/^[0-9a-f]{40}(-dirty)?$/);
  });
});

describe('MON-3: the alert topic', () => {
  test('each environment has one KMS-encrypted, TLS-only alert topic publishable by CloudWatch and EventBridge of the account', () => {
    for (const stage of testApp.stages) {
      const audit = Template.fromStack(stage.audit);
      const topics = resourcesOfType(audit, 'AWS::SNS::Topic');
      expect(topics).toHaveLength(1);
      expect(topics[0][1].Properties!.KmsMasterKeyId).toBeDefined();
      const statements = resourcesOfType(audit, 'AWS::SNS::TopicPolicy').flatMap(
        ([, p]) => (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement,
      );
      expect(
        statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'),
      ).toBe(true);
      const publishers = statements
        .filter((s) => s.Effect === 'Allow')
        .map((s) => JSON.stringify(s.Principal));
      expect(publishers.sort()).toEqual([
        '{"Service":"cloudwatch.amazonaws.com"}',
        '{"Service":"events.amazonaws.com"}',
      ]);
      for (const s of statements.filter((st) => st.Effect === 'Allow'))
        expect(s.Condition?.StringEquals?.['aws:SourceAccount']).toBeDefined();
    }
  });

  test('the configured address is subscribed, and only where configured', () => {
    const prodSubs = resourcesOfType(
      Template.fromStack(testApp.stage('Prod').audit),
      'AWS::SNS::Subscription',
    );
    expect(prodSubs.map(([, s]) => s.Properties)).toEqual([
      expect.objectContaining({ Protocol: 'email', Endpoint: 'ml-platform-oncall@example.com' }),
    ]);
    expect(resourcesOfType(Template.fromStack(testApp.stage('Dev').audit), 'AWS::SNS::Subscription')).toEqual(
      [],
    );
  });
});
