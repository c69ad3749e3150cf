import { DATA_BUCKET_PREFIXES } from '../config/naming';
import { ValidationReport } from './assembly';
import { CONTROLS, ControlStatus } from './controls';
import { keysOf, KEY_PROPERTIES, publicEntryPoints } from './inventory';
import { conditionKeys, EnvironmentModel, ResourceHandle, Statement, statementsOf } from './model';

/** One line of evidence, tied to the resource it is about when there is one. */
export interface EvidenceItem {
  readonly text: string;
  readonly path?: string;
  readonly templatePath?: string;
  readonly logicalId?: string;
}

export interface ControlResult {
  readonly id: string;
  readonly title: string;
  readonly status: ControlStatus;
  /** One sentence a reviewer reads first. */
  readonly summary: string;
  readonly evidence: readonly EvidenceItem[];
  /** What is missing or wrong; any entry makes the control `failing`. */
  readonly problems: readonly EvidenceItem[];
}

/** Files of the repository the report can read besides the templates (CI workflows for AUD-4, SEC-3). */
export interface RepositoryFacts {
  readonly workflows: ReadonlyArray<{ readonly file: string; readonly text: string }>;
}

export interface EvaluationContext {
  readonly model: EnvironmentModel;
  /** Every environment of the assembly, for checks across environments (ENV-1). */
  readonly environments: readonly EnvironmentModel[];
  /** From the configuration when known: `embedded` environments have no SageMaker endpoint by design. */
  readonly servingMode?: 'sagemaker' | 'embedded';
  readonly validationReport?: ValidationReport;
  readonly repository?: RepositoryFacts;
  /** The rule packs the app registers, by pack name. */
  readonly rulePacks: readonly string[];
}

type Outcome = Pick<ControlResult, 'status' | 'summary' | 'evidence' | 'problems'>;

class Findings {
  readonly evidence: EvidenceItem[] = [];
  readonly problems: EvidenceItem[] = [];

  private item(text: string, handle?: ResourceHandle): EvidenceItem {
    return handle
      ? { text, path: handle.path, templatePath: handle.stack.templatePath, logicalId: handle.logicalId }
      : { text };
  }

  ok(text: string, handle?: ResourceHandle): void {
    this.evidence.push(this.item(text, handle));
  }

  bad(text: string, handle?: ResourceHandle): void {
    this.problems.push(this.item(text, handle));
  }

  check(condition: boolean, good: string, bad: string, handle?: ResourceHandle): boolean {
    if (condition) this.ok(good, handle);
    else this.bad(bad, handle);
    return condition;
  }

  conclude(status: ControlStatus, summary: string): Outcome {
    if (this.problems.length > 0) {
      return {
        status: 'failing',
        summary: `${this.problems.length} problem${this.problems.length === 1 ? '' : 's'}: ${this.problems[0].text}`,
        evidence: this.evidence,
        problems: this.problems,
      };
    }
    return { status, summary, evidence: this.evidence, problems: this.problems };
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));
const list = <T>(v: unknown): T[] => (v === undefined ? [] : Array.isArray(v) ? (v as T[]) : [v as T]);

/**
 * Lambda functions CDK itself creates for deployment-time custom resources (for example the one that
 * empties the VPC default security group). They run only while CloudFormation deploys, hold no
 * customer data and have no environment; CDK offers no way to place them in a VPC.
 */
export function isCdkManagedProvider(handle: ResourceHandle): boolean {
  // By construct path when the template has path metadata (cdk synth), else by CDK's logical-id scheme.
  return (
    /\/Custom::\w+CustomResourceProvider\/(Handler|Role)$/.test(handle.path) ||
    /^Custom\w+CustomResourceProvider(Handler|Role)[0-9A-F]{8}$/.test(handle.logicalId)
  );
}

/** The model artefact buckets, recognised by S3 Object Lock (no other bucket of the stacks has it). */
export function modelBuckets(model: EnvironmentModel): ResourceHandle[] {
  return model.ofType('AWS::S3::Bucket').filter((b) => b.props.ObjectLockEnabled === true);
}

function lifecycleRules(bucket: ResourceHandle): Array<Record<string, unknown>> {
  return list<Record<string, unknown>>(
    (bucket.props.LifecycleConfiguration as { Rules?: unknown } | undefined)?.Rules,
  );
}

function dataBuckets(model: EnvironmentModel): ResourceHandle[] {
  return model
    .ofType('AWS::S3::Bucket')
    .filter((b) =>
      lifecycleRules(b).some(
        (r) =>
          r.Prefix === DATA_BUCKET_PREFIXES.capture || str(r.Filter).includes(DATA_BUCKET_PREFIXES.capture),
      ),
    );
}

function bucketPolicyStatements(model: EnvironmentModel, bucket: ResourceHandle): Statement[] {
  return model
    .ofType('AWS::S3::BucketPolicy')
    .filter((p) => model.target(p.props.Bucket, p.stack) === bucket)
    .flatMap((p) => statementsOf(p.props.PolicyDocument));
}

/** Every policy document of the environment with the resource that carries it. */
function policyDocuments(
  model: EnvironmentModel,
): Array<{ handle: ResourceHandle; statements: Statement[] }> {
  const docs: Array<{ handle: ResourceHandle; statements: Statement[] }> = [];
  for (const p of model.ofType('AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy')) {
    docs.push({ handle: p, statements: statementsOf(p.props.PolicyDocument) });
  }
  for (const role of model.ofType('AWS::IAM::Role')) {
    for (const inline of list<{ PolicyDocument?: unknown }>(role.props.Policies)) {
      docs.push({ handle: role, statements: statementsOf(inline.PolicyDocument) });
    }
  }
  return docs;
}

/** Allow statements granting an action (exact, or by a wildcard pattern that covers it). */
function grantsOf(
  model: EnvironmentModel,
  action: string,
): Array<{ handle: ResourceHandle; statement: Statement }> {
  const covers = (pattern: string) =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action);
  return policyDocuments(model).flatMap(({ handle, statements }) =>
    statements
      .filter((s) => s.effect === 'Allow' && s.actions.some(covers))
      .map((statement) => ({ handle, statement })),
  );
}

function mentions(
  model: EnvironmentModel,
  value: unknown,
  from: ResourceHandle,
  target: ResourceHandle,
): boolean {
  if (model.referencedResources(value, from.stack).includes(target)) return true;
  const name = target.props.BucketName;
  return typeof name === 'string' && model.describe(value, from.stack).includes(name);
}

function restApis(model: EnvironmentModel): ResourceHandle[] {
  return model.ofType('AWS::ApiGateway::RestApi');
}

const NO_API =
  'no REST API in the templates: the inference API stack (WAF-fronted REST API) is not synthesized for this environment';

function apiMethods(model: EnvironmentModel): ResourceHandle[] {
  return model.ofType('AWS::ApiGateway::Method').filter((m) => m.props.HttpMethod !== 'OPTIONS');
}

/** Functions the API's methods invoke (their integration URIs reference them). */
function apiBackends(model: EnvironmentModel): ResourceHandle[] {
  const found = new Set<ResourceHandle>();
  for (const m of apiMethods(model)) {
    for (const r of model.referencedResources(m.props.Integration, m.stack)) {
      if (r.type === 'AWS::Lambda::Function') found.add(r);
    }
  }
  return [...found];
}

function alarmsMatching(model: EnvironmentModel, pattern: RegExp): ResourceHandle[] {
  return model.ofType('AWS::CloudWatch::Alarm').filter((a) => {
    const names = [a.props.MetricName, a.props.AlarmName, a.props.AlarmDescription, a.props.Metrics];
    return pattern.test(model.describe(names, a.stack));
  });
}

function scheduledFunctions(model: EnvironmentModel): Array<{ rule: ResourceHandle; fn: ResourceHandle }> {
  return model
    .ofType('AWS::Events::Rule', 'AWS::Scheduler::Schedule')
    .filter((r) => r.props.ScheduleExpression !== undefined)
    .flatMap((rule) =>
      model
        .referencedResources(rule.props.Targets ?? rule.props.Target, rule.stack)
        .filter((t) => t.type === 'AWS::Lambda::Function')
        .map((fn) => ({ rule, fn })),
    );
}

const fnLabel = (model: EnvironmentModel, fn: ResourceHandle) =>
  `${fn.path}${fn.props.Description ? ` ("${model.describe(fn.props.Description, fn.stack)}")` : ''}`;

// ---------------------------------------------------------------------------------------------------
// ENV

function env1(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  if (model.stacks.length === 0) f.bad(`environment ${model.name} has no stacks`);
  for (const stack of model.stacks) {
    f.check(
      /^\d{12}$/.test(stack.account) && stack.region !== 'unknown-region',
      `${stack.displayName} deploys to aws://${stack.account}/${stack.region}`,
      `${stack.displayName} has no explicit account/region (aws://${stack.account}/${stack.region})`,
    );
  }
  const accounts = new Set(model.stacks.map((s) => s.account));
  if (accounts.size > 1)
    f.bad(`stacks of ${model.name} target several accounts: ${[...accounts].join(', ')}`);
  for (const other of ctx.environments) {
    if (other !== model && other.account === model.account) {
      f.bad(`${model.name} shares account ${model.account} with ${other.name}`);
    }
  }
  f.ok('account ids, regions and CIDRs are validated when the configuration loads (lib/config/schema.ts)');
  return f.conclude(
    'enforced',
    `${model.name} deploys to its own account ${model.account} in ${model.region}`,
  );
}

const DATA_BEARING = ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup'];

function env2(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const isProd = /^prod/i.test(model.name);
  const unprotected = model.stacks.filter((s) => !s.terminationProtection);
  const stores = model.ofType(...DATA_BEARING).filter((h) => !isCdkManagedProvider(h));
  const destroyed = stores.filter((h) => (h.resource.DeletionPolicy ?? 'Delete') !== 'Retain');
  if (isProd) {
    for (const s of unprotected) f.bad(`${s.displayName} has no termination protection`);
    for (const h of destroyed)
      f.bad(
        `${h.type} is deleted with its stack (DeletionPolicy ${h.resource.DeletionPolicy ?? 'Delete'})`,
        h,
      );
    if (unprotected.length === 0) f.ok(`all ${model.stacks.length} stacks have termination protection`);
    if (destroyed.length === 0)
      f.ok(`all ${stores.length} keys, buckets and log groups are retained on delete`);
    return f.conclude(
      'enforced',
      'production stacks are termination-protected and retain keys, buckets and log groups',
    );
  }
  f.ok(
    `${model.name} is not production: ${model.stacks.length - unprotected.length}/${model.stacks.length} stacks protected, ` +
      `${stores.length - destroyed.length}/${stores.length} keys, buckets and log groups retained (dev and test may destroy them)`,
  );
  for (const h of modelBuckets(model)) {
    f.ok(
      `the model bucket is retained everywhere (DeletionPolicy ${h.resource.DeletionPolicy ?? 'Delete'}): Object Lock makes deletion impossible`,
      h,
    );
  }
  return f.conclude('enforced', 'non-production environment: retention follows the configuration');
}

export const REQUIRED_TAGS = ['environment', 'data-classification', 'owner', 'source-commit'] as const;

function tagsOf(handle: ResourceHandle): Record<string, string> | undefined {
  const tags = handle.props.Tags ?? handle.props.tags;
  if (tags === undefined) return undefined;
  if (Array.isArray(tags)) {
    return Object.fromEntries(
      (tags as Array<{ Key?: string; Value?: unknown }>).map((t) => [String(t.Key), str(t.Value)]),
    );
  }
  return typeof tags === 'object' ? (tags as Record<string, string>) : undefined;
}

function env3(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const tagged = ctx.model.resources().filter((h) => tagsOf(h) !== undefined);
  const commits = new Set<string>();
  for (const h of tagged) {
    const tags = tagsOf(h) ?? {};
    const missing = REQUIRED_TAGS.filter((k) => tags[k] === undefined);
    if (missing.length) f.bad(`${h.type} lacks tag${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, h);
    if (tags['source-commit']) commits.add(tags['source-commit']);
  }
  if (tagged.length === 0) f.bad('no resource carries tags');
  else f.ok(`${tagged.length} taggable resources carry ${REQUIRED_TAGS.join(', ')}`);
  if (commits.size) f.ok(`built from commit ${[...commits].join(', ')}`);
  return f.conclude('enforced', `every taggable resource carries the four required tags`);
}

// ---------------------------------------------------------------------------------------------------
// NET

const FORBIDDEN_NETWORK_TYPES = [
  'AWS::EC2::InternetGateway',
  'AWS::EC2::NatGateway',
  'AWS::EC2::EgressOnlyInternetGateway',
  'AWS::EC2::VPCGatewayAttachment',
  'AWS::EC2::EIP',
];

function net1(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const vpcs = model.ofType('AWS::EC2::VPC');
  if (vpcs.length === 0) f.bad('no VPC in the templates');
  for (const vpc of vpcs) f.ok(`VPC ${model.describe(vpc.props.CidrBlock, vpc.stack)}`, vpc);
  for (const subnet of model.ofType('AWS::EC2::Subnet')) {
    f.check(
      subnet.props.MapPublicIpOnLaunch !== true,
      `subnet ${model.describe(subnet.props.CidrBlock, subnet.stack)} in ${model.describe(subnet.props.AvailabilityZone, subnet.stack)}, no public IPs`,
      'subnet maps public IPs on launch',
      subnet,
    );
  }
  const routes = model.ofType('AWS::EC2::Route');
  for (const table of model.ofType('AWS::EC2::RouteTable')) {
    const own = routes.filter((r) => model.target(r.props.RouteTableId, r.stack) === table);
    f.ok(
      `route table with ${own.length} explicit route${own.length === 1 ? '' : 's'} (local VPC route and S3 gateway endpoint route only)`,
      table,
    );
  }
  for (const route of routes) {
    if (route.props.GatewayId || route.props.NatGatewayId || route.props.EgressOnlyInternetGatewayId) {
      f.bad(
        `route to ${model.describe(route.props.DestinationCidrBlock, route.stack)} leaves the VPC through a gateway`,
        route,
      );
    }
  }
  const forbidden = model.ofType(...FORBIDDEN_NETWORK_TYPES);
  for (const h of forbidden) f.bad(`${h.type} exists`, h);
  if (forbidden.length === 0)
    f.ok('no internet gateway, NAT gateway, egress-only gateway or Elastic IP exists');
  for (const fn of model.ofType('AWS::Lambda::Function')) {
    const vpc = fn.props.VpcConfig as { SubnetIds?: unknown } | undefined;
    if (isCdkManagedProvider(fn)) {
      f.ok(
        'CDK-managed deployment-time provider outside the VPC (no customer data, no environment; see the rule-pack exclusion)',
        fn,
      );
    } else {
      f.check(
        list(vpc?.SubnetIds).length > 0,
        'function runs in the isolated subnets',
        'function is not in the VPC',
        fn,
      );
    }
  }
  for (const m of model.ofType('AWS::SageMaker::Model')) {
    f.check(
      list((m.props.VpcConfig as { Subnets?: unknown } | undefined)?.Subnets).length > 0,
      'SageMaker model runs in the isolated subnets',
      'SageMaker model has no VpcConfig',
      m,
    );
  }
  return f.conclude('enforced', 'isolated subnets only; no route or gateway to the internet');
}

export const REQUIRED_INTERFACE_ENDPOINTS = [
  'sagemaker.runtime',
  'sagemaker.api',
  'kms',
  'logs',
  'monitoring',
  'sts',
  'secretsmanager',
];

function net2(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const endpoints = model.ofType('AWS::EC2::VPCEndpoint');
  const serviceOf = (e: ResourceHandle) =>
    model.describe(e.props.ServiceName, e.stack).replace(/^com\.amazonaws\.[^.]+\./, '');
  const iface = endpoints.filter((e) => e.props.VpcEndpointType === 'Interface');
  const gateways = endpoints.filter((e) => (e.props.VpcEndpointType ?? 'Gateway') === 'Gateway');
  for (const e of iface) {
    const statements = statementsOf(e.props.PolicyDocument);
    const actions = statements.flatMap((s) => s.actions);
    if (!e.props.PolicyDocument)
      f.bad(`interface endpoint ${serviceOf(e)} has no endpoint policy (full access)`, e);
    else if (actions.includes('*') || statements.some((s) => s.notActions.length > 0)) {
      f.bad(`interface endpoint ${serviceOf(e)} policy allows every action`, e);
    } else if (e.props.PrivateDnsEnabled !== true)
      f.bad(`interface endpoint ${serviceOf(e)} has no private DNS`, e);
    else f.ok(`${serviceOf(e)}: private DNS, policy allows ${actions.join(', ')}`, e);
  }
  for (const service of REQUIRED_INTERFACE_ENDPOINTS) {
    if (!iface.some((e) => serviceOf(e) === service)) f.bad(`no interface endpoint for ${service}`);
  }
  const s3 = gateways.filter((e) => serviceOf(e) === 's3');
  if (s3.length === 0) f.bad('no S3 gateway endpoint');
  for (const e of s3) {
    f.check(
      e.props.PolicyDocument !== undefined,
      `S3 gateway endpoint limited to ${statementsOf(e.props.PolicyDocument)
        .flatMap((s) => s.resources.map((r) => model.describe(r, e.stack)))
        .filter((r) => !r.endsWith('/*'))
        .join(', ')}`,
      'S3 gateway endpoint has no policy',
      e,
    );
  }
  return f.conclude(
    'enforced',
    `${iface.length} interface endpoints and ${s3.length} S3 gateway endpoint, each with a least-privilege policy`,
  );
}

interface SgRule {
  readonly sg?: ResourceHandle;
  readonly direction: 'ingress' | 'egress';
  readonly rule: Record<string, unknown>;
  readonly where: ResourceHandle;
}

function securityGroupRules(model: EnvironmentModel): SgRule[] {
  const rules: SgRule[] = [];
  for (const sg of model.ofType('AWS::EC2::SecurityGroup')) {
    for (const r of list<Record<string, unknown>>(sg.props.SecurityGroupIngress))
      rules.push({ sg, direction: 'ingress', rule: r, where: sg });
    for (const r of list<Record<string, unknown>>(sg.props.SecurityGroupEgress))
      rules.push({ sg, direction: 'egress', rule: r, where: sg });
  }
  for (const r of model.ofType('AWS::EC2::SecurityGroupIngress')) {
    rules.push({ sg: model.target(r.props.GroupId, r.stack), direction: 'ingress', rule: r.props, where: r });
  }
  for (const r of model.ofType('AWS::EC2::SecurityGroupEgress')) {
    rules.push({ sg: model.target(r.props.GroupId, r.stack), direction: 'egress', rule: r.props, where: r });
  }
  return rules;
}

function net3(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  for (const { sg, direction, rule, where } of securityGroupRules(model)) {
    const peer = model.describe(
      rule.CidrIp ??
        rule.CidrIpv6 ??
        rule.SourceSecurityGroupId ??
        rule.DestinationSecurityGroupId ??
        rule.DestinationPrefixListId ??
        rule.SourcePrefixListId,
      where.stack,
    );
    const ports =
      rule.IpProtocol === '-1'
        ? 'all traffic'
        : `${str(rule.IpProtocol)} ${str(rule.FromPort)}-${str(rule.ToPort)}`;
    const text = `${direction} ${ports} ${direction === 'ingress' ? 'from' : 'to'} ${peer} (${sg?.path ?? 'group'}): ${str(rule.Description ?? '')}`;
    // CDK's stand-in for "no egress at all" on a group created with allowAllOutbound: false.
    if (rule.CidrIp === '255.255.255.255/32' && rule.IpProtocol === 'icmp') {
      f.ok(`no outbound traffic allowed (${sg?.path ?? 'group'})`, where);
      continue;
    }
    const open = rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0';
    if (direction === 'ingress' && open) f.bad(`${text} — open to the internet`, where);
    else if (rule.IpProtocol === '-1' && open) f.bad(`${text} — all traffic to anywhere`, where);
    else if (direction === 'ingress' && !(rule.FromPort === 443 && rule.ToPort === 443))
      f.bad(`${text} — not HTTPS`, where);
    else f.ok(text, where);
  }
  const restrictors = model.ofType('Custom::VpcRestrictDefaultSG');
  for (const vpc of model.ofType('AWS::EC2::VPC')) {
    const r = restrictors.find((h) => model.target(h.props.DefaultSecurityGroupId, h.stack) === vpc);
    f.check(
      !!r,
      'the VPC default security group is stripped of all rules at deploy time',
      'the VPC default security group keeps its default rules',
      r ?? vpc,
    );
  }
  return f.conclude(
    'enforced',
    'only HTTPS from workload groups to endpoints; default security group emptied',
  );
}

function net4(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const flowLogs = model.ofType('AWS::EC2::FlowLog');
  for (const vpc of model.ofType('AWS::EC2::VPC')) {
    const logs = flowLogs.filter((fl) => model.target(fl.props.ResourceId, fl.stack) === vpc);
    if (logs.length === 0) f.bad('VPC has no flow log', vpc);
    for (const fl of logs) {
      const group = model.target(fl.props.LogGroupName ?? fl.props.LogDestination, fl.stack);
      const key = group ? keysOf(model, group)[0] : undefined;
      if (!group || group.type !== 'AWS::Logs::LogGroup') {
        f.bad(
          `flow log (${str(fl.props.TrafficType)}) delivers to ${model.describe(fl.props.LogDestination ?? fl.props.LogGroupName, fl.stack)}, not to a log group of this environment`,
          fl,
        );
        continue;
      }
      f.check(
        fl.props.TrafficType === 'ALL',
        'flow log records ALL traffic',
        `flow log records only ${str(fl.props.TrafficType)} traffic`,
        fl,
      );
      f.check(
        !!key,
        `→ log group ${group.path} → key ${key?.path}`,
        'flow-log group has no customer-managed KMS key',
        group,
      );
      f.check(
        typeof group.props.RetentionInDays === 'number',
        `flow-log group retention ${str(group.props.RetentionInDays)} days`,
        'flow-log group keeps logs forever (no retention)',
        group,
      );
    }
  }
  if (model.ofType('AWS::EC2::VPC').length === 0) f.bad('no VPC, so no flow logs');
  return f.conclude(
    'enforced',
    'VPC flow logs of all traffic go to a KMS-encrypted log group with retention',
  );
}

const REQUIRED_WAF_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
];

function webAclRules(acl: ResourceHandle): Array<Record<string, unknown>> {
  return list<Record<string, unknown>>(acl.props.Rules);
}

function net5(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const apis = restApis(model);
  if (apis.length === 0) f.bad(NO_API);
  const associations = model.ofType('AWS::WAFv2::WebACLAssociation');
  const loggingConfigs = model.ofType('AWS::WAFv2::LoggingConfiguration');
  for (const stage of model.ofType('AWS::ApiGateway::Stage')) {
    const api = model.target(stage.props.RestApiId, stage.stack);
    const assoc = associations.find((a) => {
      const refs = model.referencedResources(a.props.ResourceArn, a.stack);
      return refs.includes(stage) || (api !== undefined && refs.includes(api));
    });
    if (!assoc) {
      f.bad(`API stage ${model.describe(stage.props.StageName, stage.stack)} has no WAF web ACL`, stage);
      continue;
    }
    const acl = model.target(assoc.props.WebACLArn, assoc.stack);
    if (!acl) {
      f.bad('WAF association names a web ACL outside this environment', assoc);
      continue;
    }
    f.ok(
      `API stage ${model.describe(stage.props.StageName, stage.stack)} is protected by ${acl.path}`,
      stage,
    );
    const text = JSON.stringify(webAclRules(acl));
    for (const group of REQUIRED_WAF_GROUPS) {
      f.check(
        text.includes(group),
        `web ACL uses ${group}`,
        `web ACL lacks managed rule group ${group}`,
        acl,
      );
    }
    f.check(
      text.includes('RateBasedStatement'),
      'web ACL has a rate-based rule',
      'web ACL has no rate-based rule',
      acl,
    );
    const logging = loggingConfigs.find((l) => model.target(l.props.ResourceArn, l.stack) === acl);
    f.check(
      !!logging,
      `WAF logging to ${logging ? model.describe(logging.props.LogDestinationConfigs, logging.stack) : ''}`,
      'web ACL has no logging configuration',
      logging ?? acl,
    );
  }
  const others = publicEntryPoints(model).filter((e) => e.kind !== 'API Gateway stage');
  for (const e of others) f.bad(`unexpected public entry point: ${e.kind} — ${e.detail}`);
  return f.conclude('enforced', 'the inference API is the only public entry, behind WAF with logging');
}

function net6(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const gateway = model
    .ofType('AWS::EC2::VPCEndpoint')
    .filter((e) => (e.props.VpcEndpointType ?? 'Gateway') === 'Gateway');
  const names = new Set(
    gateway.flatMap((e) =>
      statementsOf(e.props.PolicyDocument).flatMap((s) =>
        s.resources.map((r) =>
          model
            .describe(r, e.stack)
            .replace(/^arn:aws:s3:::/, '')
            .replace(/\/\*$/, ''),
        ),
      ),
    ),
  );
  const perimeterBuckets = model
    .ofType('AWS::S3::Bucket')
    .filter((b) => names.has(model.describe(b.props.BucketName, b.stack)));
  if (perimeterBuckets.length === 0)
    f.bad('no bucket of the environment is reached through the S3 gateway endpoint');
  for (const bucket of perimeterBuckets) {
    const deny = bucketPolicyStatements(model, bucket).find(
      (s) => s.effect === 'Deny' && conditionKeys(s).includes('aws:sourcevpce'),
    );
    f.check(
      !!deny,
      `${model.describe(bucket.props.BucketName, bucket.stack)}: ${deny?.sid ?? 'deny'} refuses requests not through the VPC endpoint unless from AWS services or exempt principals (${deny ? conditionKeys(deny).join(', ') : ''})`,
      `${model.describe(bucket.props.BucketName, bucket.stack)} has no data-perimeter deny on aws:SourceVpce`,
      bucket,
    );
  }
  return f.conclude('enforced', 'buckets inside the perimeter deny access from outside the VPC endpoint');
}

// ---------------------------------------------------------------------------------------------------
// KEY

const AWS_MANAGED_KEY = /alias\/aws\//;

function key1(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const keyLabel = (key: ResourceHandle) => {
    const alias = model
      .ofType('AWS::KMS::Alias')
      .find((a) => model.target(a.props.TargetKeyId, a.stack) === key);
    return alias ? String(alias.props.AliasName) : key.path;
  };
  for (const type of Object.keys(KEY_PROPERTIES)) {
    for (const store of model.ofType(type)) {
      if (type === 'AWS::SageMaker::Model') continue;
      const keys = keysOf(model, store);
      const raw = JSON.stringify((KEY_PROPERTIES[type] ?? []).map((p) => store.props[p]));
      const kind = type.split('::').slice(1).join(' ');
      if (type === 'AWS::Lambda::Function' && isCdkManagedProvider(store)) {
        f.ok(`${kind}: CDK-managed provider with no environment variables to encrypt`, store);
        continue;
      }
      if (type === 'AWS::S3::Bucket' && keys.length === 0) {
        const acknowledged =
          model.isAcknowledged(store, 'AwsSolutions-S3DefaultEncryptionKMS') ||
          model.isAcknowledged(store, 'NIST.800.53.R5-S3DefaultEncryptionKMS');
        const sse = raw.includes('AES256') ? 'SSE-S3' : 'no default encryption';
        if (acknowledged)
          f.ok(
            `${kind} ${model.describe(store.props.BucketName, store.stack)}: ${sse}, reviewed exception (see acknowledgments)`,
            store,
          );
        else
          f.bad(
            `${kind} ${model.describe(store.props.BucketName, store.stack)}: ${sse}, no customer-managed key`,
            store,
          );
        continue;
      }
      if (type === 'AWS::SageMaker::EndpointConfig') {
        const capture = store.props.DataCaptureConfig as { KmsKeyId?: unknown } | undefined;
        f.check(
          store.props.KmsKeyId !== undefined,
          `endpoint volumes encrypted with ${model.describe(store.props.KmsKeyId, store.stack)}`,
          'endpoint config has no volume KMS key',
          store,
        );
        if (capture)
          f.check(
            capture.KmsKeyId !== undefined,
            `data capture encrypted with ${model.describe(capture.KmsKeyId, store.stack)}`,
            'data capture has no KMS key',
            store,
          );
        continue;
      }
      if (keys.length > 0) f.ok(`${kind} → ${keys.map(keyLabel).join(', ')}`, store);
      else if (
        raw !== '[null]' &&
        raw !== '[]' &&
        !AWS_MANAGED_KEY.test(raw) &&
        /arn:aws:kms|key\//.test(raw)
      ) {
        f.ok(`${kind} → key ${raw} (outside this environment's templates)`, store);
      } else
        f.bad(
          `${kind} is not encrypted with a customer-managed key${AWS_MANAGED_KEY.test(raw) ? ' (AWS-managed key)' : ''}`,
          store,
        );
    }
  }
  for (const q of model.ofType('AWS::SQS::Queue')) {
    if (q.props.SqsManagedSseEnabled === true) f.bad('queue uses SQS-managed encryption', q);
  }
  return f.conclude('enforced', 'every data store names a customer-managed key of the environment');
}

/** Whether an IAM action pattern (`*` and `?` wildcards, case-insensitive) covers `action`. */
function actionPatternMatches(pattern: string, action: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

const USE_ACTIONS = /^kms:(Encrypt|Decrypt|ReEncrypt\*?|ReEncryptFrom|ReEncryptTo|GenerateDataKey.*|\*)$/i;

function key2(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const keys = model.ofType('AWS::KMS::Key');
  if (keys.length === 0) f.bad('no customer-managed KMS key in the templates');
  for (const key of keys) {
    const spec = String(key.props.KeySpec ?? 'SYMMETRIC_DEFAULT');
    if (spec.startsWith('HMAC'))
      f.ok(`${spec} key: AWS cannot rotate HMAC keys; used only for pseudonymisation`, key);
    else
      f.check(
        key.props.EnableKeyRotation === true,
        'automatic rotation on',
        'automatic key rotation is off',
        key,
      );
    for (const s of statementsOf(key.props.KeyPolicy)) {
      if (s.effect !== 'Allow') continue;
      const keysUsed = conditionKeys(s);
      const principal = JSON.stringify(s.principal);
      const label = `${s.sid ?? 'statement'}: ${s.actions.join(', ')} for ${model.describe(s.principal, key.stack)}`;
      if (s.actions.includes('kms:*') || s.actions.includes('*')) {
        f.bad(`${label} — grants every KMS action`, key);
        continue;
      }
      // A wildcard such as kms:Create* grants CreateGrant just as well as the action's own name.
      const grants = s.actions.some((a) => actionPatternMatches(a, 'kms:CreateGrant'));
      if (grants && !keysUsed.includes('kms:grantisforawsresource')) {
        f.bad(`${label} — CreateGrant without kms:GrantIsForAWSResource`, key);
        continue;
      }
      const uses = s.actions.some((a) => USE_ACTIONS.test(a));
      const isRootPrincipal = /:root"|"AWS":"\d{12}"/.test(principal) || principal.includes(':root');
      if (
        uses &&
        isRootPrincipal &&
        !keysUsed.some((k) => k === 'kms:viaservice' || k === 'kms:calleraccount')
      ) {
        f.bad(
          `${label} — the whole account may use the key directly (no kms:ViaService / kms:CallerAccount)`,
          key,
        );
        continue;
      }
      const service = principal.includes('"Service"');
      if (
        uses &&
        service &&
        !keysUsed.some((k) => k.startsWith('aws:source') || k.startsWith('kms:encryptioncontext'))
      ) {
        f.bad(
          `${label} — service principal without aws:SourceAccount/SourceArn or encryption-context condition`,
          key,
        );
        continue;
      }
      f.ok(`${label}${keysUsed.length ? ` if ${keysUsed.join(', ')}` : ''}`, key);
    }
  }
  return f.conclude(
    'enforced',
    'keys rotate; key policies grant use only through named services, grants only for AWS resources',
  );
}

function key3(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const aliases = model
    .ofType('AWS::KMS::Alias')
    .map((a) => ({ alias: String(a.props.AliasName), key: model.target(a.props.TargetKeyId, a.stack) }));
  for (const purpose of ['data', 'model', 'logs']) {
    const found = aliases.find((a) => a.alias.endsWith(`/${purpose}`));
    if (!found?.key) {
      f.bad(`no key with a '${purpose}' alias`);
      continue;
    }
    const stores = Object.keys(KEY_PROPERTIES)
      .flatMap((t) => model.ofType(t))
      .filter((s) => keysOf(model, s).includes(found.key!));
    f.ok(
      `${found.alias}: encrypts ${stores.length} resource${stores.length === 1 ? '' : 's'} (${[...new Set(stores.map((s) => s.type.split('::')[2]))].join(', ') || 'none yet'})`,
      found.key,
    );
  }
  const modelKey = modelBuckets(model).flatMap((b) => keysOf(model, b));
  const dataKey = dataBuckets(model).flatMap((b) => keysOf(model, b));
  if (modelKey.some((k) => dataKey.includes(k))) f.bad('the model bucket and the data bucket share a key');
  return f.conclude('enforced', 'separate keys for data, model artifacts and logs');
}

function key4(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  for (const bucket of model.ofType('AWS::S3::Bucket')) {
    const tlsDeny = bucketPolicyStatements(model, bucket).find(
      (s) => s.effect === 'Deny' && JSON.stringify(s.condition).includes('"aws:SecureTransport":"false"'),
    );
    f.check(
      !!tlsDeny,
      `${model.describe(bucket.props.BucketName, bucket.stack)} denies requests without TLS`,
      `${model.describe(bucket.props.BucketName, bucket.stack)} does not deny non-TLS requests`,
      bucket,
    );
  }
  for (const topic of model.ofType('AWS::SNS::TopicPolicy')) {
    if (JSON.stringify(topic.props.PolicyDocument).includes('aws:SecureTransport'))
      f.ok('topic policy denies publishing without TLS', topic);
  }
  const apis = restApis(model);
  if (apis.length === 0) f.bad(`${NO_API}; the API's TLS 1.2 policy cannot be shown`);
  const domains = model.ofType('AWS::ApiGateway::DomainName');
  for (const api of apis) {
    const policy = String(api.props.SecurityPolicy ?? '');
    const domain = domains.find((d) => /TLS_1_2|TLS13|TLS_1_3/i.test(String(d.props.SecurityPolicy ?? '')));
    f.check(
      /TLS_?1_2|TLS13|TLS_1_3/i.test(policy) || !!domain,
      `REST API security policy ${policy || String(domain?.props.SecurityPolicy)}`,
      'REST API declares no TLS 1.2+ security policy',
      api,
    );
  }
  return f.conclude('enforced', 'buckets deny non-TLS requests; the API enforces TLS 1.2+');
}

// ---------------------------------------------------------------------------------------------------
// SEC

const SECRET_VALUE_PATTERNS: Array<[string, RegExp]> = [
  ['AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['private key block', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['GitHub token', /\bgh[pousr]_[A-Za-z0-9]{30,}\b/],
  ['Slack token', /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
];
const SECRET_NAME = /(secret|password|passwd|token|private[_-]?key|api[_-]?key|credential)/i;

function sec1(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  for (const h of model.resources()) {
    const text = JSON.stringify(h.props);
    for (const [what, pattern] of SECRET_VALUE_PATTERNS)
      if (pattern.test(text)) f.bad(`${what} in the template`, h);
    if (h.type === 'AWS::Lambda::Function') {
      const vars =
        (h.props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      for (const name of Object.keys(vars)) {
        if (SECRET_NAME.test(name) && !/_ARN$|_NAME$|_ID$/.test(name))
          f.bad(`environment variable ${name} looks like a secret`, h);
      }
    }
    if (h.type === 'AWS::SecretsManager::Secret' && h.props.SecretString !== undefined) {
      f.bad('secret value written into the template (SecretString)', h);
    }
  }
  for (const h of model.ofType('AWS::IAM::AccessKey', 'AWS::IAM::User'))
    f.bad(`${h.type} exists: long-lived credentials`, h);
  const secrets = model.ofType('AWS::SecretsManager::Secret');
  const rotations = model.ofType('AWS::SecretsManager::RotationSchedule');
  for (const s of secrets) {
    f.check(
      s.props.KmsKeyId !== undefined,
      `secret encrypted with ${model.describe(s.props.KmsKeyId, s.stack)}`,
      'secret uses the AWS-managed key',
      s,
    );
    f.check(
      rotations.some((r) => model.target(r.props.SecretId, r.stack) === s),
      'rotation schedule configured',
      'secret has no rotation schedule',
      s,
    );
  }
  if (secrets.length === 0)
    f.ok('no runtime secret is needed: functions and services authenticate with IAM roles');
  f.ok(
    `${model.resources().length} resources scanned for key material and secret-like environment variables`,
  );
  return f.conclude('enforced', 'no secrets in templates or environments; secrets live in Secrets Manager');
}

function sec2(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const roles = model.ofType('AWS::IAM::Role');
  let wildcardResources = 0;
  const acknowledgedWildcards = new Map<string, ResourceHandle[]>();
  for (const { handle, statements } of policyDocuments(model)) {
    if (isCdkManagedProvider(handle)) continue;
    for (const s of statements) {
      if (s.effect !== 'Allow') continue;
      const starActions = s.actions.filter((a) => a === '*' || /^[a-z0-9-]+:\*$/i.test(a));
      if (s.notActions.length)
        f.bad(`NotAction statement allows everything except ${s.notActions.join(', ')}`, handle);
      for (const a of starActions) {
        if (!model.isAcknowledged(handle, `AwsSolutions-IAM5[Action::${a}]`))
          f.bad(`action ${a} allows every action of the service`, handle);
      }
      if (s.resources.some((r) => r === '*')) {
        wildcardResources++;
        // The pack's finding for a '*' resource is exactly this id (or the whole rule).
        const acked =
          model.isAcknowledged(handle, 'AwsSolutions-IAM5[Resource::*]') ||
          model.acknowledgmentsOf(handle).some((a) => a.ruleId === 'AwsSolutions-IAM5');
        const text = `'*' resource for ${s.actions.join(', ')}`;
        if (!acked) f.bad(`${text} without an acknowledgment`, handle);
        else acknowledgedWildcards.set(text, [...(acknowledgedWildcards.get(text) ?? []), handle]);
      }
    }
  }
  // One line per distinct grant: the same VPC-placement statement appears in every function's policy.
  for (const [text, handles] of acknowledgedWildcards) {
    f.ok(
      `${text} — acknowledged with its reason${handles.length > 1 ? ` (${handles.length} policies)` : ''}`,
      handles[0],
    );
  }
  for (const role of roles) {
    for (const arn of list<unknown>(role.props.ManagedPolicyArns)) {
      const text = model.describe(arn, role.stack);
      if (!text.includes(':aws:policy/')) continue;
      if (isCdkManagedProvider(role))
        f.ok(`CDK-managed provider role uses AWS managed ${text.split('/').pop()} (deploy-time only)`, role);
      else f.bad(`role uses AWS managed policy ${text}`, role);
    }
  }
  f.ok(
    `${roles.length} roles; ${wildcardResources} statements with '*' resources, each acknowledged (see the least-privilege matrix)`,
  );
  return f.conclude(
    'enforced',
    "no '*' actions; '*' resources only where AWS allows nothing narrower, each acknowledged",
  );
}

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

function sec3(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const providers = model
    .resources()
    .filter(
      (h) =>
        (h.type === 'AWS::IAM::OIDCProvider' || h.type === 'Custom::AWSCDKOpenIdConnectProvider') &&
        model.describe(h.props.Url, h.stack).includes(GITHUB_OIDC_HOST),
    );
  if (providers.length === 0) f.bad(`no GitHub OIDC provider (${GITHUB_OIDC_HOST}) in the templates`);
  for (const p of providers) {
    f.check(
      list(p.props.ClientIdList ?? p.props.ClientIDList).includes('sts.amazonaws.com'),
      'OIDC provider audience sts.amazonaws.com',
      'OIDC provider lacks the sts.amazonaws.com audience',
      p,
    );
  }
  const deployRoles = model
    .ofType('AWS::IAM::Role')
    .filter((r) =>
      providers.some((p) => model.referencedResources(r.props.AssumeRolePolicyDocument, r.stack).includes(p)),
    );
  if (providers.length && deployRoles.length === 0) f.bad('no role trusts the GitHub OIDC provider');
  for (const role of deployRoles) {
    for (const s of statementsOf(role.props.AssumeRolePolicyDocument)) {
      const eq = (s.condition.StringEquals ?? {}) as Record<string, unknown>;
      const aud = eq[`${GITHUB_OIDC_HOST}:aud`];
      const sub = eq[`${GITHUB_OIDC_HOST}:sub`];
      f.check(
        aud === 'sts.amazonaws.com',
        'trust pins aud = sts.amazonaws.com',
        'trust does not pin the audience',
        role,
      );
      f.check(
        typeof sub === 'string' && !sub.includes('*'),
        `trust pins sub = ${String(sub)}`,
        'trust does not pin the repository and environment (sub) exactly',
        role,
      );
    }
    const rows = policyDocuments(model).filter(
      ({ handle }) =>
        handle === role || model.referencedResources(handle.props.Roles, handle.stack).includes(role),
    );
    for (const { handle, statements } of rows) {
      for (const s of statements.filter((x) => x.effect === 'Allow')) {
        const resources = s.resources.map((r) => model.describe(r, handle.stack));
        f.check(
          s.actions.every((a) => a === 'sts:AssumeRole' || a === 'sts:TagSession') &&
            resources.every((r) => /:role\/cdk-[^*]+-\*-role-/.test(r)),
          `deploy role may only ${s.actions.join(', ')} on ${resources.join(', ')}`,
          `deploy role may ${s.actions.join(', ')} on ${resources.join(', ')} (only the CDK bootstrap roles are allowed)`,
          handle,
        );
      }
    }
  }
  for (const w of ctx.repository?.workflows ?? []) {
    if (/aws-access-key-id|aws-secret-access-key/i.test(w.text))
      f.bad(`${w.file} passes long-lived AWS keys`);
    else if (/role-to-assume/.test(w.text))
      f.ok(`${w.file} authenticates with OIDC (role-to-assume, id-token: write)`);
  }
  for (const h of model.ofType('AWS::IAM::User', 'AWS::IAM::AccessKey'))
    f.bad(`${h.type}: long-lived credentials`, h);
  return f.conclude(
    'enforced',
    'CI/CD assumes a per-environment deploy role through GitHub OIDC; no access keys',
  );
}

function sec4(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const methods = apiMethods(model);
  if (restApis(model).length === 0) f.bad(NO_API);
  const validators = model.ofType('AWS::ApiGateway::RequestValidator');
  for (const m of methods) {
    const label = `${str(m.props.HttpMethod)} ${model.describe(m.props.ResourceId, m.stack)}`;
    f.check(
      ['AWS_IAM', 'COGNITO_USER_POOLS', 'CUSTOM'].includes(String(m.props.AuthorizationType)),
      `${label}: authorization ${str(m.props.AuthorizationType)}`,
      `${label} has no authorization`,
      m,
    );
    const validator = model.target(m.props.RequestValidatorId, m.stack);
    f.check(
      !!validator && validator.props.ValidateRequestBody === true && !!m.props.RequestModels,
      `${label}: body validated against a JSON-schema model`,
      `${label} does not validate the request body`,
      m,
    );
  }
  if (validators.length) f.ok(`${validators.length} request validator(s)`);
  for (const stage of model.ofType('AWS::ApiGateway::Stage')) {
    const settings = list<Record<string, unknown>>(stage.props.MethodSettings);
    f.check(
      settings.some((s) => s.ThrottlingRateLimit !== undefined),
      `stage throttling ${settings.map((s) => `${str(s.ThrottlingRateLimit)}/s burst ${str(s.ThrottlingBurstLimit)}`).join(', ')}`,
      'stage has no throttling',
      stage,
    );
  }
  const plans = model.ofType('AWS::ApiGateway::UsagePlan');
  if (plans.length) f.ok(`${plans.length} usage plan(s) limit each client`);
  const size = model
    .ofType('AWS::WAFv2::WebACL')
    .some((acl) => JSON.stringify(acl.props.Rules ?? []).includes('SizeConstraintStatement'));
  if (restApis(model).length) f.check(size, 'WAF rule limits the body size', 'no WAF body-size rule');
  return f.conclude('enforced', 'every method authenticates, validates its body and is throttled');
}

// ---------------------------------------------------------------------------------------------------
// DATA

function data1(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const hmac = model.ofType('AWS::KMS::Key').filter((k) => String(k.props.KeySpec ?? '').startsWith('HMAC'));
  if (hmac.length === 0) f.bad('no KMS HMAC key for pseudonymising customer ids');
  for (const k of hmac) {
    const users = grantsOf(model, 'kms:GenerateMac').filter(({ statement, handle }) =>
      statement.resources.some((r) => mentions(model, r, handle, k)),
    );
    f.check(
      users.length > 0,
      `HMAC key ${str(k.props.KeySpec)} used by ${users.map((u) => u.handle.path).join(', ')} (kms:GenerateMac)`,
      'no role may call kms:GenerateMac with the HMAC key',
      k,
    );
  }
  const models = model.ofType('AWS::ApiGateway::Model');
  if (restApis(model).length === 0) f.bad(`${NO_API}; the request schema cannot be shown`);
  for (const m of models) {
    const schema = JSON.stringify(m.props.Schema ?? {});
    f.check(
      schema.includes('"additionalProperties":false'),
      'request model refuses properties outside the feature specification',
      'request model accepts unknown properties',
      m,
    );
  }
  return f.conclude(
    'enforced',
    'only the model features are accepted; customer ids are replaced by a keyed HMAC',
  );
}

function data2(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const session = model.ofType('AWS::Macie::Session');
  const jobs = model.resources().filter((h) => /macie/i.test(h.type) && h.type.startsWith('Custom::'));
  if (session.length)
    f.ok(
      `Macie enabled in the account (${str(session[0].props.FindingPublishingFrequency ?? 'default frequency')})`,
      session[0],
    );
  else f.ok('Macie session not created here (enabled outside the stack or by an organisation administrator)');
  if (jobs.length === 0)
    f.bad('no Macie classification job in the templates (the data-protection stack is not synthesized)');
  for (const j of jobs)
    f.ok(
      `classification job ${j.type}: ${model.describe(j.props.ScheduleFrequency ?? j.props.Schedule ?? j.props.Definition ?? '', j.stack).slice(0, 160)}`,
      j,
    );
  const rules = model
    .ofType('AWS::Events::Rule')
    .filter((r) => JSON.stringify(r.props.EventPattern ?? {}).includes('aws.macie'));
  if (rules.length === 0) f.bad('no EventBridge rule routes Macie findings');
  for (const r of rules) {
    const topics = model
      .referencedResources(r.props.Targets, r.stack)
      .filter((t) => t.type === 'AWS::SNS::Topic');
    f.check(
      topics.length > 0,
      `Macie findings routed to ${topics.map((t) => t.path).join(', ')}`,
      'Macie finding rule has no topic target',
      r,
    );
  }
  return f.conclude(
    'enforced',
    'scheduled Macie classification of the data and capture prefixes; findings alert',
  );
}

function data3(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const data = dataBuckets(model);
  if (data.length === 0) f.bad(`no bucket expires the ${DATA_BUCKET_PREFIXES.capture} prefix`);
  for (const b of model.ofType('AWS::S3::Bucket')) {
    for (const r of lifecycleRules(b)) {
      if (r.ExpirationInDays !== undefined) {
        f.ok(
          `${model.describe(b.props.BucketName, b.stack)}: rule ${str(r.Id)} expires ${str(r.Prefix ?? 'all objects')} after ${str(r.ExpirationInDays)} days`,
          b,
        );
      }
    }
  }
  const groups = model.ofType('AWS::Logs::LogGroup');
  for (const g of groups) {
    if (typeof g.props.RetentionInDays !== 'number') f.bad('log group keeps logs forever (no retention)', g);
  }
  const days = [...new Set(groups.map((g) => g.props.RetentionInDays))].join(', ');
  if (groups.length) f.ok(`${groups.length} log groups with retention (${days} days)`);
  return f.conclude('enforced', 'captured inference data and logs expire after the configured period');
}

function data4(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  if (restApis(model).length === 0) f.bad(NO_API);
  for (const stage of model.ofType('AWS::ApiGateway::Stage')) {
    const settings = list<Record<string, unknown>>(stage.props.MethodSettings);
    f.check(
      !settings.some((s) => s.DataTraceEnabled === true),
      'execution logging without request/response data tracing',
      'data tracing logs full request bodies (customer data)',
      stage,
    );
    const access = stage.props.AccessLogSetting as { Format?: unknown } | undefined;
    if (access) {
      const format = model.describe(access.Format, stage.stack);
      f.check(
        !/\$context\.requestBody|\$input\.body/i.test(format),
        'access log format carries no request body',
        'access log format includes the request body',
        stage,
      );
    }
  }
  for (const l of model.ofType('AWS::WAFv2::LoggingConfiguration')) {
    f.check(
      JSON.stringify(l.props.RedactedFields ?? [])
        .toLowerCase()
        .includes('authorization'),
      'WAF logs redact the authorization header',
      'WAF logs keep the authorization header',
      l,
    );
  }
  f.ok('functions log pseudonymous ids only (tested by scanning captured log output in the inference tests)');
  return f.conclude('enforced', 'request logs and audit records carry pseudonymous ids only');
}

function data5(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const backends = apiBackends(model);
  if (backends.length === 0) f.bad(`${NO_API}; no function answers inference requests`);
  for (const fn of backends)
    f.ok(
      `inference answers come from ${fnLabel(model, fn)} with per-feature TreeSHAP contributions (scorer tests prove the values)`,
      fn,
    );
  return f.conclude('enforced', 'every decision comes with per-feature contributions');
}

// ---------------------------------------------------------------------------------------------------
// MODEL

/** The one-time command only the root user can run: CloudFormation cannot set MFA Delete. */
export function mfaDeleteCommand(bucketName: string, account: string): string {
  return `aws s3api put-bucket-versioning --bucket ${bucketName} --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa "arn:aws:iam::${account}:mfa/root-account-mfa-device <code>"`;
}

export const MFA_GUARDED_ACTIONS = ['s3:DeleteObjectVersion', 's3:PutBucketVersioning'];

function model1(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const buckets = modelBuckets(model);
  if (buckets.length === 0) f.bad('no bucket with Object Lock (the model artifact bucket)');
  let runtimeCheck = false;
  for (const b of buckets) {
    const name = model.describe(b.props.BucketName, b.stack);
    const lock = (
      b.props.ObjectLockConfiguration as { Rule?: { DefaultRetention?: Record<string, unknown> } } | undefined
    )?.Rule?.DefaultRetention;
    f.check(
      !!lock,
      `${name}: Object Lock ${str(lock?.Mode)} retention ${str(lock?.Days ?? lock?.Years)} ${lock?.Days ? 'days' : 'years'}`,
      `${name}: Object Lock enabled but no default retention`,
      b,
    );
    f.check(
      (b.props.VersioningConfiguration as { Status?: string } | undefined)?.Status === 'Enabled',
      'versioning enabled',
      'versioning is not enabled',
      b,
    );
    const keys = keysOf(model, b);
    f.check(
      keys.length > 0,
      `encrypted with ${keys.map((k) => k.path).join(', ')}`,
      'not encrypted with a customer-managed key',
      b,
    );
    const deny = bucketPolicyStatements(model, b).find(
      (s) =>
        s.effect === 'Deny' &&
        JSON.stringify(s.condition).includes('aws:MultiFactorAuthPresent') &&
        MFA_GUARDED_ACTIONS.every((a) => s.actions.includes(a)),
    );
    f.check(
      !!deny,
      `${deny?.sid ?? 'deny'} refuses without MFA: ${deny?.actions.join(', ')}`,
      'no policy statement denies version deletion and versioning changes without MFA',
      b,
    );
    f.ok(`MFA Delete (root user, once): ${mfaDeleteCommand(name, model.account)}`, b);
    const checks = grantsOf(model, 's3:GetBucketVersioning').filter(({ statement, handle }) =>
      statement.resources.some((r) => mentions(model, r, handle, b)),
    );
    const alarms = alarmsMatching(model, /mfa/i);
    if (checks.length) {
      runtimeCheck = true;
      f.ok(
        `deployed check reads the versioning/MFA Delete status: ${checks.map((c) => c.handle.path).join(', ')}`,
      );
      for (const a of alarms) f.ok(`alarm when MFA Delete is off: ${a.path}`, a);
    } else {
      f.bad(
        'no deployed check reports the MFA Delete status (the data-protection stack is not synthesized)',
        b,
      );
    }
  }
  return f.conclude(
    runtimeCheck ? 'verified-at-runtime' : 'enforced',
    'versioned, KMS-encrypted, Object Lock, MFA-deny policy; MFA Delete checked on a schedule',
  );
}

function model2(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const groups = model.ofType('AWS::SageMaker::ModelPackageGroup');
  if (groups.length === 0) f.bad('no SageMaker model package group (registry) in the templates');
  for (const g of groups) f.ok(`registry ${model.describe(g.props.ModelPackageGroupName, g.stack)}`, g);
  const gate = grantsOf(model, 'sagemaker:DescribeModelPackage');
  if (gate.length === 0) f.bad('no deploy-time gate reads the registry (sagemaker:DescribeModelPackage)');
  for (const g of gate) f.ok(`deploy-time gate reads approval status: ${g.handle.path}`, g.handle);
  return f.conclude(
    'enforced',
    'a model registry per environment; only approved versions deploy to test and prod',
  );
}

function model3(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const buckets = modelBuckets(model);
  const readers = grantsOf(model, 's3:GetObject').filter(({ statement, handle }) =>
    buckets.some((b) => statement.resources.some((r) => mentions(model, r, handle, b))),
  );
  const registry = new Set(grantsOf(model, 'sagemaker:DescribeModelPackage').map((g) => g.handle));
  const verifiers = readers.filter((r) => registry.has(r.handle));
  if (verifiers.length === 0)
    f.bad('no function both reads model artifacts and the registry digest (integrity gate missing)');
  for (const v of verifiers)
    f.ok(`${v.handle.path} reads the artifact and its recorded SHA-256 before it is served`, v.handle);
  return f.conclude('enforced', 'the serving path verifies the artifact digest before loading it');
}

function model4(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const models = model.ofType('AWS::SageMaker::Model');
  const configs = model.ofType('AWS::SageMaker::EndpointConfig');
  if (models.length === 0 && configs.length === 0) {
    if (ctx.servingMode === 'embedded') {
      return {
        status: 'not-applicable',
        summary: `${model.name} serves the model inside the inference function (serving.mode = embedded): no SageMaker model or endpoint exists`,
        evidence: [{ text: 'serving.mode = embedded in the configuration' }],
        problems: [],
      };
    }
    f.bad(
      'no SageMaker model or endpoint configuration in the templates (the serving stack is not synthesized)',
    );
  }
  for (const m of models) {
    f.check(m.props.EnableNetworkIsolation === true, 'network isolation on', 'network isolation is off', m);
    f.check(
      list((m.props.VpcConfig as { Subnets?: unknown } | undefined)?.Subnets).length > 0,
      'in the VPC',
      'not in the VPC',
      m,
    );
  }
  for (const c of configs) {
    f.check(
      c.props.KmsKeyId !== undefined,
      `volumes encrypted with ${model.describe(c.props.KmsKeyId, c.stack)}`,
      'no volume KMS key',
      c,
    );
    const capture = c.props.DataCaptureConfig as
      { EnableCapture?: boolean; KmsKeyId?: unknown; InitialSamplingPercentage?: number } | undefined;
    f.check(
      !!capture && capture.EnableCapture !== false && capture.KmsKeyId !== undefined,
      `data capture (${str(capture?.InitialSamplingPercentage)}%) encrypted with ${model.describe(capture?.KmsKeyId, c.stack)}`,
      'data capture missing or not KMS-encrypted',
      c,
    );
  }
  return f.conclude(
    'enforced',
    'SageMaker models run isolated in the VPC with encrypted volumes and capture',
  );
}

function model5(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const endpoints = model.ofType('AWS::SageMaker::Endpoint');
  if (endpoints.length === 0) {
    if (ctx.servingMode === 'embedded') {
      return {
        status: 'not-applicable',
        summary: `${model.name} has no SageMaker endpoint (serving.mode = embedded); a new model version rolls out with the function deployment`,
        evidence: [{ text: 'serving.mode = embedded in the configuration' }],
        problems: [],
      };
    }
    f.bad('no SageMaker endpoint in the templates (the serving stack is not synthesized)');
  }
  for (const e of endpoints) {
    const dc = e.props.DeploymentConfig as
      | {
          BlueGreenUpdatePolicy?: { TrafficRoutingConfiguration?: { Type?: string } };
          AutoRollbackConfiguration?: { Alarms?: unknown[] };
        }
      | undefined;
    const type = dc?.BlueGreenUpdatePolicy?.TrafficRoutingConfiguration?.Type;
    f.check(
      type === 'CANARY' || type === 'LINEAR',
      `blue/green with ${str(type)} traffic shifting`,
      `no canary or linear blue/green policy (${str(type)})`,
      e,
    );
    const alarms = list(dc?.AutoRollbackConfiguration?.Alarms);
    f.check(
      alarms.length > 0,
      `automatic rollback on ${alarms.length} alarm(s): ${model.describe(alarms, e.stack)}`,
      'no auto-rollback alarms',
      e,
    );
  }
  for (const c of model.ofType('AWS::SageMaker::EndpointConfig')) {
    const shadow = list(c.props.ShadowProductionVariants);
    if (shadow.length) f.ok(`${shadow.length} shadow variant(s) receive a copy of live traffic`, c);
  }
  return f.conclude('enforced', 'blue/green rollout with automatic rollback on alarms');
}

// ---------------------------------------------------------------------------------------------------
// MON

function mon1(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const drift = scheduledFunctions(model).filter(({ fn }) =>
    /drift/i.test(`${fn.path} ${model.describe(fn.props.Description, fn.stack)}`),
  );
  if (drift.length === 0)
    f.bad('no scheduled drift check function in the templates (the monitoring stack is not synthesized)');
  for (const { rule, fn } of drift)
    f.ok(`${model.describe(rule.props.ScheduleExpression, rule.stack)} runs ${fnLabel(model, fn)}`, fn);
  for (const a of alarmsMatching(model, /drift/i)) f.ok(`drift alarm ${a.path}`, a);
  return f.conclude('enforced', 'scheduled drift checks publish per-feature metrics');
}

function mon2(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const alarms = alarmsMatching(
    ctx.model,
    /null|type.?error|out.?of.?(bounds|range)|nan|quality|prediction|score/i,
  );
  if (alarms.length === 0)
    f.bad('no alarm on prediction drift or data quality metrics (the monitoring stack is not synthesized)');
  for (const a of alarms)
    f.ok(`alarm ${ctx.model.describe(a.props.MetricName ?? a.props.AlarmName, a.stack)}`, a);
  return f.conclude('enforced', 'prediction drift and data quality alarms exist');
}

function mon3(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const topics = model.ofType('AWS::SNS::Topic');
  const encrypted = topics.filter((t) => keysOf(model, t).length > 0);
  if (encrypted.length === 0) f.bad('no KMS-encrypted alert topic');
  for (const t of topics)
    f.check(
      encrypted.includes(t),
      `alert topic encrypted with ${keysOf(model, t)
        .map((k) => k.path)
        .join(', ')}`,
      'topic not encrypted with a customer-managed key',
      t,
    );
  const alarms = model.ofType('AWS::CloudWatch::Alarm');
  const routed = alarms.filter((a) =>
    model.referencedResources(a.props.AlarmActions, a.stack).some((t) => encrypted.includes(t)),
  );
  if (routed.length === 0) f.bad('no alarm notifies the encrypted alert topic');
  else f.ok(`${routed.length} of ${alarms.length} alarms notify the alert topic`);
  const rollback = model
    .ofType('AWS::Lambda::Function')
    .filter((fn) => /rollback/i.test(`${fn.path} ${model.describe(fn.props.Description, fn.stack)}`));
  for (const fn of rollback) f.ok(`rollback function ${fnLabel(model, fn)}`, fn);
  return f.conclude('enforced', 'alarms go to a KMS-encrypted topic');
}

function mon4(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const dashboards = model.ofType('AWS::CloudWatch::Dashboard');
  if (dashboards.length === 0) f.bad('no CloudWatch dashboard (the monitoring stack is not synthesized)');
  for (const d of dashboards) {
    const body = model.describe(d.props.DashboardBody, d.stack);
    for (const [what, pattern] of [
      ['latency', /latency/i],
      ['5xx/4xx errors', /5xx|4xx|errors/i],
      ['throttles', /throttl/i],
      ['WAF blocks', /BlockedRequests/],
    ] as Array<[string, RegExp]>) {
      f.check(pattern.test(body), `dashboard shows ${what}`, `dashboard lacks ${what}`, d);
    }
  }
  return f.conclude('enforced', 'one dashboard with latency, errors, throttles and WAF blocks');
}

// ---------------------------------------------------------------------------------------------------
// AUD

function aud1(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const { model } = ctx;
  const trails = model.ofType('AWS::CloudTrail::Trail');
  if (trails.length === 0) f.bad('no CloudTrail trail in the templates');
  for (const t of trails) {
    f.check(t.props.EnableLogFileValidation === true, 'log file validation on', 'log file validation off', t);
    const key = keysOf(model, t)[0];
    f.check(!!key, `encrypted with ${key?.path}`, 'trail not KMS-encrypted', t);
    f.check(t.props.IsLogging === true, 'logging', 'trail is not logging', t);
    if (t.props.IsMultiRegionTrail === true) f.ok('multi-region, global service events included', t);
    const trailBucket = model.target(t.props.S3BucketName, t.stack);
    if (!trailBucket)
      f.bad('the trail bucket is not in the templates, so its immutability cannot be shown', t);
    else {
      const lock = trailBucket.props.ObjectLockConfiguration as
        { Rule?: { DefaultRetention?: { Mode?: unknown; Days?: unknown; Years?: unknown } } } | undefined;
      const retention = lock?.Rule?.DefaultRetention;
      f.check(
        trailBucket.props.ObjectLockEnabled === true && retention !== undefined,
        `trail bucket keeps log files immutable: Object Lock ${String(retention?.Mode)} for ${String(retention?.Days ?? retention?.Years)} ${retention?.Days !== undefined ? 'days' : 'years'}`,
        'trail bucket has no Object Lock default retention: log files can be deleted or overwritten',
        trailBucket,
      );
      const expires = lifecycleRules(trailBucket).some(
        (r) =>
          r.Status !== 'Disabled' && (r.ExpirationInDays !== undefined || r.ExpirationDate !== undefined),
      );
      f.check(
        expires,
        'trail log files expire after the configured retention',
        'trail bucket has no expiration rule: log files accumulate forever',
        trailBucket,
      );
    }
    if (t.props.CloudWatchLogsLogGroupArn)
      f.ok(`delivered to ${model.describe(t.props.CloudWatchLogsLogGroupArn, t.stack)}`, t);
    const selectors = JSON.stringify([t.props.EventSelectors, t.props.AdvancedEventSelectors]);
    for (const [what, buckets] of [
      ['model', modelBuckets(model)],
      ['data', dataBuckets(model)],
    ] as Array<[string, ResourceHandle[]]>) {
      if (buckets.length === 0) f.bad(`no ${what} bucket to record data events for`);
      for (const b of buckets) {
        const covered =
          model
            .referencedResources([t.props.EventSelectors, t.props.AdvancedEventSelectors], t.stack)
            .includes(b) || selectors.includes(String(b.props.BucketName));
        f.check(
          covered,
          `S3 data events recorded for the ${what} bucket`,
          `no S3 data events for the ${what} bucket`,
          t,
        );
      }
    }
  }
  return f.conclude('enforced', 'CloudTrail with log file validation, KMS and S3 data events');
}

function aud2(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const acks = ctx.model.acknowledgments();
  const byPack = new Map<string, number>();
  for (const a of acks) byPack.set(a.pack, (byPack.get(a.pack) ?? 0) + 1);
  f.ok(`packs run on every synth: ${ctx.rulePacks.join(', ')}`);
  for (const [pack, n] of byPack) f.ok(`${pack}: ${n} acknowledged finding${n === 1 ? '' : 's'}`);
  for (const a of acks) {
    if (a.reason.trim().length < 60)
      f.bad(`${a.ruleId} acknowledged with a vague reason: "${a.reason}"`, a.resource);
  }
  // Rule packs report findings against construct paths (violatingConstructs) or template resources.
  for (const plugin of ctx.validationReport?.pluginReports ?? []) {
    if (!ctx.rulePacks.includes(plugin.pluginName)) continue;
    for (const v of plugin.violations) {
      const where = [
        ...(v.violatingConstructs ?? []).map((c) => c.constructPath ?? ''),
        ...(v.violatingResources ?? []).map((r) => r.constructPath ?? r.templatePath ?? ''),
      ].filter((w) => w.startsWith(`${ctx.model.name}/`) || w.startsWith(`assembly-${ctx.model.name}/`));
      for (const w of where) f.bad(`unacknowledged ${v.severity ?? 'error'} ${v.ruleName} on ${w}`);
    }
  }
  return f.conclude(
    'enforced',
    `${acks.length} acknowledged findings, each with a specific reason; none unacknowledged`,
  );
}

function aud3(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  f.ok(
    `this report maps all ${CONTROLS.length} controls to evidence read from the ${ctx.model.stacks.length} synthesized templates of ${ctx.model.name}`,
  );
  f.ok('written on every `npm run synth` to cdk.out/compliance/ as HTML, Markdown, JSON and SARIF');
  return f.conclude('enforced', 'generated from the synthesized templates on every synth');
}

const PINNED_USES = /uses:\s*([^\s@#]+)@([^\s#]+)/g;

function aud4(ctx: EvaluationContext): Outcome {
  const f = new Findings();
  const workflows = ctx.repository?.workflows ?? [];
  const ci = workflows.find((w) => /(^|\/)ci\.ya?ml$/.test(w.file));
  const deploy = workflows.find((w) => /(^|\/)deploy\.ya?ml$/.test(w.file));
  if (!ci) f.bad('no CI workflow (.github/workflows/ci.yml)');
  if (!deploy) f.bad('no deployment workflow (.github/workflows/deploy.yml)');
  if (ci) {
    for (const [step, pattern] of [
      ['install (npm ci)', /npm ci\b/],
      ['type-check', /tsc --noEmit|npm run typecheck/],
      ['lint', /npm run lint|eslint/],
      ['tests', /npm test|npx jest|npm run test/],
      ['synth with rule packs and report', /npm run synth/],
      ['dependency audit (high)', /npm audit --audit-level=high/],
      ['report artifact upload', /upload-artifact/],
    ] as Array<[string, RegExp]>) {
      f.check(pattern.test(ci.text), `CI runs ${step}`, `CI does not run ${step}`);
    }
  }
  for (const w of workflows) {
    for (const m of w.text.matchAll(PINNED_USES)) {
      if (m[1].startsWith('./')) continue;
      if (!/^[0-9a-f]{40}$/.test(m[2]))
        f.bad(`${w.file}: ${m[1]}@${m[2]} is not pinned to a full commit SHA`);
    }
    f.check(
      /^permissions:/m.test(w.text),
      `${w.file}: top-level permissions set`,
      `${w.file}: no top-level permissions (defaults are broad)`,
    );
  }
  if (deploy) {
    f.check(
      /environment:\s*(name:\s*)?prod\b/.test(deploy.text),
      'prod deploys through the protected GitHub environment "prod" (required reviewers)',
      'prod deployment does not use a protected GitHub environment',
    );
    f.check(
      /needs:/.test(deploy.text),
      'deployments run only after the CI gate and in order dev → test → prod',
      'deploy jobs do not depend on the gate',
    );
  }
  return f.conclude('enforced', 'CI gate before any deployment; prod needs a manual approval');
}

const EVALUATORS: Readonly<Record<string, (ctx: EvaluationContext) => Outcome>> = {
  'ENV-1': env1,
  'ENV-2': env2,
  'ENV-3': env3,
  'NET-1': net1,
  'NET-2': net2,
  'NET-3': net3,
  'NET-4': net4,
  'NET-5': net5,
  'NET-6': net6,
  'KEY-1': key1,
  'KEY-2': key2,
  'KEY-3': key3,
  'KEY-4': key4,
  'SEC-1': sec1,
  'SEC-2': sec2,
  'SEC-3': sec3,
  'SEC-4': sec4,
  'DATA-1': data1,
  'DATA-2': data2,
  'DATA-3': data3,
  'DATA-4': data4,
  'DATA-5': data5,
  'MODEL-1': model1,
  'MODEL-2': model2,
  'MODEL-3': model3,
  'MODEL-4': model4,
  'MODEL-5': model5,
  'MON-1': mon1,
  'MON-2': mon2,
  'MON-3': mon3,
  'MON-4': mon4,
  'AUD-1': aud1,
  'AUD-2': aud2,
  'AUD-3': aud3,
  'AUD-4': aud4,
};

/**
 * Evaluates every catalogue control for one environment. A control without an evaluator, or whose
 * evaluator throws on an unexpected template shape, is reported as failing with the reason.
 */
export function evaluateControls(ctx: EvaluationContext): ControlResult[] {
  return CONTROLS.map((control) => {
    const evaluate = EVALUATORS[control.id];
    if (!evaluate) {
      return {
        ...control,
        status: 'failing',
        summary: 'no evidence check is defined for this control',
        evidence: [],
        problems: [{ text: 'no evidence check is defined for this control' }],
      };
    }
    try {
      return { ...control, ...evaluate(ctx) };
    } catch (error) {
      const text = `evidence check failed: ${(error as Error).message}`;
      return { ...control, status: 'failing', summary: text, evidence: [], problems: [{ text }] };
    }
  });
}
