/**
 * Readers shared by the control modules: each turns parsed template structures into the handles and
 * values a check needs. Nothing here decides a control; nothing here matches text inside serialized
 * JSON or YAML.
 */
import { parseDocument } from 'yaml';
import { DATA_BUCKET_PREFIXES } from '../../config/naming';
import { EnvironmentModel, ResourceHandle, Statement, statementsOf } from '../model';
import { RepositoryFacts } from './control';

export const list = <T>(v: unknown): T[] => (v === undefined ? [] : Array.isArray(v) ? (v as T[]) : [v as T]);
export const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v);
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

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

// ---------------------------------------------------------------------------------------------------
// Policies

/** Whether an IAM action pattern (`*` and `?` wildcards, case-insensitive) covers `action`. */
export function actionPatternMatches(pattern: string, action: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

/** Whether an Allow statement's actions (or NotAction) cover `action`. */
export function statementAllows(statement: Statement, action: string): boolean {
  if (statement.effect !== 'Allow') return false;
  if (statement.notActions.length > 0)
    return !statement.notActions.some((p) => actionPatternMatches(p, action));
  return statement.actions.some((p) => actionPatternMatches(p, action));
}

/** Every identity policy document of the environment with the resource that carries it. */
export function policyDocuments(
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
export function grantsOf(
  model: EnvironmentModel,
  action: string,
): Array<{ handle: ResourceHandle; statement: Statement }> {
  return policyDocuments(model).flatMap(({ handle, statements }) =>
    statements.filter((s) => statementAllows(s, action)).map((statement) => ({ handle, statement })),
  );
}

/** The roles a policy is attached to (inline policies: the role itself). */
export function rolesOfPolicy(model: EnvironmentModel, policy: ResourceHandle): ResourceHandle[] {
  if (policy.type === 'AWS::IAM::Role') return [policy];
  return model
    .referencedResources(policy.props.Roles, policy.stack)
    .filter((r) => r.type === 'AWS::IAM::Role');
}

/** The principal values of one kind (`AWS`, `Service`, ...) of a policy statement, rendered. */
export function principalValues(
  model: EnvironmentModel,
  statement: Statement,
  kind: 'AWS' | 'Service' | 'Federated',
  from: ResourceHandle,
): string[] {
  if (statement.principal === '*') return kind === 'AWS' ? ['*'] : [];
  const value = (statement.principal as Record<string, unknown> | undefined)?.[kind];
  return list<unknown>(value).map((v) => model.describe(v, from.stack));
}

/** Whether a rendered principal is a whole account (`arn:aws:iam::<account>:root` or a bare account id). */
export function isAccountPrincipal(principal: string): boolean {
  return /^arn:[a-z-]+:iam::\d{12}:root$/.test(principal) || /^\d{12}$/.test(principal);
}

/** A condition value of a statement, by operator and key (key compared case-insensitively). */
export function conditionValues(statement: Statement, operator: string, key: string): unknown[] {
  const block = statement.condition[operator] ?? {};
  const found = Object.entries(block).find(([k]) => k.toLowerCase() === key.toLowerCase());
  return found ? list<unknown>(found[1]) : [];
}

// ---------------------------------------------------------------------------------------------------
// Buckets

export function lifecycleRules(bucket: ResourceHandle): Array<Record<string, unknown>> {
  return list<Record<string, unknown>>(
    (bucket.props.LifecycleConfiguration as { Rules?: unknown } | undefined)?.Rules,
  );
}

/** The key prefix a lifecycle rule applies to (`Prefix` or `Filter.Prefix`); '' for the whole bucket. */
export function rulePrefix(rule: Record<string, unknown>): string {
  const filter = rule.Filter as { Prefix?: unknown } | undefined;
  return str(rule.Prefix ?? filter?.Prefix ?? '');
}

export function bucketName(model: EnvironmentModel, bucket: ResourceHandle): string {
  return model.describe(bucket.props.BucketName ?? bucket.path, bucket.stack);
}

export interface ObjectLockRetention {
  readonly mode?: string;
  readonly days?: number;
  readonly years?: number;
}

/** The default Object Lock retention of a bucket, when Object Lock is on and has one. */
export function objectLockRetention(bucket: ResourceHandle): ObjectLockRetention | undefined {
  if (bucket.props.ObjectLockEnabled !== true) return undefined;
  const retention = (
    bucket.props.ObjectLockConfiguration as
      { ObjectLockEnabled?: unknown; Rule?: { DefaultRetention?: Record<string, unknown> } } | undefined
  )?.Rule?.DefaultRetention;
  if (!retention) return undefined;
  return {
    mode: typeof retention.Mode === 'string' ? retention.Mode : undefined,
    days: typeof retention.Days === 'number' ? retention.Days : undefined,
    years: typeof retention.Years === 'number' ? retention.Years : undefined,
  };
}

/** Retention in days (years counted as 365 days, as S3 does for lifecycle comparisons). */
export function retentionDays(r: ObjectLockRetention): number | undefined {
  return r.days ?? (r.years !== undefined ? r.years * 365 : undefined);
}

export function describeRetention(r: ObjectLockRetention): string {
  return `${r.mode ?? '(no mode)'} for ${r.days !== undefined ? plural(r.days, 'day') : r.years !== undefined ? plural(r.years, 'year') : '(no period)'}`;
}

/** The buckets CloudTrail trails deliver to. */
export function trailBuckets(model: EnvironmentModel): ResourceHandle[] {
  return model
    .ofType('AWS::CloudTrail::Trail')
    .map((t) => model.target(t.props.S3BucketName, t.stack))
    .filter((b): b is ResourceHandle => b?.type === 'AWS::S3::Bucket');
}

/**
 * The model artefact buckets: buckets with S3 Object Lock that no trail delivers to (the trail bucket
 * is the only other locked bucket of the stacks). A new locked bucket would be judged as a model
 * bucket, so MODEL-1 would demand its MFA guard: the check errs towards failing, never towards passing.
 */
export function modelBuckets(model: EnvironmentModel): ResourceHandle[] {
  const trails = trailBuckets(model);
  return model
    .ofType('AWS::S3::Bucket')
    .filter((b) => b.props.ObjectLockEnabled === true && !trails.includes(b));
}

/** The buckets that hold captured inference data: a lifecycle rule expires the capture prefix. */
export function dataBuckets(model: EnvironmentModel): ResourceHandle[] {
  return model
    .ofType('AWS::S3::Bucket')
    .filter((b) => lifecycleRules(b).some((r) => rulePrefix(r) === DATA_BUCKET_PREFIXES.capture));
}

export function bucketPolicyStatements(model: EnvironmentModel, bucket: ResourceHandle): Statement[] {
  return model
    .ofType('AWS::S3::BucketPolicy')
    .filter((p) => model.target(p.props.Bucket, p.stack) === bucket)
    .flatMap((p) => statementsOf(p.props.PolicyDocument));
}

/** The bucket name an S3 ARN names (`arn:aws:s3:::name` or `arn:aws:s3:::name/key`), else undefined. */
export function bucketOfArn(arn: string): string | undefined {
  return /^arn:[a-z-]+:s3:::([^/]+)(\/.*)?$/.exec(arn)?.[1];
}

/** Whether a policy resource value refers to a bucket (by reference, or by an ARN with its name). */
export function namesBucket(
  model: EnvironmentModel,
  value: unknown,
  from: ResourceHandle,
  bucket: ResourceHandle,
): boolean {
  if (model.referencedResources(value, from.stack).includes(bucket)) return true;
  const name = bucket.props.BucketName;
  return typeof name === 'string' && bucketOfArn(model.describe(value, from.stack)) === name;
}

// ---------------------------------------------------------------------------------------------------
// API, functions, alarms

export function restApis(model: EnvironmentModel): ResourceHandle[] {
  return model.ofType('AWS::ApiGateway::RestApi');
}

export const NO_API =
  'no REST API in the templates: the inference API stack (WAF-fronted REST API) is not synthesized for this environment';

export function apiMethods(model: EnvironmentModel): ResourceHandle[] {
  return model.ofType('AWS::ApiGateway::Method').filter((m) => m.props.HttpMethod !== 'OPTIONS');
}

/**
 * Functions the API's methods invoke (their integration URIs reference them, unqualified or through an
 * alias or version of theirs).
 */
export function apiBackends(model: EnvironmentModel): ResourceHandle[] {
  const found = new Set<ResourceHandle>();
  for (const m of apiMethods(model)) {
    for (const r of model.referencedResources(m.props.Integration, m.stack)) {
      const fn = functionBehind(model, r);
      if (fn) found.add(fn);
    }
  }
  return [...found];
}

/** The function a reference invokes: the function itself, or the one an alias or version belongs to. */
export function functionBehind(model: EnvironmentModel, target: ResourceHandle): ResourceHandle | undefined {
  if (target.type === 'AWS::Lambda::Function') return target;
  if (target.type === 'AWS::Lambda::Alias' || target.type === 'AWS::Lambda::Version') {
    const fn = model.target(target.props.FunctionName, target.stack);
    return fn?.type === 'AWS::Lambda::Function' ? fn : undefined;
  }
  return undefined;
}

/** The metric names an alarm watches (a single metric, or every metric of a metric-math alarm). */
export function alarmMetricNames(alarm: ResourceHandle): string[] {
  const names: string[] = [];
  if (typeof alarm.props.MetricName === 'string') names.push(alarm.props.MetricName);
  for (const m of list<{ MetricStat?: { Metric?: { MetricName?: unknown } } }>(alarm.props.Metrics)) {
    const name = m.MetricStat?.Metric?.MetricName;
    if (typeof name === 'string') names.push(name);
  }
  return names;
}

/** Alarms watching a metric whose name satisfies `test`. */
export function alarmsOnMetrics(
  model: EnvironmentModel,
  test: (metricName: string) => boolean,
): ResourceHandle[] {
  return model.ofType('AWS::CloudWatch::Alarm').filter((a) => alarmMetricNames(a).some(test));
}

export function scheduledFunctions(
  model: EnvironmentModel,
): Array<{ rule: ResourceHandle; fn: ResourceHandle }> {
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

export function functionDescription(model: EnvironmentModel, fn: ResourceHandle): string {
  return fn.props.Description === undefined ? '' : model.describe(fn.props.Description, fn.stack);
}

export const fnLabel = (model: EnvironmentModel, fn: ResourceHandle): string => {
  const description = functionDescription(model, fn);
  return `${fn.path}${description ? ` ("${description}")` : ''}`;
};

/** The resource's tags as a map (CloudFormation's list of Key/Value, or a map for a few types). */
export function tagsOf(handle: ResourceHandle): Record<string, string> | undefined {
  const tags = handle.props.Tags ?? handle.props.tags;
  if (tags === undefined) return undefined;
  if (Array.isArray(tags)) {
    return Object.fromEntries(
      (tags as Array<{ Key?: string; Value?: unknown }>).map((t) => [String(t.Key), str(t.Value)]),
    );
  }
  return typeof tags === 'object' && tags !== null ? (tags as Record<string, string>) : undefined;
}

/** Every string inside a parsed value, with its JSON path, for checks that look at each value. */
export function* stringsIn(value: unknown, path = ''): Generator<{ path: string; value: string }> {
  if (typeof value === 'string') yield { path, value };
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) yield* stringsIn(v, `${path}[${i}]`);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) yield* stringsIn(v, path ? `${path}.${k}` : k);
  }
}

// ---------------------------------------------------------------------------------------------------
// WAF

export interface WafRule {
  readonly Name?: string;
  readonly Action?: Record<string, unknown>;
  readonly OverrideAction?: Record<string, unknown>;
  readonly Statement?: Record<string, unknown>;
}

/** Every statement of a rule, nested ones included (And, Or, Not, scope-down statements). */
export function* statementsOfRule(statement: unknown): Generator<Record<string, unknown>> {
  if (statement === null || typeof statement !== 'object') return;
  const s = statement as Record<string, unknown>;
  yield s;
  for (const [kind, inner] of Object.entries(s)) {
    const body = inner as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object') continue;
    if (kind === 'AndStatement' || kind === 'OrStatement')
      for (const x of list<unknown>(body.Statements)) yield* statementsOfRule(x);
    if (kind === 'NotStatement') yield* statementsOfRule(body.Statement);
    if ('ScopeDownStatement' in body) yield* statementsOfRule(body.ScopeDownStatement);
  }
}

/** The web ACL's rules as WAF evaluates them. */
export function webAclRules(acl: ResourceHandle): WafRule[] {
  return list<WafRule>(acl.props.Rules);
}

/** Whether a rule blocks what it matches: a managed group not overridden to count, or a Block action. */
export function ruleBlocks(rule: WafRule): boolean {
  if (rule.OverrideAction) return 'None' in rule.OverrideAction;
  return rule.Action !== undefined && 'Block' in rule.Action;
}

export function rulesWith(acl: ResourceHandle, kind: string): WafRule[] {
  return webAclRules(acl).filter((r) => [...statementsOfRule(r.Statement)].some((s) => kind in s));
}

/** The rule that runs an AWS managed rule group, by the group's name. */
export function managedGroupRule(acl: ResourceHandle, group: string): WafRule | undefined {
  return webAclRules(acl).find((r) =>
    [...statementsOfRule(r.Statement)].some(
      (s) => (s.ManagedRuleGroupStatement as { Name?: unknown } | undefined)?.Name === group,
    ),
  );
}

// ---------------------------------------------------------------------------------------------------
// GitHub workflows

export interface WorkflowStep {
  readonly job: string;
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with: Readonly<Record<string, unknown>>;
}

export interface WorkflowJob {
  readonly id: string;
  readonly needs: readonly string[];
  /** The job's GitHub environment name, when it has one. */
  readonly environment?: string;
  readonly uses?: string;
  readonly steps: readonly WorkflowStep[];
}

export interface ParsedWorkflow {
  readonly file: string;
  /** Top-level keys of the document (`on`, `permissions`, `jobs`, ...). */
  readonly keys: readonly string[];
  readonly permissions: unknown;
  readonly jobs: readonly WorkflowJob[];
  /** YAML errors: a workflow GitHub could not parse. */
  readonly errors: readonly string[];
}

/** The repository's workflows parsed as YAML (GitHub's own format), one entry per file. */
export function parseWorkflows(repository: RepositoryFacts | undefined): ParsedWorkflow[] {
  return (repository?.workflows ?? []).map(({ file, text }) => {
    const document = parseDocument(text);
    const root = (document.toJS() ?? {}) as Record<string, unknown>;
    const jobs = Object.entries((root.jobs ?? {}) as Record<string, Record<string, unknown>>).map(
      ([id, job]): WorkflowJob => {
        const environment = job.environment as string | { name?: unknown } | undefined;
        return {
          id,
          needs: list<string>(job.needs),
          environment:
            typeof environment === 'string'
              ? environment
              : typeof environment?.name === 'string'
                ? environment.name
                : undefined,
          uses: typeof job.uses === 'string' ? job.uses : undefined,
          steps: list<Record<string, unknown>>(job.steps).map((s) => ({
            job: id,
            name: typeof s.name === 'string' ? s.name : undefined,
            uses: typeof s.uses === 'string' ? s.uses : undefined,
            run: typeof s.run === 'string' ? s.run : undefined,
            with: (s.with ?? {}) as Record<string, unknown>,
          })),
        };
      },
    );
    return {
      file,
      keys: Object.keys(root),
      permissions: root.permissions,
      jobs,
      errors: document.errors.map((e) => e.message),
    };
  });
}

/** Every `uses:` reference of a workflow (steps and reusable-workflow jobs). */
export function workflowUses(workflow: ParsedWorkflow): string[] {
  return workflow.jobs.flatMap((j) => [
    ...(j.uses ? [j.uses] : []),
    ...j.steps.flatMap((s) => (s.uses ? [s.uses] : [])),
  ]);
}
