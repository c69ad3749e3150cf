/**
 * The test harness of the control modules: small templates in, one control's outcome out.
 *
 * A control's test file (`test/lib/compliance/controls/<section>/<module name>.test.ts`) calls
 * `describeControl(MODULE, { compliant: [...], nonCompliant: [...] })`. Each case builds an
 * environment from a few resources (`environment({ stacks: { Data: { Bucket: {...} } } })`, or real
 * constructs with `synthesize(...)`) and says what the check must conclude. Both lists must be non-empty:
 * the types refuse an empty one, and `registry.test.ts` refuses a module whose test file does not call
 * `describeControl` with it.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { CfnTemplate, StackArtifact, TemplateResource } from '../../../../lib/compliance/assembly';
import { ControlId, ControlStatus } from '../../../../lib/compliance/catalogue';
import { ControlModule, EvaluationContext, Outcome } from '../../../../lib/compliance/controls/control';
import { EnvironmentModel } from '../../../../lib/compliance/model';

/** A template resource a test may change in place. */
export type Resource = { -readonly [K in keyof TemplateResource]: TemplateResource[K] };
export type Resources = Record<string, Resource>;

export interface StackSpec {
  readonly resources: Resources;
  readonly outputs?: CfnTemplate['Outputs'];
  /** @default false */
  readonly terminationProtection?: boolean;
}

export interface EnvironmentSpec {
  /** The stage name. @default 'Prod' */
  readonly name?: string;
  /** @default '333333333333' */
  readonly account?: string;
  /** @default 'eu-west-1' */
  readonly region?: string;
  /** Stacks by name (`Data`, `Audit`, ...): their resources, or a full spec. */
  readonly stacks: Readonly<Record<string, Resources | StackSpec>>;
}

/** A StackSpec has `resources`; a bare resource map could only have that key as a logical id (with a Type). */
const isStackSpec = (v: Resources | StackSpec): v is StackSpec =>
  'resources' in v && typeof (v.resources as { Type?: unknown }).Type !== 'string';

/** An environment model built from small templates, named and placed like a synthesized stage. */
export function environment(spec: EnvironmentSpec): EnvironmentModel {
  const name = spec.name ?? 'Prod';
  const stacks: StackArtifact[] = Object.entries(spec.stacks).map(([stack, value]) => {
    const s = isStackSpec(value) ? value : { resources: value };
    return {
      artifactId: `${name}${stack}`,
      displayName: `${name}/${stack}`,
      stackName: `${name}-${stack}`,
      account: spec.account ?? '333333333333',
      region: spec.region ?? 'eu-west-1',
      terminationProtection: s.terminationProtection ?? false,
      templatePath: `assembly-${name}/${name}${stack}.template.json`,
      template: { Resources: s.resources, Outputs: s.outputs },
    };
  });
  return new EnvironmentModel({ name, stacks });
}

/** The evaluation context of one environment (and, for checks across environments, its siblings). */
export function context(
  model: EnvironmentModel,
  extra: Partial<Omit<EvaluationContext, 'model'>> = {},
): EvaluationContext {
  return {
    model,
    environments: [model],
    rulePacks: ['AwsSolutions', 'NIST.800.53.R5', 'ChurnControls'],
    ...extra,
  };
}

/**
 * The resources of a stack built from real constructs (bundling off), for cases that show a construct
 * of the project produces a compliant template. Paths are `Stack/<construct path>`, as in `cdk synth`.
 */
export function synthesize(build: (stack: Stack) => void, stackName = 'Stack'): Resources {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true },
  });
  const stack = new Stack(app, stackName, { env: { account: '333333333333', region: 'eu-west-1' } });
  build(stack);
  return Template.fromStack(stack).toJSON().Resources as Resources;
}

/** The logical id CDK gives a construct's default resource, for references between resources. */
export function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as never);
}

export const ref = (logicalId: string) => ({ Ref: logicalId });
export const getAtt = (logicalId: string, attribute: string) => ({ 'Fn::GetAtt': [logicalId, attribute] });

/** A deep copy with one change, so a non-compliant case reads as "the compliant one, except ...". */
export function changed<T>(value: T, change: (copy: T) => void): T {
  const copy = structuredClone(value);
  change(copy);
  return copy;
}

type NonEmpty<T> = readonly [T, ...T[]];

export interface CompliantCase {
  readonly name: string;
  readonly context: () => EvaluationContext;
  /** @default the module's declared status, i.e. anything but failing */
  readonly status?: ControlStatus;
  /** Evidence lines the check must report (a string matches exactly, a RegExp anywhere). */
  readonly evidence?: ReadonlyArray<string | RegExp>;
}

export interface NonCompliantCase {
  readonly name: string;
  readonly context: () => EvaluationContext;
  /** A problem the check must report. */
  readonly problem: string | RegExp;
}

export interface ControlCases {
  readonly compliant: NonEmpty<CompliantCase>;
  readonly nonCompliant: NonEmpty<NonCompliantCase>;
}

const matches = (text: string, expected: string | RegExp) =>
  typeof expected === 'string' ? text === expected : expected.test(text);

/** Evaluates one control module in a context. */
export function evaluate(module: ControlModule, ctx: EvaluationContext): Outcome {
  return module.evaluate(ctx);
}

/** Registers a control module's compliant and non-compliant tests. */
export function describeControl<Id extends ControlId>(module: ControlModule<Id>, cases: ControlCases): void {
  if (cases.compliant.length === 0 || cases.nonCompliant.length === 0) {
    throw new Error(`${module.id}: a control module needs at least one compliant and one non-compliant case`);
  }
  describe(`${module.id} evidence check`, () => {
    for (const c of cases.compliant) {
      test(`${module.id} compliant: ${c.name}`, () => {
        const outcome = module.evaluate(c.context());
        expect({ problems: outcome.problems.map((p) => p.text), status: outcome.status }).toEqual({
          problems: [],
          status: c.status ?? expect.not.stringMatching(/^failing$/),
        });
        for (const expected of c.evidence ?? []) {
          expect({ evidence: outcome.evidence.map((e) => e.text), expected }).toEqual({
            evidence: expect.arrayContaining([
              typeof expected === 'string' ? expected : expect.stringMatching(expected),
            ]),
            expected,
          });
        }
      });
    }
    for (const c of cases.nonCompliant) {
      test(`${module.id} non-compliant: ${c.name}`, () => {
        const outcome = module.evaluate(c.context());
        expect(outcome.status).toBe('failing');
        const problems = outcome.problems.map((p) => p.text);
        expect({ problems, found: problems.some((p) => matches(p, c.problem)) }).toEqual({
          problems,
          found: true,
        });
      });
    }
  });
}
