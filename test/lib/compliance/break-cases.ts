/**
 * "Break one control": for every control of the catalogue, a change to one synthesized environment (or to
 * what the report is given) that must turn exactly that control FAILING in the report. The table is keyed
 * by control id, so a control without a case fails type-checking; a control another issue has not built
 * yet is listed as pending, and the test demands a real case once it is built.
 */
import {
  CfnTemplate,
  CloudAssemblyView,
  StackArtifact,
  TemplateResource,
} from '../../../lib/compliance/assembly';
import { ControlId } from '../../../lib/compliance/catalogue';
import { FEATURE_DRIFT_METRIC } from '../../../lib/compliance/controls/mon/mon-1-data-drift';
import { PREDICTION_QUALITY_METRICS } from '../../../lib/compliance/controls/mon/mon-2-prediction-drift';
import { ReportOptions } from '../../../lib/compliance/report';
import { FUNCTION_ANSWER_CHECK_TYPE } from '../../../lib/compliance/controls/model/model-6-verified-answers';
import { inferenceEnvironment } from '../../../lambda/inference/environment';

/** Names of the inference function's variables, from its environment contract. */
const VARIABLE = Object.fromEntries(
  Object.entries(inferenceEnvironment.variables).map(([key, v]) => [key, v.name]),
) as { readonly [K in keyof typeof inferenceEnvironment.variables]: string };

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
type Props = Record<string, unknown>;
type Statement = { Sid?: string; Effect?: string; Action?: unknown; Condition?: Record<string, Props> };

export interface Found {
  readonly logicalId: string;
  readonly resource: Mutable<TemplateResource> & { Properties: Props };
  readonly template: Mutable<CfnTemplate>;
  readonly stack: Mutable<StackArtifact>;
}

/** One environment of a copy of the assembly, and a copy of the report's options, for one case to change. */
export class Breakable {
  constructor(
    readonly stacks: Array<Mutable<StackArtifact>>,
    readonly options: { -readonly [K in keyof ReportOptions]: ReportOptions[K] },
  ) {}

  stack(name: string): Mutable<StackArtifact> {
    const found = this.stacks.find((s) => s.displayName.endsWith(`/${name}`));
    if (!found) throw new Error(`no stack ${name}`);
    return found;
  }

  /** Resources of a type (optionally in one stack); throws when there is none, so a case never breaks nothing. */
  resources(type: string, stack?: string): Found[] {
    const found = this.stacks
      .filter((s) => !stack || s.displayName.endsWith(`/${stack}`))
      .flatMap((s) =>
        Object.entries(s.template.Resources ?? {})
          .filter(([, r]) => r.Type === type)
          .map(([logicalId, resource]) => {
            (resource as { Properties?: Props }).Properties ??= {};
            return { logicalId, resource: resource as Found['resource'], template: s.template, stack: s };
          }),
      );
    if (found.length === 0) throw new Error(`no ${type}${stack ? ` in ${stack}` : ''}`);
    return found;
  }

  remove(found: readonly Found[]): void {
    for (const f of found) delete (f.template.Resources as Record<string, unknown>)[f.logicalId];
  }

  /** The inference function's environment variables. */
  inferenceVariables(): Props {
    const fn = this.resources('AWS::Lambda::Function', 'Api')[0];
    return (fn.resource.Properties.Environment as { Variables: Props }).Variables;
  }

  /** Removes the statements a filter selects from every policy document of a type; throws if none matched. */
  dropStatements(type: string, property: string, drop: (s: Statement) => boolean): void {
    let dropped = 0;
    for (const f of this.resources(type)) {
      const doc = f.resource.Properties[property] as { Statement: Statement[] };
      const before = doc.Statement.length;
      doc.Statement = doc.Statement.filter((s) => !drop(s));
      dropped += before - doc.Statement.length;
    }
    if (dropped === 0) throw new Error(`no statement of ${type} matched`);
  }
}

const conditionKeys = (s: Statement) =>
  Object.values(s.Condition ?? {}).flatMap((block) => Object.keys(block).map((k) => k.toLowerCase()));

const alarmMetric = (f: Found) => f.resource.Properties.MetricName;

export interface BreakCase {
  /** The environment changed. @default 'Prod' */
  readonly environment?: 'Dev' | 'Test' | 'Prod';
  /** What the change does, as a reviewer would describe the broken control. */
  readonly change: string;
  readonly mutate: (b: Breakable) => void;
  /**
   * Controls that check the same property and so fail with it, each with the reason; empty for almost
   * every control.
   */
  readonly alsoFails?: Readonly<Partial<Record<ControlId, string>>>;
  /** The change is to what the report is given (repository, configuration), so every environment fails. */
  readonly everyEnvironment?: true;
}

export interface PendingCase {
  /** The issue building the control; its module reports FAILING until then. */
  readonly pending: number;
}

export const BREAK_CASES: { readonly [Id in ControlId]: BreakCase | PendingCase } = {
  'ENV-1': {
    change: 'one stack of the environment targets another account',
    mutate: (b) => {
      b.stack('Monitoring').account = '999999999999';
    },
  },
  'ENV-2': {
    change: 'a production stack loses termination protection',
    mutate: (b) => {
      b.stack('Data').terminationProtection = false;
    },
  },
  'ENV-3': {
    change: 'a log group loses all its tags',
    mutate: (b) => {
      delete b.resources('AWS::Logs::LogGroup', 'Api')[0].resource.Properties.Tags;
    },
  },
  'ENV-4': {
    change: 'a named bucket is retained even when its first creation rolls back (DeletionPolicy Retain)',
    mutate: (b) => {
      const bucket = b.resources('AWS::S3::Bucket', 'Data').find((x) => x.resource.Properties.BucketName)!;
      bucket.resource.DeletionPolicy = 'Retain';
    },
  },
  'NET-1': {
    change: 'an internet gateway appears in the VPC (tagged like the VPC)',
    mutate: (b) => {
      const vpc = b.resources('AWS::EC2::VPC')[0];
      vpc.template.Resources!.Igw = {
        Type: 'AWS::EC2::InternetGateway',
        Properties: { Tags: vpc.resource.Properties.Tags },
      };
    },
  },
  'NET-2': {
    change: 'an interface endpoint loses private DNS',
    mutate: (b) => {
      const endpoint = b
        .resources('AWS::EC2::VPCEndpoint')
        .find((e) => e.resource.Properties.VpcEndpointType === 'Interface')!;
      endpoint.resource.Properties.PrivateDnsEnabled = false;
    },
  },
  'NET-3': {
    change: 'the endpoint security group admits SSH from anywhere',
    mutate: (b) => {
      const sg = b.resources('AWS::EC2::SecurityGroup', 'Network')[0];
      sg.resource.Properties.SecurityGroupIngress = [
        ...((sg.resource.Properties.SecurityGroupIngress as unknown[]) ?? []),
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' },
      ];
    },
  },
  'NET-4': {
    change: 'the VPC flow log is removed',
    mutate: (b) => b.remove(b.resources('AWS::EC2::FlowLog')),
  },
  'NET-5': {
    change: 'the web ACL loses the known-bad-inputs managed rule group',
    mutate: (b) => {
      const acl = b.resources('AWS::WAFv2::WebACL')[0].resource.Properties;
      const rules = acl.Rules as Array<{ Statement?: { ManagedRuleGroupStatement?: { Name?: string } } }>;
      acl.Rules = rules.filter(
        (r) => r.Statement?.ManagedRuleGroupStatement?.Name !== 'AWSManagedRulesKnownBadInputsRuleSet',
      );
      if ((acl.Rules as unknown[]).length === rules.length) throw new Error('no such rule group');
    },
  },
  'NET-6': {
    change: 'the buckets lose their data-perimeter deny on aws:SourceVpce',
    mutate: (b) =>
      b.dropStatements(
        'AWS::S3::BucketPolicy',
        'PolicyDocument',
        (s) => s.Effect === 'Deny' && conditionKeys(s).includes('aws:sourcevpce'),
      ),
  },
  'KEY-1': {
    change: 'a function log group loses its customer-managed key',
    mutate: (b) => {
      const group = b.resources('AWS::Logs::LogGroup', 'Api').find((g) => g.resource.Properties.KmsKeyId)!;
      delete group.resource.Properties.KmsKeyId;
    },
  },
  'KEY-2': {
    change: 'a key policy lets the account create grants without kms:GrantIsForAWSResource',
    mutate: (b) => {
      const key = b.resources('AWS::KMS::Key', 'Keys')[0].resource.Properties;
      (key.KeyPolicy as { Statement: unknown[] }).Statement.push({
        Sid: 'Broken',
        Effect: 'Allow',
        Principal: {
          AWS: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root'],
            ],
          },
        },
        Action: 'kms:CreateGrant',
        Resource: '*',
      });
    },
  },
  'KEY-3': {
    change: 'the logs alias names the data key',
    mutate: (b) => {
      const aliases = b.resources('AWS::KMS::Alias', 'Keys');
      const alias = (purpose: string) =>
        aliases.find((a) => String(a.resource.Properties.AliasName).endsWith(`/${purpose}`))!.resource
          .Properties;
      alias('logs').TargetKeyId = alias('data').TargetKeyId;
    },
  },
  'KEY-4': {
    change: 'the buckets stop denying requests without TLS',
    mutate: (b) =>
      b.dropStatements('AWS::S3::BucketPolicy', 'PolicyDocument', (s) =>
        conditionKeys(s).includes('aws:securetransport'),
      ),
  },
  'SEC-1': {
    change: 'a password is written into the inference function environment',
    mutate: (b) => {
      b.inferenceVariables().DB_PASSWORD = 'correct-horse-battery-staple';
    },
  },
  'SEC-2': {
    change: 'a function policy allows s3:* on every resource',
    mutate: (b) => {
      const policy = b.resources('AWS::IAM::ManagedPolicy', 'Api')[0].resource.Properties;
      (policy.PolicyDocument as { Statement: unknown[] }).Statement.push({
        Effect: 'Allow',
        Action: 's3:*',
        Resource: '*',
      });
    },
  },
  'SEC-3': {
    change: 'the deploy role trusts any repository of the organisation',
    mutate: (b) => {
      const role = b.resources('AWS::IAM::Role', 'Cicd')[0].resource.Properties;
      for (const s of (role.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement) {
        const equals = s.Condition?.StringEquals;
        if (equals && 'token.actions.githubusercontent.com:sub' in equals)
          equals['token.actions.githubusercontent.com:sub'] = 'repo:example/*';
      }
    },
  },
  'SEC-4': {
    change: 'the inference method takes unauthenticated requests',
    mutate: (b) => {
      b.resources('AWS::ApiGateway::Method', 'Api')[0].resource.Properties.AuthorizationType = 'NONE';
    },
  },
  'SEC-5': {
    change: 'a function runs a Lambda asset that has no CycloneDX bill of materials',
    mutate: (b) => {
      const fn = b.resources('AWS::Lambda::Function', 'Monitoring')[0].resource;
      fn.Metadata = { ...fn.Metadata, 'aws:asset:path': '../asset.without-a-bill-of-materials' };
    },
  },
  'DATA-1': {
    change: 'the request model accepts unknown properties',
    mutate: (b) => {
      const schema = b.resources('AWS::ApiGateway::Model', 'Api')[0].resource.Properties.Schema as Props;
      schema.additionalProperties = true;
      (schema.items as Props).additionalProperties = true;
    },
  },
  'DATA-2': {
    change: 'the Macie classification job is removed',
    mutate: (b) => b.remove(b.resources('Custom::MacieClassificationJob')),
  },
  'DATA-3': {
    change: 'the capture expiry rule keeps captured inference data forever (no expiration)',
    mutate: (b) => {
      let changed = 0;
      for (const bucket of b.resources('AWS::S3::Bucket', 'Data')) {
        const lifecycle = bucket.resource.Properties.LifecycleConfiguration as
          { Rules: Array<{ Prefix?: string; ExpirationInDays?: number }> } | undefined;
        for (const rule of lifecycle?.Rules ?? []) {
          if (!String(rule.Prefix ?? '').startsWith('capture') || rule.ExpirationInDays === undefined)
            continue;
          delete rule.ExpirationInDays;
          changed++;
        }
      }
      if (changed === 0) throw new Error('no capture expiry rule');
    },
  },
  'DATA-4': {
    change: 'the API stage traces full request bodies into its logs',
    mutate: (b) => {
      const stage = b.resources('AWS::ApiGateway::Stage', 'Api')[0].resource.Properties;
      stage.MethodSettings = [
        ...((stage.MethodSettings as unknown[]) ?? []),
        { HttpMethod: '*', ResourcePath: '/*', DataTraceEnabled: true },
      ];
    },
  },
  'DATA-5': {
    change: 'the inference function no longer holds the served model it explains with',
    mutate: (b) => {
      delete b.inferenceVariables()[VARIABLE.modelDataUrl];
    },
    alsoFails: {
      'MODEL-3':
        'the served artifact is also what MODEL-3 requires every API backend to load through the gate; without it the function serves no verified artifact either',
    },
  },
  'MODEL-1': {
    change: 'the model bucket loses its deny of destructive changes without MFA',
    mutate: (b) =>
      b.dropStatements(
        'AWS::S3::BucketPolicy',
        'PolicyDocument',
        (s) => s.Sid === 'DenyDestructiveChangesWithoutMfa',
      ),
  },
  'MODEL-2': {
    change: 'the production model gate no longer requires an approved version',
    mutate: (b) => {
      for (const gate of b.resources('Custom::ModelGate')) gate.resource.Properties.RequireApproval = 'false';
    },
  },
  'MODEL-3': {
    change: "the inference function loads the served artifact without the gate's recorded digest",
    mutate: (b) => {
      delete b.inferenceVariables()[VARIABLE.modelSha256];
    },
  },
  'MODEL-4': {
    change: 'the SageMaker models run without network isolation',
    mutate: (b) => {
      for (const m of b.resources('AWS::SageMaker::Model'))
        m.resource.Properties.EnableNetworkIsolation = false;
    },
  },
  'MODEL-5': {
    change: 'the endpoint loses its auto-rollback alarms',
    mutate: (b) => {
      const config = b.resources('AWS::SageMaker::Endpoint')[0].resource.Properties.DeploymentConfig as Props;
      delete config.AutoRollbackConfiguration;
    },
  },
  'MODEL-6': {
    // Dev serves embedded: the check of the inference function's version (Prod's endpoint check is the
    // control module's own non-compliant case).
    environment: 'Dev',
    change: 'the served-answer check of the inference function (embedded serving) is removed',
    mutate: (b) => b.remove(b.resources(FUNCTION_ANSWER_CHECK_TYPE)),
  },
  'MODEL-7': {
    change: 'the model gates only warn about a missing or failing robustness assessment',
    mutate: (b) => {
      for (const g of b.resources('Custom::ModelGate')) g.resource.Properties.RobustnessEnforcement = 'warn';
      for (const g of b.resources('Custom::ModelGate')) g.resource.Properties.RequireApproval = 'true';
    },
  },
  'MON-1': {
    change: `the ${FEATURE_DRIFT_METRIC} alarm is removed`,
    mutate: (b) =>
      b.remove(b.resources('AWS::CloudWatch::Alarm').filter((a) => alarmMetric(a) === FEATURE_DRIFT_METRIC)),
  },
  'MON-2': {
    change: 'the alarm on the first prediction-quality metric is removed',
    mutate: (b) => {
      const metric = Object.keys(PREDICTION_QUALITY_METRICS)[0];
      const alarms = b.resources('AWS::CloudWatch::Alarm').filter((a) => alarmMetric(a) === metric);
      if (alarms.length === 0) throw new Error(`no alarm on ${metric}`);
      b.remove(alarms);
    },
  },
  'MON-3': {
    change: 'an endpoint alarm notifies nobody',
    mutate: (b) => {
      b.resources('AWS::CloudWatch::Alarm', 'Endpoint')[0].resource.Properties.AlarmActions = [];
    },
  },
  'MON-4': {
    change: 'the operational dashboard is removed',
    mutate: (b) => b.remove(b.resources('AWS::CloudWatch::Dashboard')),
  },
  'MON-5': {
    change: 'the anomaly-detection alarms are removed',
    mutate: (b) =>
      b.remove(
        b
          .resources('AWS::CloudWatch::Alarm')
          .filter((a) => a.resource.Properties.ThresholdMetricId !== undefined),
      ),
  },
  'MON-6': {
    change: 'the ConcentratedDrift alarm is removed',
    mutate: (b) =>
      b.remove(b.resources('AWS::CloudWatch::Alarm').filter((a) => alarmMetric(a) === 'ConcentratedDrift')),
  },
  'AUD-1': {
    change: 'the trail stops validating its log files',
    mutate: (b) => {
      delete b.resources('AWS::CloudTrail::Trail')[0].resource.Properties.EnableLogFileValidation;
    },
  },
  'AUD-2': {
    change: 'an acknowledgment in the Data stack carries a vague reason',
    mutate: (b) => {
      const acknowledged = Object.values(b.stack('Data').template.Resources ?? {}).find(
        (r) =>
          (r.Metadata?.cdk_nag as { rules_to_suppress?: unknown[] } | undefined)?.rules_to_suppress?.length,
      );
      if (!acknowledged) throw new Error('no acknowledgment in the Data stack');
      (
        acknowledged.Metadata!.cdk_nag as { rules_to_suppress: Array<{ reason: string }> }
      ).rules_to_suppress[0].reason = 'ok';
    },
  },
  'AUD-3': {
    everyEnvironment: true,
    change: "a control's evidence-check module is missing from the repository layout",
    mutate: (b) => {
      const { repository } = b.options;
      const files = { ...repository!.controlFiles };
      delete files['NET-4'];
      b.options.repository = { ...repository!, controlFiles: files };
    },
  },
  'AUD-4': {
    everyEnvironment: true,
    change: 'CI stops running the dependency audit',
    mutate: (b) => {
      const { repository } = b.options;
      const workflows = repository!.workflows.map((w) => ({
        ...w,
        text: w.text
          .split('\n')
          .filter((line) => !/npm audit/.test(line))
          .join('\n'),
      }));
      b.options.repository = { ...repository!, workflows };
    },
  },
  'AUD-5': {
    everyEnvironment: true,
    change: 'the report is written without the configuration, so no DPIA draft',
    mutate: (b) => {
      b.options.configuration = undefined;
    },
  },
  'REL-1': {
    environment: 'Dev',
    change: 'the inference function loses its request deadline',
    mutate: (b) => {
      delete b.inferenceVariables()[VARIABLE.deadlineMarginMs];
    },
  },
  'REL-2': {
    environment: 'Dev',
    change: 'the inference function parks no failed capture records',
    mutate: (b) => {
      delete b.inferenceVariables()[VARIABLE.captureMaxParkedRecords];
    },
  },
};

/** A copy of the assembly with one environment open to change, and a copy of the options. */
export function breakable(
  assembly: CloudAssemblyView,
  environment: string,
  options: ReportOptions,
): { assembly: CloudAssemblyView; target: Breakable } {
  const env = assembly.environments.find((e) => e.name === environment);
  if (!env) throw new Error(`no environment ${environment}`);
  const stacks = structuredClone(env.stacks) as Array<Mutable<StackArtifact>>;
  const copy: CloudAssemblyView = {
    ...assembly,
    environments: assembly.environments.map((e) => (e === env ? { name: e.name, stacks } : e)),
  };
  return { assembly: copy, target: new Breakable(stacks, { ...options } as Breakable['options']) };
}
