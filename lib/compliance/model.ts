import { EnvironmentAssembly, StackArtifact, TemplateResource } from './assembly';

/** One resource of one environment, with where it came from. */
export interface ResourceHandle {
  readonly stack: StackArtifact;
  readonly logicalId: string;
  readonly resource: TemplateResource;
  /** The construct path (`aws:cdk:path` metadata), or `<stack>/<logical id>` without it. */
  readonly path: string;
  readonly type: string;
  readonly props: Record<string, unknown>;
}

/** A rule-pack acknowledgment written into template metadata by cdk-nag. */
export interface Acknowledgment {
  readonly ruleId: string;
  /** The pack, from the rule id prefix (`AwsSolutions`, `NIST.800.53.R5`, `ChurnControls`). */
  readonly pack: string;
  readonly reason: string;
  readonly resource: ResourceHandle;
}

/** A policy statement with its lists normalised (single values become one-element arrays). */
export interface Statement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly unknown[];
  readonly principal: unknown;
  readonly condition: Record<string, Record<string, unknown>>;
}

const asArray = <T>(value: T | readonly T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? [...value] : [value as T];

export function statementsOf(document: unknown): Statement[] {
  const statements = (document as { Statement?: unknown } | undefined)?.Statement;
  return asArray<Record<string, unknown>>(statements as Record<string, unknown>[]).map((s) => ({
    sid: s.Sid as string | undefined,
    effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
    actions: asArray(s.Action as string | string[]),
    notActions: asArray(s.NotAction as string | string[]),
    resources: asArray(s.Resource as unknown),
    principal: s.Principal,
    condition: (s.Condition ?? {}) as Record<string, Record<string, unknown>>,
  }));
}

/** The condition keys a statement tests, lower-cased (`aws:sourcevpce`, `kms:viaservice`). */
export function conditionKeys(statement: Statement): string[] {
  return Object.values(statement.condition).flatMap((block) =>
    Object.keys(block).map((k) => k.toLowerCase()),
  );
}

export function isPublicPrincipal(principal: unknown): boolean {
  if (principal === '*') return true;
  const aws = (principal as { AWS?: unknown } | undefined)?.AWS;
  return asArray(aws as unknown).some((p) => p === '*');
}

/**
 * One environment's stacks as a single graph of resources: references between stacks (CDK's
 * `Fn::GetStackOutput` weak references, or exports) are followed to the resource they name.
 */
export class EnvironmentModel {
  readonly name: string;
  readonly stacks: readonly StackArtifact[];
  readonly account: string;
  readonly region: string;
  private readonly handles: ResourceHandle[];
  private readonly index = new Map<string, ResourceHandle>();

  constructor(env: EnvironmentAssembly) {
    this.name = env.name;
    this.stacks = env.stacks;
    this.account = env.stacks[0]?.account ?? 'unknown';
    this.region = env.stacks[0]?.region ?? 'unknown';
    this.handles = env.stacks.flatMap((stack) =>
      Object.entries(stack.template.Resources ?? {}).map(([logicalId, resource]) => {
        const cdkPath = resource.Metadata?.['aws:cdk:path'];
        const handle: ResourceHandle = {
          stack,
          logicalId,
          resource,
          path: typeof cdkPath === 'string' ? cdkPath : `${stack.displayName}/${logicalId}`,
          type: resource.Type,
          props: resource.Properties ?? {},
        };
        this.index.set(`${stack.artifactId}/${logicalId}`, handle);
        return handle;
      }),
    );
  }

  resources(): readonly ResourceHandle[] {
    return this.handles;
  }

  ofType(...types: string[]): ResourceHandle[] {
    return this.handles.filter((h) => types.includes(h.type));
  }

  get(stack: StackArtifact, logicalId: string): ResourceHandle | undefined {
    return this.index.get(`${stack.artifactId}/${logicalId}`);
  }

  private output(value: Record<string, unknown>): { stack: StackArtifact; value: unknown } | undefined {
    if ('Fn::GetStackOutput' in value) {
      const spec = value['Fn::GetStackOutput'] as { StackName?: unknown; OutputName?: unknown };
      const stack = this.stacks.find((s) => s.stackName === spec.StackName);
      const out = stack?.template.Outputs?.[String(spec.OutputName)];
      return stack && out ? { stack, value: out.Value } : undefined;
    }
    if ('Fn::ImportValue' in value) {
      const name = value['Fn::ImportValue'];
      for (const stack of this.stacks) {
        for (const out of Object.values(stack.template.Outputs ?? {})) {
          if (out.Export && JSON.stringify(out.Export.Name) === JSON.stringify(name)) {
            return { stack, value: out.Value };
          }
        }
      }
    }
    return undefined;
  }

  /** The resource a `Ref`, `Fn::GetAtt` or cross-stack reference names, if it is in this environment. */
  target(value: unknown, from: StackArtifact): ResourceHandle | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return this.get(from, v.Ref);
    if (Array.isArray(v['Fn::GetAtt'])) return this.get(from, String(v['Fn::GetAtt'][0]));
    const out = this.output(v);
    return out ? this.target(out.value, out.stack) : undefined;
  }

  /**
   * The resource and attribute a `Fn::GetAtt` names (following cross-stack references), e.g. the
   * model gate and `ModelDataUrl`; undefined for anything else.
   */
  attributeOf(
    value: unknown,
    from: StackArtifact,
  ): { target: ResourceHandle; attribute: string } | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const v = value as Record<string, unknown>;
    if (Array.isArray(v['Fn::GetAtt'])) {
      const [logicalId, attribute] = v['Fn::GetAtt'] as [string, string];
      const target = this.get(from, String(logicalId));
      return target ? { target, attribute: String(attribute) } : undefined;
    }
    const out = this.output(v);
    if (out) return this.attributeOf(out.value, out.stack);
    const ssm = this.ssmParameterOf(v, from);
    return ssm ? this.attributeOf(ssm.props.Value, ssm.stack) : undefined;
  }

  /**
   * The SSM parameter resource an SSM-typed stack parameter resolves to at deploy time, when another stack
   * of this environment writes it (the served-model record the model gate writes).
   */
  ssmParameterOf(value: Record<string, unknown>, from: StackArtifact): ResourceHandle | undefined {
    if (typeof value.Ref !== 'string') return undefined;
    const parameter = from.template.Parameters?.[value.Ref];
    if (!parameter || !parameter.Type.startsWith('AWS::SSM::Parameter::Value')) return undefined;
    return this.ofType('AWS::SSM::Parameter').find((p) => p.props.Name === parameter.Default);
  }

  /** Every resource referenced anywhere inside a value (a policy, an ARN built with Fn::Join, ...). */
  referencedResources(value: unknown, from: StackArtifact): ResourceHandle[] {
    const found = new Map<string, ResourceHandle>();
    const visit = (v: unknown, stack: StackArtifact) => {
      if (v === null || typeof v !== 'object') return;
      if (Array.isArray(v)) return v.forEach((x) => visit(x, stack));
      const direct = this.target(v, stack);
      if (direct) {
        found.set(`${direct.stack.artifactId}/${direct.logicalId}`, direct);
        return;
      }
      const out = this.output(v as Record<string, unknown>);
      if (out) return visit(out.value, out.stack);
      Object.values(v).forEach((x) => visit(x, stack));
    };
    visit(value, from);
    return [...found.values()];
  }

  /** Renders a template value for a reader: references become construct paths, joins are joined. */
  describe(value: unknown, from: StackArtifact): string {
    if (value === undefined) return '(not set)';
    if (value === null || typeof value !== 'object') return String(value);
    if (Array.isArray(value)) return value.map((v) => this.describe(v, from)).join(', ');
    const v = value as Record<string, unknown>;
    if (v.Ref === 'AWS::Region') return from.region;
    if (v.Ref === 'AWS::AccountId') return from.account;
    if (v.Ref === 'AWS::Partition') return 'aws';
    if (v.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
    if (v.Ref === 'AWS::NoValue') return '(none)';
    if (typeof v.Ref === 'string' || Array.isArray(v['Fn::GetAtt'])) {
      const target = this.target(v, from);
      const attribute = Array.isArray(v['Fn::GetAtt']) ? `.${v['Fn::GetAtt'][1]}` : '';
      return target
        ? `<${target.path}${attribute}>`
        : `<${String(v.Ref ?? (v['Fn::GetAtt'] as string[])[0])}>`;
    }
    const out = this.output(v);
    if (out) return this.describe(out.value, out.stack);
    if (Array.isArray(v['Fn::Join'])) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return (parts ?? []).map((p) => this.describe(p, from)).join(sep);
    }
    if ('Fn::Sub' in v) {
      const sub = v['Fn::Sub'];
      const text = Array.isArray(sub) ? String(sub[0]) : String(sub);
      return text
        .replace(/\$\{AWS::Region\}/g, from.region)
        .replace(/\$\{AWS::AccountId\}/g, from.account)
        .replace(/\$\{AWS::Partition\}/g, 'aws');
    }
    if (Object.keys(v).some((k) => k.startsWith('Fn::'))) return JSON.stringify(value);
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}: ${this.describe(x, from)}`)
      .join(', ')}}`;
  }

  /** Acknowledged rule-pack findings, from the `cdk_nag` metadata of every resource. */
  acknowledgments(): Acknowledgment[] {
    return this.handles.flatMap((resource) => this.acknowledgmentsOf(resource));
  }

  /** The acknowledgments in one resource's own `cdk_nag` metadata. */
  acknowledgmentsOf(resource: ResourceHandle): Acknowledgment[] {
    const nag = resource.resource.Metadata?.cdk_nag as
      { rules_to_suppress?: Array<{ id: string; reason: string }> } | undefined;
    return (nag?.rules_to_suppress ?? []).map((rule) => ({
      ruleId: rule.id,
      pack: packOf(rule.id),
      reason: rule.reason,
      resource,
    }));
  }

  /** Tests whether a finding of the rule (any granular variant) is acknowledged on the resource. */
  isAcknowledged(resource: ResourceHandle, rulePrefix: string): boolean {
    // Only the resource's own metadata: scanning every resource of the environment per check is wasted.
    return this.acknowledgmentsOf(resource).some(
      (a) => a.ruleId === rulePrefix || a.ruleId.startsWith(`${rulePrefix}[`),
    );
  }
}

/**
 * `AwsSolutions-IAM5[Resource::*]` → `AwsSolutions`; `NIST.800.53.R5-X` → `NIST.800.53.R5`;
 * `CloudFormation-Validate::W3010` (CDK's built-in template check) → `CloudFormation-Validate`.
 */
export function packOf(ruleId: string): string {
  const plugin = /^([^[]+?)::/.exec(ruleId);
  if (plugin) return plugin[1];
  const dash = ruleId.indexOf('-');
  return dash > 0 ? ruleId.slice(0, dash) : ruleId;
}
