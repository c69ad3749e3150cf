import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';

/** One rule of the project's pack: a pure check of one CloudFormation resource. */
export interface ChurnRule {
  /** Suffix of the rule id: the finding is `ChurnControls-<id>`. */
  readonly id: string;
  /** What is wrong when the rule fires. */
  readonly info: string;
  /** Why the rule exists and how to fix the finding. */
  readonly explanation: string;
  readonly level: NagMessageLevel;
  /** Control ids of ../shared/CONTROLS.md the rule enforces. */
  readonly controls: readonly string[];
  readonly check: (node: CfnResource) => NagRuleCompliance;
}

/** A property value with tokens resolved in the context of the resource's stack. */
export function resolved<T = unknown>(node: CfnResource, value: unknown): T {
  return Stack.of(node).resolve(value) as T;
}

/**
 * A property of a resolved value by its camelCase name, or else its PascalCase one: an L1 property
 * holds camelCase keys when set through the construct's props, PascalCase when given as raw CloudFormation.
 */
export function field(value: unknown, camelName: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  const o = value as Record<string, unknown>;
  return o[camelName] ?? o[camelName.charAt(0).toUpperCase() + camelName.slice(1)];
}

export const asList = <T>(value: unknown): T[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? (value as T[]) : [value as T];

/** Statements of a resolved policy document, single values widened to arrays. */
export function policyStatements(document: unknown): Array<{
  effect: string;
  actions: string[];
  principal: unknown;
  condition: Record<string, Record<string, unknown>>;
}> {
  return asList<Record<string, unknown>>((document as { Statement?: unknown } | undefined)?.Statement).map(
    (s) => ({
      effect: String(s.Effect ?? 'Allow'),
      actions: asList<string>(s.Action),
      principal: s.Principal,
      condition: (s.Condition ?? {}) as Record<string, Record<string, unknown>>,
    }),
  );
}

/** The CloudFormation resources of the stack the node belongs to, for rules that look across it. */
export function stackResources(node: CfnResource): CfnResource[] {
  return Stack.of(node)
    .node.findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c));
}

export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
