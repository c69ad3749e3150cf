import { Template } from 'aws-cdk-lib/assertions';
import { DATA_BUCKET_PREFIXES, EnvironmentConfig, resourceNames, stageName } from '../../../lib/config';
import { macieFindingEventPattern } from '../../../lib/constructs/macie-scanning';
import { MACIE_DECRYPT_SID, macieServiceLinkedRoleArn } from '../../../lib/stacks/keys-stack';
import { parseJobProperties } from '../../../lambda/macie-job/properties';
import { buildTestApp, CfnResource, exampleConfig, resourcesOfType } from '../../helpers/app';
import { asRole, decide, EnvironmentPolicies, throughService } from '../../helpers/access';
import { CfnEnvironment } from '../../helpers/cfn-environment';

const config = exampleConfig();
const testApp = buildTestApp();

type Statement = {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

function only(
  template: Template,
  type: string,
  where: (r: CfnResource) => boolean = () => true,
): [string, CfnResource] {
  const found = resourcesOfType(template, type).filter(([, r]) => where(r));
  expect({ type, count: found.length }).toEqual({ type, count: 1 });
  return found[0]!;
}

function templatesOf(env: EnvironmentConfig) {
  const stage = testApp.stage(stageName(env.name));
  return {
    stage,
    protection: Template.fromStack(stage.dataProtection),
    keys: Template.fromStack(stage.keys),
    audit: Template.fromStack(stage.audit),
    names: resourceNames(config.project.name, env),
  };
}

function policyStatements(template: Template): Statement[] {
  return resourcesOfType(template, 'AWS::IAM::ManagedPolicy').flatMap(
    ([, p]) => (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

/** The Lambda function whose environment has the given variable. */
function functionWithEnv(template: Template, variable: string): [string, CfnResource] {
  return only(template, 'AWS::Lambda::Function', (f) =>
    Object.keys(((f.Properties?.Environment as { Variables?: object })?.Variables ?? {}) as object).includes(
      variable,
    ),
  );
}

/** The stack output a cross-stack reference points at, e.g. the alert topic of the Audit stack. */
function referenceTo(stack: string, logicalId: string) {
  return expect.objectContaining({
    'Fn::GetStackOutput': expect.objectContaining({
      StackName: stack,
      OutputName: expect.stringContaining(logicalId),
    }),
  });
}

describe.each(config.environments.map((env) => [env.name, env] as const))(
  '%s: DATA-2 Macie',
  (_name, env) => {
    const { protection, audit, names, stage } = templatesOf(env);

    test('the Macie session is enabled by the stack, publishing finding updates every 15 minutes', () => {
      expect(env.macie.enableInAccount).toBe(true);
      const [, session] = only(protection, 'AWS::Macie::Session');
      expect(session.Properties).toEqual({
        Status: 'ENABLED',
        FindingPublishingFrequency: 'FIFTEEN_MINUTES',
      });
      // Deleting a session disables Macie and deletes its jobs and findings: prod keeps it.
      expect(session.DeletionPolicy).toBe(env.removalPolicy === 'retain' ? 'RetainExceptOnCreate' : 'Delete');
    });

    test('the customer-id identifier uses the configured pattern without anchors, near a customer-id keyword', () => {
      const [, identifier] = only(protection, 'AWS::Macie::CustomDataIdentifier');
      expect(config.project.customerIdPattern).toBe('^[0-9]{4}-[A-Z]{5}$');
      expect(identifier.Properties).toMatchObject({
        Name: expect.stringMatching(new RegExp(`^churn-${env.name}-pii-customer-id-[0-9a-f]{8}$`)),
        Regex: '[0-9]{4}-[A-Z]{5}',
        MaximumMatchDistance: 50,
        Keywords: expect.arrayContaining(['customer_id', 'customerid']),
      });
    });

    test('the classification job covers the customer-data and capture prefixes on the configured schedule', () => {
      const [sessionId] = only(protection, 'AWS::Macie::Session');
      const [identifierId] = only(protection, 'AWS::Macie::CustomDataIdentifier');
      const [, job] = only(protection, 'Custom::MacieClassificationJob');
      const { ServiceToken, ...properties } = job.Properties!;
      expect(ServiceToken).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^MacieJobProviderframeworkonEvent/), 'Arn'],
      });
      expect(properties).toEqual({
        AccountId: env.account,
        BucketName: names.buckets.data,
        Prefixes: [DATA_BUCKET_PREFIXES.customerData, DATA_BUCKET_PREFIXES.capture],
        ScheduleFrequency: env.macie.scheduleFrequency,
        CustomDataIdentifierIds: [{ 'Fn::GetAtt': [identifierId, 'Id'] }],
        JobNamePrefix: `churn-${env.name}-pii`,
        InitialRun: 'true',
      });
      expect((job as { DependsOn?: string[] }).DependsOn).toContain(sessionId);
      // The handler accepts exactly these properties once the identifier id is known.
      const parsed = parseJobProperties({ ...properties, CustomDataIdentifierIds: ['abc123'] });
      expect(parsed.definition.prefixes).toEqual(['capture/', 'customer-data/']);
    });

    test('the job handler may create only jobs tagged with this stack, and describe or cancel jobs of this account', () => {
      const statements = policyStatements(protection).filter((s) =>
        JSON.stringify(s.Action).includes('macie2:'),
      );
      const jobs = `arn:aws:macie2:${env.region}:${env.account}:classification-job/*`;
      expect(statements).toEqual([
        expect.objectContaining({
          Action: ['macie2:CreateClassificationJob', 'macie2:TagResource'],
          Resource: jobs,
          Condition: { StringEquals: { 'aws:RequestTag/cfn-stack-name': { Ref: 'AWS::StackName' } } },
        }),
        expect.objectContaining({
          Action: ['macie2:DescribeClassificationJob', 'macie2:UpdateClassificationJob'],
          Resource: jobs,
        }),
      ]);
      for (const s of statements) expect(JSON.stringify(s.Action)).not.toMatch(/Delete|Disable|\*/);
    });

    test(`findings of severity ${env.macie.minimumAlertSeverity} and above go to the alert topic`, () => {
      const [, rule] = only(protection, 'AWS::Events::Rule', (r) =>
        JSON.stringify(r.Properties).includes('aws.macie'),
      );
      const expected = { Low: ['Low', 'Medium', 'High'], Medium: ['Medium', 'High'], High: ['High'] }[
        env.macie.minimumAlertSeverity
      ];
      expect(rule.Properties!.EventPattern).toEqual({
        source: ['aws.macie'],
        'detail-type': ['Macie Finding'],
        detail: { severity: { description: expected } },
      });
      const [topicId] = only(audit, 'AWS::SNS::Topic');
      const targets = rule.Properties!.Targets as Array<Record<string, unknown>>;
      expect(targets).toHaveLength(1);
      expect(targets[0]!.Arn).toEqual(referenceTo(`${stage.stageName}-Audit`, topicId));
      const transformer = targets[0]!.InputTransformer as { InputPathsMap: Record<string, string> };
      expect(Object.values(transformer.InputPathsMap)).toEqual(
        expect.arrayContaining(['$.detail.severity.description', '$.detail.id', '$.detail.type']),
      );
    });

    test('the rule adds no publish grant of its own: the alert topic admits EventBridge of this account only', () => {
      const statements = resourcesOfType(audit, 'AWS::SNS::TopicPolicy').flatMap(
        ([, p]) => (p.Properties!.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
      );
      const byEvents = statements.filter((s) => JSON.stringify(s.Principal).includes('events.amazonaws.com'));
      expect(byEvents).toEqual([
        expect.objectContaining({ Condition: { StringEquals: { 'aws:SourceAccount': env.account } } }),
      ]);
    });

    test("the data key lets Macie's service-linked role decrypt through S3, and nothing else", async () => {
      const policies = new EnvironmentPolicies(new CfnEnvironment(testApp.stage(stageName(env.name))));
      const dataKey = policies.key(`churn/${env.name}/data`);
      const macie = dataKey.policy.Statement.find((s) => (s as { Sid?: string }).Sid === MACIE_DECRYPT_SID);
      expect(macie).toEqual({
        Sid: MACIE_DECRYPT_SID,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: {
          ArnEquals: { 'aws:PrincipalArn': macieServiceLinkedRoleArn(env.account) },
          StringEquals: {
            'kms:CallerAccount': env.account,
            'kms:ViaService': `s3.${env.region}.amazonaws.com`,
          },
        },
      });
      const slr = macieServiceLinkedRoleArn(env.account);
      // The role's AWS managed policy grants no KMS calls: only the key policy can let it decrypt.
      const decrypt = (arn: string, via?: string, action = 'kms:Decrypt', key = dataKey) =>
        decide(
          {
            principal: arn,
            action,
            resource: key.arn,
            resourcePolicy: key.policy,
            context: via
              ? throughService(arn, via, env.region)
              : asRole(arn, { 'kms:CallerAccount': env.account }),
          },
          env.account,
        );
      expect(await decrypt(slr, 's3')).toBe('Allowed');
      expect(await decrypt(slr)).toBe('ImplicitlyDenied');
      expect(await decrypt(slr, 'sqs')).toBe('ImplicitlyDenied');
      expect(await decrypt(slr, 's3', 'kms:Encrypt')).toBe('ImplicitlyDenied');
      expect(await decrypt(`arn:aws:iam::${env.account}:role/someone-else`, 's3')).toBe('ImplicitlyDenied');
      expect(await decrypt(macieServiceLinkedRoleArn('999999999999'), 's3')).toBe('ImplicitlyDenied');
      // Removing the statement flips the decision: nothing else in the key policy lets the role in.
      const without = {
        ...dataKey,
        policy: { ...dataKey.policy, Statement: dataKey.policy.Statement.filter((s) => s !== macie) },
      };
      expect(await decrypt(slr, 's3', 'kms:Decrypt', without)).toBe('ImplicitlyDenied');
      // Macie reads only the data bucket: the model and logs keys do not admit it.
      for (const purpose of ['model', 'logs']) {
        const key = policies.key(`churn/${env.name}/${purpose}`);
        expect(JSON.stringify(key.policy)).not.toContain('AWSServiceRoleForAmazonMacie');
        expect(await decrypt(slr, 's3', 'kms:Decrypt', key)).toBe('ImplicitlyDenied');
      }
    });
  },
);

describe.each(config.environments.map((env) => [env.name, env] as const))(
  '%s: MODEL-1 MFA Delete check',
  (_name, env) => {
    const { protection, audit, names, stage } = templatesOf(env);
    const [checkId, check] = functionWithEnv(protection, 'BUCKET_NAME');
    const [topicId] = only(audit, 'AWS::SNS::Topic');

    test('the check reads the model bucket and publishes to the project namespace', () => {
      expect(
        (check.Properties!.Environment as { Variables: Record<string, string> }).Variables,
      ).toMatchObject({
        BUCKET_NAME: names.buckets.model,
        METRIC_NAMESPACE: names.metricNamespace,
      });
      expect(check.Properties!.VpcConfig).toBeDefined();
      const statements = policyStatements(protection);
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: 's3:GetBucketVersioning',
          Resource: `arn:aws:s3:::${names.buckets.model}`,
        }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: 'cloudwatch:PutMetricData',
          Resource: '*',
          Condition: { StringEquals: { 'cloudwatch:namespace': names.metricNamespace } },
        }),
      );
    });

    test('an EventBridge schedule runs it every hour', () => {
      const [, rule] = only(
        protection,
        'AWS::Events::Rule',
        (r) => r.Properties?.ScheduleExpression !== undefined,
      );
      expect(rule.Properties!.ScheduleExpression).toBe('rate(1 hour)');
      expect(rule.Properties!.Targets).toEqual([
        expect.objectContaining({ Arn: { 'Fn::GetAtt': [checkId, 'Arn'] }, RetryPolicy: expect.any(Object) }),
      ]);
    });

    test('an alarm fires when MfaDeleteEnabled is below 1 or missing, and when the check fails', () => {
      const topic = referenceTo(`${stage.stageName}-Audit`, topicId);
      const [, mfa] = only(
        protection,
        'AWS::CloudWatch::Alarm',
        (a) => a.Properties?.MetricName === 'MfaDeleteEnabled',
      );
      expect(mfa.Properties).toMatchObject({
        Namespace: names.metricNamespace,
        Dimensions: [{ Name: 'BucketName', Value: names.buckets.model }],
        Statistic: 'Minimum',
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        TreatMissingData: 'breaching',
        Period: 3600,
        EvaluationPeriods: 2,
        AlarmActions: [topic],
      });
      const [, errors] = only(
        protection,
        'AWS::CloudWatch::Alarm',
        (a) => a.Properties?.MetricName === 'Errors',
      );
      expect(errors.Properties).toMatchObject({
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: checkId } }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        AlarmActions: [topic],
      });
    });
  },
);

describe.each(config.environments.map((env) => [env.name, env] as const))(
  '%s: SEC-1 runtime secret',
  (_name, env) => {
    const { protection, keys, stage } = templatesOf(env);
    const [secretId, secret] = only(protection, 'AWS::SecretsManager::Secret');
    const [rotatorId, rotator] = functionWithEnv(protection, 'VALUE_LENGTH');

    test('the webhook signing secret is generated by Secrets Manager and encrypted with the data key', () => {
      const [dataKeyId] = only(keys, 'AWS::KMS::Key', (k) =>
        String(k.Properties?.Description).startsWith('Customer data'),
      );
      expect(secret.Properties!.KmsKeyId).toEqual(referenceTo(`${stage.stageName}-Keys`, dataKeyId));
      expect(secret.Properties!.GenerateSecretString).toEqual({
        PasswordLength: 64,
        ExcludePunctuation: true,
        IncludeSpace: false,
        RequireEachIncludedType: true,
      });
      expect(secret.Properties).not.toHaveProperty('SecretString');
    });

    test('it rotates every 30 days with a rotation function in the VPC that Secrets Manager of this account may invoke', () => {
      const [, schedule] = only(protection, 'AWS::SecretsManager::RotationSchedule');
      expect(schedule.Properties).toEqual({
        SecretId: { Ref: secretId },
        RotationLambdaARN: { 'Fn::GetAtt': [rotatorId, 'Arn'] },
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
      });
      expect(rotator.Properties!.VpcConfig).toBeDefined();
      expect(
        (rotator.Properties!.Environment as { Variables: Record<string, string> }).Variables.VALUE_LENGTH,
      ).toBe('64');
      const [, permission] = only(
        protection,
        'AWS::Lambda::Permission',
        (p) => p.Properties?.Principal === 'secretsmanager.amazonaws.com',
      );
      expect(permission.Properties).toMatchObject({
        FunctionName: { 'Fn::GetAtt': [rotatorId, 'Arn'] },
        SourceAccount: env.account,
      });
      expect(policyStatements(protection)).toContainEqual(
        expect.objectContaining({
          Action: [
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetSecretValue',
            'secretsmanager:PutSecretValue',
            'secretsmanager:UpdateSecretVersionStage',
          ],
          Resource: { Ref: secretId },
        }),
      );
    });

    test('the secret adds nothing to the key policy: access stays through Secrets Manager by IAM policy', () => {
      const [, dataKey] = only(keys, 'AWS::KMS::Key', (k) =>
        String(k.Properties?.Description).startsWith('Customer data'),
      );
      const statements = (dataKey.Properties!.KeyPolicy as { Statement: Array<{ Sid?: string }> }).Statement;
      // CDK's automatic grants add statements without a Sid that name the grantee role.
      expect(statements.filter((st) => st.Sid === undefined)).toEqual([]);
      expect(JSON.stringify(keys.toJSON())).not.toContain('DataProtection');
    });
  },
);

test('the data protection stack is deployed after the keys, network, data and audit stacks', () => {
  const stage = testApp.stage('Prod');
  const dependencies = stage.dataProtection.dependencies.map((s) => s.node.id).sort();
  expect(dependencies).toEqual(['Audit', 'Data', 'Keys', 'Network']);
});

test('the finding pattern matches a Macie finding event of a listed severity only', () => {
  const pattern = macieFindingEventPattern('Medium');
  const event = (description: string) => ({
    source: 'aws.macie',
    'detail-type': 'Macie Finding',
    detail: { severity: { description, score: 2 } },
  });
  const matches = (e: ReturnType<typeof event>) =>
    pattern.source!.includes(e.source) &&
    pattern.detailType!.includes(e['detail-type']) &&
    (pattern.detail as { severity: { description: string[] } }).severity.description.includes(
      e.detail.severity.description,
    );
  expect(matches(event('High'))).toBe(true);
  expect(matches(event('Medium'))).toBe(true);
  expect(matches(event('Low'))).toBe(false);
});
