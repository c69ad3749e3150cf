import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CONFIG_ENV_VAR,
  cognitoUserPool,
  EXAMPLE_CONFIG_PATH,
  loadConfig,
  resolveConfigPath,
  validateConfig,
} from '../../../lib/config';
import { rawExampleConfig } from '../../helpers/app';
import { problemsOf, type Raw } from '../../helpers/config-problems';

describe('configuration schema (ENV-1, ENV-2)', () => {
  test('the committed example configuration is valid and fills in defaults', () => {
    const config = loadConfig(EXAMPLE_CONFIG_PATH);
    expect(config.environments.map((e) => e.name)).toEqual(['dev', 'test', 'prod']);
    const test = config.environments.find((e) => e.name === 'test')!;
    expect(test.requireModelApproval).toBe(true);
    expect(test.network.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b']);
    expect(config.project.cdkQualifier).toBe('hnb659fds');
  });

  test('a malformed account id names the environment, the field and the expected form', () => {
    expect(problemsOf((r) => (r.environments.dev.account = '12345'))).toEqual([
      "environments.dev.account: '12345' is not allowed; expected a 12-digit AWS account id",
    ]);
  });

  test('an unknown region is refused', () => {
    expect(problemsOf((r) => (r.environments.test.region = 'eu-west-9'))).toEqual([
      "environments.test.region: 'eu-west-9' is not a known AWS region (e.g. eu-west-1, us-east-1)",
    ]);
  });

  test.each([
    ['10.10.0.0', 'is not an IPv4 CIDR'],
    ['10.10.0.1/16', 'host bits set'],
    ['10.10.0.0/8', 'prefix from /16 to /24'],
    ['10.300.0.0/16', 'octet above 255'],
  ])('the invalid CIDR %s is refused (%s)', (cidr, why) => {
    const problems = problemsOf((r) => (r.environments.dev.network.vpcCidr = cidr));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^environments\.dev\.network\.vpcCidr: /);
    expect(problems[0]).toContain(why);
  });

  test('overlapping VPC ranges of two environments are refused', () => {
    expect(problemsOf((r) => (r.environments.prod.network.vpcCidr = '10.10.128.0/17'))).toEqual([
      "environments.prod.network.vpcCidr: 10.10.128.0/17 overlaps dev's 10.10.0.0/16; give each environment a distinct range",
    ]);
  });

  test('two environments in one account are refused (ENV-1)', () => {
    const problems = problemsOf((r) => {
      r.environments.test.account = r.environments.dev.account;
      r.environments.test.trustedRoleArns = [];
    });
    expect(problems).toEqual([
      'environments.test.account: 111111111111 is already used by dev; every environment needs its own account (ENV-1)',
    ]);
  });

  test('an environment in the tooling account is refused', () => {
    expect(problemsOf((r) => (r.tooling.account = '333333333333'))[0]).toContain('already used by tooling');
  });

  test('prod that would destroy data on stack deletion is refused (ENV-2)', () => {
    expect(problemsOf((r) => (r.environments.prod.removalPolicy = 'destroy'))).toEqual([
      "environments.prod.removalPolicy: must be 'retain' in prod: data-bearing resources outlive the stack (ENV-2)",
    ]);
  });

  test('prod without termination protection is refused (ENV-2)', () => {
    expect(problemsOf((r) => (r.environments.prod.terminationProtection = false))).toEqual([
      'environments.prod.terminationProtection: must be true in prod (ENV-2)',
    ]);
  });

  test('prod defaults to retain and termination protection when the fields are omitted', () => {
    const raw = rawExampleConfig() as Raw;
    delete raw.environments.prod.removalPolicy;
    delete raw.environments.prod.terminationProtection;
    const prod = validateConfig(raw).environments.find((e) => e.name === 'prod')!;
    expect(prod.removalPolicy).toBe('retain');
    expect(prod.terminationProtection).toBe(true);
  });

  test('test and prod cannot serve unapproved models (MODEL-2)', () => {
    expect(problemsOf((r) => (r.environments.test.requireModelApproval = false))[0]).toContain(
      'environments.test.requireModelApproval: must be true in test',
    );
  });

  test('MODEL-7: robustness thresholds default per environment; test and prod must refuse, dev may warn', () => {
    const config = loadConfig(EXAMPLE_CONFIG_PATH);
    const byName = (name: string) => config.environments.find((e) => e.name === name)!.robustness;
    expect(byName('dev')).toEqual({
      enforcement: 'warn',
      maxDecisionFlipRate: 0.05,
      maxProbabilityChange: 0.5,
      maxMonotonicityViolations: 0,
      minExtractionQueries: 1024,
    });
    expect(byName('prod').enforcement).toBe('refuse');
    expect(problemsOf((r) => (r.environments.prod.robustness = { enforcement: 'warn' }))).toEqual([
      "environments.prod.robustness.enforcement: must be 'refuse' in prod: promotion needs a robustness assessment that meets the thresholds (MODEL-7)",
    ]);
    expect(
      problemsOf(
        (r) => (r.environments.dev.robustness = { maxDecisionFlipRate: 1.5, maxMonotonicityViolations: -1 }),
      ),
    ).toEqual([
      'environments.dev.robustness.maxDecisionFlipRate: must be a number from 0 to 1, got 1.5',
      'environments.dev.robustness.maxMonotonicityViolations: must be an integer from 0 to 1000000000, got -1',
    ]);
  });

  test('a trusted role from another account is refused', () => {
    expect(
      problemsOf((r) => (r.environments.dev.trustedRoleArns = ['arn:aws:iam::999999999999:role/x']))[0],
    ).toContain("role is in account 999999999999, not in this environment's account 111111111111");
  });

  test('a log retention CloudWatch does not offer is refused with the allowed values', () => {
    expect(problemsOf((r) => (r.environments.dev.logRetentionDays = 42))[0]).toMatch(
      /^environments\.dev\.logRetentionDays: must be one of 1, 3, 5, .* 3653 \(CloudWatch Logs retention days\), got 42$/,
    );
  });

  test('misspelt fields are refused instead of silently ignored', () => {
    expect(problemsOf((r) => (r.environments.dev.logRetentionDay = 30))[0]).toMatch(
      /^environments\.dev\.logRetentionDay: unknown field; allowed: account, region/,
    );
  });

  test('a missing environment is refused', () => {
    expect(problemsOf((r) => delete r.environments.test)).toEqual([
      'environments.test: is required: the project deploys dev, test, prod, each to its own account (ENV-1)',
    ]);
  });

  test('availability zones outside the region or not matching maxAzs are refused', () => {
    const problems = problemsOf((r) => (r.environments.dev.network.availabilityZones = ['us-east-1a']));
    expect(problems).toContain(
      'environments.dev.network.availabilityZones: must list exactly maxAzs (2) zones',
    );
    expect(problems).toContain(
      "environments.dev.network.availabilityZones: 'us-east-1a' is not in eu-west-1",
    );
  });

  test('a project name that makes a bucket name too long is refused', () => {
    expect(problemsOf((r) => (r.project.name = 'a-very-long-project-n'))[0]).toContain('project.name');
    const problems = problemsOf((r) => {
      r.project.name = 'churn-analytics-xyzq';
      r.environments.prod.region = 'ap-southeast-3';
    });
    expect(problems).toEqual([
      "project.name: 'churn-analytics-xyzq' makes the bucket name 'churn-analytics-xyzq-prod-access-logs-333333333333-ap-southeast-3' longer than S3's 63 characters; shorten it",
    ]);
  });

  test('every problem is reported in one run', () => {
    const problems = problemsOf((r) => {
      r.environments.dev.account = 'x';
      r.environments.prod.removalPolicy = 'destroy';
      r.environments.test.region = 'nowhere-1';
    });
    expect(problems).toHaveLength(3);
  });
});

describe('selecting a configuration file', () => {
  test('context wins over the environment variable, which wins over the example', () => {
    expect(resolveConfigPath('ctx.json', { [CONFIG_ENV_VAR]: 'env.json' })).toBe(path.resolve('ctx.json'));
    expect(resolveConfigPath(undefined, { [CONFIG_ENV_VAR]: 'env.json' })).toBe(path.resolve('env.json'));
    expect(resolveConfigPath(undefined, {})).toBe(EXAMPLE_CONFIG_PATH);
  });

  test('an unreadable or malformed file is reported with its path', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{ "project": ');
    expect(() => loadConfig(bad)).toThrow(`configuration file ${bad} is not valid JSON`);
    expect(() => loadConfig(path.join(dir, 'missing.json'))).toThrow('cannot read configuration file');
  });
});

describe('serving, API, Macie and monitoring settings', () => {
  test('prod needs at least two endpoint instances', () => {
    expect(problemsOf((r) => (r.environments.prod.serving.instanceCount = 1))).toEqual([
      'environments.prod.serving.instanceCount: must be at least 2 in prod, so the endpoint survives the loss of an availability zone',
    ]);
  });

  test('omitted sections take documented defaults', () => {
    const raw = rawExampleConfig() as Raw;
    for (const key of ['alerts', 'macie', 'serving', 'api', 'monitoring']) delete raw.environments.dev[key];
    const dev = validateConfig(raw).environments.find((e) => e.name === 'dev')!;
    expect(dev.serving).toMatchObject({
      mode: 'sagemaker',
      modelVersion: 'latest-approved',
      instanceCount: 1,
      rollout: { strategy: 'canary', stepPercent: 10 },
    });
    expect(dev.api).toMatchObject({
      authorization: 'iam',
      maxBatchSize: 100,
      riskThresholds: { high: 0.7, medium: 0.4 },
    });
    expect(dev.monitoring).toMatchObject({
      driftSchedule: 'rate(1 hour)',
      significanceLevel: 0.05,
      autoRollback: false,
    });
    expect(dev.macie).toEqual({
      enableInAccount: true,
      scheduleFrequency: 'WEEKLY:SUNDAY',
      minimumAlertSeverity: 'Medium',
    });
  });

  test.each([
    [
      (r: Raw) => (r.environments.dev.serving.instanceType = 'm5.large'),
      'environments.dev.serving.instanceType',
    ],
    [
      (r: Raw) => (r.environments.dev.serving.modelVersion = 'newest'),
      'environments.dev.serving.modelVersion',
    ],
    [
      (r: Raw) => (r.environments.dev.api.authorization = 'jwt'),
      "environments.dev.api.jwt: is required when authorization is 'jwt'",
    ],
    [
      (r: Raw) => (r.environments.dev.api.riskThresholds = { high: 0.3, medium: 0.5 }),
      'environments.dev.api.riskThresholds: medium (0.5) must be below high (0.3)',
    ],
    [
      (r: Raw) => (r.environments.dev.macie.scheduleFrequency = 'WEEKLY:FUNDAY'),
      "environments.dev.macie.scheduleFrequency: 'WEEKLY:FUNDAY' is not DAILY",
    ],
    [
      (r: Raw) => (r.environments.dev.monitoring.driftSchedule = 'every hour'),
      'environments.dev.monitoring.driftSchedule',
    ],
    [(r: Raw) => (r.environments.dev.alerts.email = 'not-an-address'), 'environments.dev.alerts.email'],
    [(r: Raw) => (r.project.customerIdPattern = '.*'), "project.customerIdPattern: '.*' must be anchored"],
    [(r: Raw) => (r.project.customerIdPattern = '^.*$'), 'matches almost anything'],
    [(r: Raw) => (r.project.customerIdPattern = '^[0-9$'), 'is not a valid regular expression'],
  ])('a bad setting is refused with its path (%#)', (mutate, expected) => {
    const problems = problemsOf(mutate);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });
});

describe('API clients', () => {
  test('clients default to none and are read with their limits', () => {
    const config = validateConfig(rawExampleConfig());
    expect(config.environments.find((e) => e.name === 'dev')!.api.clients).toEqual([]);
    expect(config.environments.find((e) => e.name === 'prod')!.api.clients[0]).toEqual({
      name: 'crm-batch-scoring',
      rateLimit: 100,
      burstLimit: 200,
      quotaPerDay: 500000,
    });
  });

  test('a bad or duplicated client is refused with its index', () => {
    const problems = problemsOf((r) => {
      r.environments.prod.api.clients = [
        { name: 'crm', rateLimit: 1, burstLimit: 1 },
        { name: 'crm', rateLimit: 0, burstLimit: 1 },
        { name: 'Bad Name', rateLimit: 1, burstLimit: 1 },
      ];
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        "environments.prod.api.clients[1].name: 'crm' is listed twice",
        'environments.prod.api.clients[1].rateLimit: must be an integer from 1 to 10000, got 0',
        expect.stringContaining('environments.prod.api.clients[2].name'),
      ]),
    );
  });
});

describe('rules that used to live in the stacks, and what the schema library changed', () => {
  test('automated rollback without a SageMaker endpoint is refused when the configuration loads', () => {
    expect(problemsOf((r) => (r.environments.dev.monitoring.autoRollback = true))).toEqual([
      "environments.dev.monitoring.autoRollback: needs serving.mode 'sagemaker': an embedded model has no endpoint to roll back",
    ]);
  });

  test('a JWT issuer that is not a Cognito user pool is refused when the configuration loads', () => {
    const problems = problemsOf((r) => {
      r.environments.dev.api.authorization = 'jwt';
      r.environments.dev.api.jwt = { issuer: 'https://login.example.com/', audience: ['x'] };
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^environments\.dev\.api\.jwt\.issuer: 'https:\/\/login\.example\.com\/' must be a Cognito user pool issuer .*Lambda authorizer/,
      ),
    ]);
  });

  test('a Cognito issuer is read back as its user pool', () => {
    expect(cognitoUserPool('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123')).toEqual({
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_AbCdEf123',
    });
  });

  test('monitoring.baselineFile is a known field (the hand-written reader refused it as unknown)', () => {
    const raw = rawExampleConfig() as Raw;
    raw.environments.dev.monitoring.baselineFile = 'models/other/baseline.json';
    const dev = validateConfig(raw).environments.find((e) => e.name === 'dev')!;
    expect(dev.monitoring.baselineFile).toBe('models/other/baseline.json');
    expect(problemsOf((r) => (r.environments.dev.monitoring.baselineFile = 'base.csv'))).toEqual([
      "environments.dev.monitoring.baselineFile: 'base.csv' is not allowed; expected a path to a .json baseline",
    ]);
  });

  test.each([
    [
      (r: Raw) => (r.environments.dev.serving.modelVersion = 'newest'),
      "environments.dev.serving.modelVersion: must be 'latest-approved' or an integer from 1 to 1000000, got 'newest'",
    ],
    [
      (r: Raw) => (r.environments.dev.serving.instanceCount = 'two'),
      "environments.dev.serving.instanceCount: must be an integer from 1 to 100, got 'two'",
    ],
    [
      (r: Raw) => (r.environments.prod.serving.instanceCount = 200),
      'environments.prod.serving.instanceCount: must be an integer from 2 to 100, got 200',
    ],
    [(r: Raw) => (r.environments.dev.network = 'x'), "environments.dev.network: must be an object, got 'x'"],
    [
      (r: Raw) => delete r.environments.dev.modelBucket,
      'environments.dev.modelBucket: must be an object, got nothing (the field is missing)',
    ],
    [
      (r: Raw) => (r.environments.dev.api.maxBatchSize = 2.5),
      'environments.dev.api.maxBatchSize: must be an integer from 1 to 1000, got 2.5',
    ],
    [
      (r: Raw) => (r.environments.dev.macie.enableInAccount = 'yes'),
      "environments.dev.macie.enableInAccount: must be true or false, got 'yes'",
    ],
    [(r: Raw) => (r.project.owner = ''), "project.owner: must be a non-empty string, got ''"],
    [
      (r: Raw) =>
        (r.environments.dev.api.jwt = {
          issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_A',
          audience: [],
        }),
      'environments.dev.api.jwt.audience: must name at least one audience (client id)',
    ],
    [
      (r: Raw) => (r.environments.dev.monitoring.significanceLevel = 0.5),
      'environments.dev.monitoring.significanceLevel: must be a number strictly between 0 and 0.5, got 0.5',
    ],
  ])('a wrong value names what is allowed and what was given (%#)', (mutate, expected) => {
    expect(problemsOf(mutate)).toEqual([expected]);
  });

  test('the whole file must be an object', () => {
    expect(() => validateConfig([], 'x.json')).toThrow(
      'invalid configuration x.json:\n  - (root): must be an object, got an array',
    );
  });

  test('a field problem in one environment does not hide a cross-field rule in another', () => {
    const problems = problemsOf((r) => {
      r.environments.dev.account = 'x';
      r.environments.prod.network.vpcCidr = '10.20.0.0/16';
      r.environments.prod.serving.maxInstanceCount = 1;
    });
    expect(problems).toEqual([
      "environments.dev.account: 'x' is not allowed; expected a 12-digit AWS account id",
      'environments.prod.serving.maxInstanceCount: must be at least instanceCount (2)',
      "environments.prod.network.vpcCidr: 10.20.0.0/16 overlaps test's 10.20.0.0/16; give each environment a distinct range",
    ]);
  });

  test('the validated configuration carries derived defaults', () => {
    const raw = rawExampleConfig() as Raw;
    delete raw.environments.prod.serving.maxInstanceCount;
    raw.environments.prod.serving.instanceCount = 5;
    const prod = validateConfig(raw).environments.find((e) => e.name === 'prod')!;
    expect(prod.serving.maxInstanceCount).toBe(5);
    expect(prod.network.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(prod.name).toBe('prod');
  });
});

describe('settings with a prod default instead of a branch on the name', () => {
  test('api.executionLogLevel defaults to ERROR in prod and INFO elsewhere, and either may be chosen', () => {
    const config = validateConfig(rawExampleConfig());
    const level = (name: string) => config.environments.find((e) => e.name === name)!.api.executionLogLevel;
    expect([level('dev'), level('test'), level('prod')]).toEqual(['INFO', 'INFO', 'ERROR']);
    expect(problemsOf((r) => (r.environments.prod.api.executionLogLevel = 'DEBUG'))).toEqual([
      "environments.prod.api.executionLogLevel: must be one of 'ERROR', 'INFO', got 'DEBUG'",
    ]);
  });

  test('serving.featureSpecFile defaults to the sample model and must name a .json file', () => {
    const dev = validateConfig(rawExampleConfig()).environments[0];
    expect(dev.serving.featureSpecFile).toBe('models/sample-churn/feature-spec.json');
    expect(problemsOf((r) => (r.environments.dev.serving.featureSpecFile = 'spec.yaml'))).toEqual([
      "environments.dev.serving.featureSpecFile: 'spec.yaml' is not allowed; expected a path to a .json feature specification",
    ]);
  });
});
