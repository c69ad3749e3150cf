/**
 * What a control module is. Every control of the catalogue has exactly one module, at
 * `lib/compliance/controls/<section>/<id>-<what-it-checks>.ts`, exporting a {@link ControlModule}
 * named after its id (`NET_4` for NET-4) and registered in `./index.ts`.
 *
 * ## Adding or replacing a control module
 * 1. Write `lib/compliance/controls/<section>/<id>-<what-it-checks>.ts` (lower case, e.g.
 *    `net/net-4-flow-logs.ts`) exporting `export const NET_4 = defineControl({ id: 'NET-4', ... })`:
 *    - `implementedBy`: the constructs (or functions, workflows) that implement the control, each with
 *      its source file; a test checks the file exists and exports that name.
 *    - `provenBy`: the tests that prove the implementation, as file and full test name (the describe
 *      titles and the test title joined by spaces, `*` for a computed part such as `${env.name}`); a test
 *      checks each one exists and that its name contains the control id.
 *    - `evaluate(ctx)`: reads the parsed templates (`ctx.model`), never substrings of serialized JSON
 *      or YAML, and returns `findings.conclude(...)`; any problem makes the control FAILING.
 *    - `rules` (optional): rule-pack rule ids whose acknowledgments concern the control.
 * 2. Register it in `./index.ts` (the registry's type makes a missing or misspelt id a type error).
 * 3. Write its two tests in the mirrored file `test/lib/compliance/controls/<section>/<same name>.test.ts`
 *    with `describeControl(NET_4, { compliant: [...], nonCompliant: [...] })` from `../harness`: small
 *    templates, at least one compliant and one non-compliant case (the types refuse an empty list).
 * A control another issue has not built yet keeps a `notBuiltYet(...)` module: it reports FAILING.
 */
import { ValidationReport } from '../assembly';
import { ControlId, ControlStatus } from '../catalogue';
import { EnvironmentModel, ResourceHandle } from '../model';
import type { EnvironmentConfig, ProjectSettings } from '../../config/schema';
import type { FeatureSpec } from '../../../src/features';
import type { SbomIndex } from '../../sbom/sbom-index';

/** One line of evidence, tied to the resource it is about when there is one. */
export interface EvidenceItem {
  readonly text: string;
  readonly path?: string;
  readonly templatePath?: string;
  readonly logicalId?: string;
}

/** The outcome of one control's evidence check in one environment. */
export interface Outcome {
  readonly status: ControlStatus;
  /** One sentence a reviewer reads first. */
  readonly summary: string;
  readonly evidence: readonly EvidenceItem[];
  /** What is missing or wrong; any entry makes the control `failing`. */
  readonly problems: readonly EvidenceItem[];
}

export interface ControlResult extends Outcome {
  readonly id: ControlId;
  readonly title: string;
}

/** Files of the repository the report reads besides the templates (CI workflows for AUD-4, SEC-3). */
export interface RepositoryFacts {
  readonly workflows: ReadonlyArray<{ readonly file: string; readonly text: string }>;
  /** Each control's module file and the test file of its evidence check, for the report's trail. */
  readonly controlFiles?: Readonly<Record<string, { readonly module: string; readonly test?: string }>>;
}

/** The configuration of the environment being evaluated, when the report was given it. */
export interface ConfigurationFacts {
  readonly project: ProjectSettings;
  readonly environment: EnvironmentConfig;
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
  readonly configuration?: ConfigurationFacts;
  /** The feature specification the API serves, when known (the DPIA draft lists its fields). */
  readonly featureSpec?: FeatureSpec;
  /** The tooling account's stacks (private package repository, CI role), when the assembly has them. */
  readonly tooling?: EnvironmentModel;
  /** The bills of materials written at synth (`cdk.out/sbom/index.json`), when there are any. */
  readonly sboms?: SbomIndex;
}

/** A construct, function or workflow that implements a control, with its source file. */
export interface Implementation {
  /** The exported class or function (TypeScript), or the job id (a GitHub workflow). */
  readonly name: string;
  /** Relative to the repository root. */
  readonly file: string;
}

/** A test that proves the implementation: run it with `npx jest <file> -t '<name>'`. */
export interface ProvingTest {
  /** Relative to the repository root. */
  readonly file: string;
  /** Describe titles and the test title joined by spaces; `*` stands for a computed part. */
  readonly name: string;
}

export interface ControlModule<Id extends ControlId = ControlId> {
  readonly id: Id;
  readonly implementedBy: readonly Implementation[];
  readonly provenBy: readonly ProvingTest[];
  /** Rule-pack rule ids (or prefixes before `[`) whose acknowledgments concern this control. */
  readonly rules?: readonly string[];
  /** Set while another issue builds the control; evaluate() then reports FAILING. */
  readonly pending?: { readonly issue: number };
  evaluate(ctx: EvaluationContext): Outcome;
}

/** Declares a control module; the id's literal type ties it to its registry entry. */
export function defineControl<Id extends ControlId>(module: ControlModule<Id>): ControlModule<Id> {
  return module;
}

/**
 * The module of a control another issue builds: honestly FAILING everywhere until that issue replaces
 * it with a real module (and its two tests).
 */
export function notBuiltYet<Id extends ControlId>(id: Id, issue: number): ControlModule<Id> {
  const text = `not built yet (issue ${issue}): no evidence check is defined for this control`;
  return {
    id,
    implementedBy: [],
    provenBy: [],
    pending: { issue },
    evaluate: () => ({ status: 'failing', summary: text, evidence: [], problems: [{ text }] }),
  };
}

/** Collects evidence and problems while a check reads the templates. */
export class Findings {
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

  /** The outcome: `status` when nothing is wrong, FAILING with the first problem otherwise. */
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

/** A control that does not apply to this environment, with the reason and what shows it. */
export function notApplicable(summary: string, evidence: string): Outcome {
  return { status: 'not-applicable', summary, evidence: [{ text: evidence }], problems: [] };
}
