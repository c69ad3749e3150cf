/**
 * A small evaluator of IAM resource-policy statements, for tests that must prove what a synthesized
 * policy allows or denies (not merely that a statement is present). It covers the subset of IAM the
 * project's policies use: Action/NotAction and Resource/NotResource with wildcards, `*`, account, ARN
 * and service principals, and the condition operators String*, Arn*, Bool, Numeric* and Null, each
 * with `IfExists`. Anything else (NotPrincipal, ForAnyValue:, policy variables) throws rather than
 * being silently misread.
 *
 * Semantics follow the IAM evaluation logic for one policy: an applicable Deny wins, else an
 * applicable Allow allows, else the request is implicitly denied.
 */

export type ConditionValue = string | number | boolean;

export interface PolicyRequest {
  /** e.g. `s3:PutObject` */
  readonly action: string;
  /** e.g. `arn:aws:s3:::bucket/key` */
  readonly resource: string;
  /** The caller: an IAM role or user ARN (with its account), the account root, or a service. */
  readonly principal: { readonly arn: string; readonly account: string } | { readonly service: string };
  /** Request context keys (case-insensitive names), e.g. `aws:SecureTransport: true`. Absent means absent. */
  readonly context?: Readonly<Record<string, ConditionValue>>;
}

export type Decision = 'ExplicitDeny' | 'Allow' | 'ImplicitDeny';

export interface Evaluation {
  readonly decision: Decision;
  /** Sids (or `#<index>`) of the statements that applied, for failure messages. */
  readonly applied: readonly string[];
}

/** A statement after intrinsic functions are resolved (see `resolveIntrinsics`). */
export interface ResolvedStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: '*' | Readonly<Record<string, string | readonly string[]>>;
  readonly NotPrincipal?: unknown;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export class UnsupportedPolicyError extends Error {
  constructor(message: string) {
    super(`policy evaluator: ${message}`);
    this.name = 'UnsupportedPolicyError';
  }
}

export function evaluate(statements: readonly ResolvedStatement[], request: PolicyRequest): Evaluation {
  const applied: string[] = [];
  let allowed = false;
  let denied = false;
  statements.forEach((statement, index) => {
    if (!statementApplies(statement, request)) return;
    applied.push(statement.Sid ?? `#${index}`);
    if (statement.Effect === 'Deny') denied = true;
    else if (statement.Effect === 'Allow') allowed = true;
    else throw new UnsupportedPolicyError(`statement ${index} has Effect '${String(statement.Effect)}'`);
  });
  return { decision: denied ? 'ExplicitDeny' : allowed ? 'Allow' : 'ImplicitDeny', applied };
}

export function statementApplies(statement: ResolvedStatement, request: PolicyRequest): boolean {
  if (statement.NotPrincipal !== undefined) throw new UnsupportedPolicyError('NotPrincipal is not supported');
  return (
    principalMatches(statement.Principal, request.principal) &&
    listMatches(statement.Action, statement.NotAction, request.action, 'Action', true) &&
    listMatches(statement.Resource, statement.NotResource, request.resource, 'Resource', false) &&
    conditionsMatch(statement.Condition ?? {}, request.context ?? {})
  );
}

function asList(value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? [value] : value;
}

function listMatches(
  positive: string | readonly string[] | undefined,
  negative: string | readonly string[] | undefined,
  value: string,
  element: string,
  caseInsensitive: boolean,
): boolean {
  if ((positive === undefined) === (negative === undefined)) {
    throw new UnsupportedPolicyError(`a statement needs exactly one of ${element} and Not${element}`);
  }
  const patterns = asList((positive ?? negative)!);
  const hit = patterns.some((pattern) => globMatches(pattern, value, caseInsensitive));
  return positive !== undefined ? hit : !hit;
}

function principalMatches(
  principal: ResolvedStatement['Principal'],
  request: PolicyRequest['principal'],
): boolean {
  if (principal === undefined) {
    throw new UnsupportedPolicyError(
      'resource policies need a Principal (identity policies are out of scope)',
    );
  }
  if (principal === '*') return true;
  return Object.entries(principal).some(([kind, values]) =>
    asList(values).some((value) => {
      if (kind === 'AWS') {
        if (value === '*') return true;
        if ('service' in request) return false;
        const account =
          /^(\d{12})$/.exec(value)?.[1] ?? /^arn:aws[\w-]*:iam::(\d{12}):root$/.exec(value)?.[1];
        // An account principal delegates to every identity of that account.
        if (account !== undefined) return request.account === account;
        return value === request.arn;
      }
      if (kind === 'Service') return 'service' in request && request.service === value;
      throw new UnsupportedPolicyError(`principal type '${kind}' is not supported`);
    }),
  );
}

/** IAM wildcards: `*` any run of characters, `?` one character. */
export function globMatches(pattern: string, value: string, caseInsensitive = false): boolean {
  if (pattern.includes('${'))
    throw new UnsupportedPolicyError(`policy variables are not supported: ${pattern}`);
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, caseInsensitive ? 'i' : '').test(value);
}

type Comparator = (actual: ConditionValue, expected: string) => boolean;

const COMPARATORS: Readonly<Record<string, { compare: Comparator; negated: boolean }>> = {
  StringEquals: { compare: (a, e) => String(a) === e, negated: false },
  StringNotEquals: { compare: (a, e) => String(a) === e, negated: true },
  StringEqualsIgnoreCase: { compare: (a, e) => String(a).toLowerCase() === e.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: {
    compare: (a, e) => String(a).toLowerCase() === e.toLowerCase(),
    negated: true,
  },
  StringLike: { compare: (a, e) => globMatches(e, String(a)), negated: false },
  StringNotLike: { compare: (a, e) => globMatches(e, String(a)), negated: true },
  ArnEquals: { compare: (a, e) => String(a) === e, negated: false },
  ArnNotEquals: { compare: (a, e) => String(a) === e, negated: true },
  ArnLike: { compare: (a, e) => globMatches(e, String(a)), negated: false },
  ArnNotLike: { compare: (a, e) => globMatches(e, String(a)), negated: true },
  Bool: { compare: (a, e) => String(a).toLowerCase() === e.toLowerCase(), negated: false },
  NumericEquals: { compare: (a, e) => Number(a) === Number(e), negated: false },
  NumericNotEquals: { compare: (a, e) => Number(a) === Number(e), negated: true },
  NumericLessThan: { compare: (a, e) => Number(a) < Number(e), negated: false },
  NumericLessThanEquals: { compare: (a, e) => Number(a) <= Number(e), negated: false },
  NumericGreaterThan: { compare: (a, e) => Number(a) > Number(e), negated: false },
  NumericGreaterThanEquals: { compare: (a, e) => Number(a) >= Number(e), negated: false },
};

/** Every operator block must hold, and within a block every key (AND); a key's values are ORed. */
function conditionsMatch(
  conditions: NonNullable<ResolvedStatement['Condition']>,
  context: Readonly<Record<string, ConditionValue>>,
): boolean {
  const lookup = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.entries(conditions).every(([operatorName, block]) =>
    Object.entries(block).every(([key, raw]) => {
      const expected = asList(normaliseExpected(operatorName, key, raw));
      const actual = lookup.get(key.toLowerCase());
      if (operatorName === 'Null') {
        // Null: "true" means the key must be absent, "false" that it must be present.
        return expected.some((e) => (e.toLowerCase() === 'true') === (actual === undefined));
      }
      if (operatorName.includes(':')) {
        throw new UnsupportedPolicyError(`set operators such as ${operatorName} are not supported`);
      }
      const ifExists = operatorName.endsWith('IfExists');
      const base = ifExists ? operatorName.slice(0, -'IfExists'.length) : operatorName;
      const comparator = COMPARATORS[base];
      if (comparator === undefined) throw new UnsupportedPolicyError(`condition operator ${operatorName}`);
      if (actual === undefined) {
        // IAM: an absent key fails a positive operator and satisfies a negated one; IfExists makes it pass.
        return ifExists || comparator.negated;
      }
      const hit = expected.some((e) => comparator.compare(actual, e));
      return comparator.negated ? !hit : hit;
    }),
  );
}

function normaliseExpected(operator: string, key: string, raw: unknown): string | readonly string[] {
  const one = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new UnsupportedPolicyError(`${operator} ${key} has an unresolved value ${JSON.stringify(v)}`);
  };
  return Array.isArray(raw) ? raw.map(one) : one(raw);
}

/** How `resolveIntrinsics` replaces CloudFormation references with concrete strings. */
export interface IntrinsicResolver {
  ref(logicalId: string): string;
  getAtt(logicalId: string, attribute: string): string;
  importValue(exportName: string): string;
}

/** Replaces Ref, Fn::GetAtt, Fn::Join, Fn::ImportValue and Fn::GetStackOutput throughout a JSON value. */
export function resolveIntrinsics(value: unknown, resolver: IntrinsicResolver): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, resolver));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [[fn, arg]] = entries;
    if (fn === 'Ref') return resolver.ref(String(arg));
    if (fn === 'Fn::GetAtt') {
      const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
      return resolver.getAtt(String(id), String(attribute));
    }
    if (fn === 'Fn::ImportValue') return resolver.importValue(String(resolveIntrinsics(arg, resolver)));
    if (fn === 'Fn::GetStackOutput') {
      // How this CDK version references another stack of the same stage.
      const { StackName, OutputName } = arg as { StackName: unknown; OutputName: unknown };
      return resolver.importValue(`${String(StackName)}/${String(OutputName)}`);
    }
    if (fn === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((p) => String(resolveIntrinsics(p, resolver))).join(separator);
    }
    if (fn.startsWith('Fn::')) throw new UnsupportedPolicyError(`intrinsic ${fn} is not supported`);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, resolver)]));
}

/**
 * A resolver for one synthesized template: pseudo parameters from the given environment, bucket ARNs
 * and names from the buckets' `BucketName`, and imports as stable placeholders (`import:<name>`), so a
 * test can send the same placeholder as, say, `aws:SourceVpce`.
 */
export function templateResolver(
  template: { readonly Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> },
  env: { readonly account: string; readonly region: string; readonly partition?: string },
): IntrinsicResolver {
  const resources = template.Resources ?? {};
  const bucketName = (id: string): string => {
    const resource = resources[id];
    const name = resource?.Properties?.BucketName;
    if (resource?.Type !== 'AWS::S3::Bucket' || typeof name !== 'string') {
      throw new UnsupportedPolicyError(
        `cannot resolve a reference to ${id} (only named buckets are supported)`,
      );
    }
    return name;
  };
  const pseudo: Record<string, string> = {
    'AWS::AccountId': env.account,
    'AWS::Region': env.region,
    'AWS::Partition': env.partition ?? 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  return {
    ref: (id) => pseudo[id] ?? bucketName(id),
    getAtt: (id, attribute) => {
      if (attribute === 'Arn') return `arn:${env.partition ?? 'aws'}:s3:::${bucketName(id)}`;
      throw new UnsupportedPolicyError(`Fn::GetAtt ${id}.${attribute} is not supported`);
    },
    importValue: (name) => `import:${name}`,
  };
}
