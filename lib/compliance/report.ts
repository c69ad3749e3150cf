import type { ProjectConfig } from '../config/schema';
import { stageName } from '../config/naming';
import { CloudAssemblyView } from './assembly';
import { CONTROL_STATUSES, CONTROLS, ControlStatus } from './catalogue';
import { evaluateControls, RepositoryFacts } from './evidence';
import { controlModule } from './controls';
import { buildFrameworkViews, FrameworkView } from './framework-view';
import { ControlReport, withTrail } from './trail';
import { DpiaDraft, draftDpia } from './dpia';
import type { FeatureSpec } from '../../src/features';
import { findingLocations, unacknowledgedFindings } from './controls/aud/aud-2-rule-packs';
import { mfaDeleteCommand } from './controls/model/model-1-locked-model-bucket';
import { modelBuckets } from './controls/template-readers';
import { buildInventory, EnvironmentInventory } from './inventory';
import { EnvironmentModel } from './model';
import type { SbomIndex } from '../sbom/sbom-index';

export interface AcknowledgmentEntry {
  readonly ruleId: string;
  readonly pack: string;
  readonly reason: string;
  readonly path: string;
  readonly templatePath: string;
  readonly logicalId: string;
}

export interface PackCount {
  readonly pack: string;
  readonly acknowledged: number;
  /** Findings the validation report lists as unacknowledged (0 when synth passed). */
  readonly unacknowledged: number;
}

/** Something no template can do: a person must act, once or periodically. */
export interface HumanAction {
  readonly topic: string;
  readonly action: string;
  /** A command to run, when there is one. */
  readonly command?: string;
  readonly controls: readonly string[];
}

export interface EnvironmentReport {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly stacks: ReadonlyArray<{ readonly name: string; readonly templatePath: string }>;
  readonly sourceCommit?: string;
  /** Failing first; each with its trail (implementation, resources, tests, acknowledgments) and mapping. */
  readonly controls: readonly ControlReport[];
  readonly counts: Readonly<Record<ControlStatus, number>>;
  readonly acknowledgments: readonly AcknowledgmentEntry[];
  readonly packCounts: readonly PackCount[];
  readonly inventory: EnvironmentInventory;
  readonly needsHuman: readonly HumanAction[];
  /** The DPIA draft (AUD-5), when the report was given the configuration and the feature specification. */
  readonly dpia?: DpiaDraft;
}

export interface OverviewRow {
  readonly id: string;
  readonly title: string;
  /** The worst status over all environments (failing first). */
  readonly status: ControlStatus;
  readonly byEnvironment: Readonly<Record<string, ControlStatus>>;
}

export interface ValidationNote {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly description: string;
  readonly where: readonly string[];
}

export interface ComplianceReport {
  readonly generatedAt: string;
  readonly assemblyDirectory: string;
  readonly rulePacks: readonly string[];
  readonly environments: readonly EnvironmentReport[];
  readonly overview: readonly OverviewRow[];
  readonly counts: Readonly<Record<ControlStatus, number>>;
  /** One view per framework (NIST SP 800-53, ISO/IEC 27001, GDPR): its mapped controls and their status. */
  readonly frameworks: readonly FrameworkView[];
  /** Everything in validation-report.json: rule-pack findings and CDK annotations alike. */
  readonly validation: readonly ValidationNote[];
  /** The CycloneDX bills of materials written at synth (SEC-5), with their package counts. */
  readonly sboms?: SbomIndex;
}

export interface ReportOptions {
  /** Serving mode per environment name (`Dev`, ...) from the configuration, when it is known. */
  readonly servingModes?: Readonly<Record<string, 'sagemaker' | 'embedded'>>;
  /**
   * The configuration the assembly was synthesized from: checks compare the templates with it (retention
   * periods, locks) and the DPIA draft is written from it. Without it those comparisons are skipped.
   */
  readonly configuration?: ProjectConfig;
  readonly repository?: RepositoryFacts;
  /**
   * The feature specification each environment serves (`serving.featureSpecFile`), by stage name: the DPIA
   * draft lists its fields.
   */
  readonly featureSpecs?: Readonly<Record<string, FeatureSpec>>;
  readonly rulePacks: readonly string[];
  /** The bills of materials of the assembly (`<cdk.out>/sbom/index.json`), for SEC-5 and the listing. */
  readonly sboms?: SbomIndex;
  /** Fixed in tests; the current time otherwise. */
  readonly now?: Date;
}

/** Status order for sorting and for the overview: the worst first. */
export const STATUS_RANK: Readonly<Record<ControlStatus, number>> = Object.fromEntries(
  CONTROL_STATUSES.map((s, i) => [s, i]),
) as Record<ControlStatus, number>;

export function countStatuses(statuses: readonly ControlStatus[]): Record<ControlStatus, number> {
  const counts = Object.fromEntries(CONTROL_STATUSES.map((s) => [s, 0])) as Record<ControlStatus, number>;
  for (const s of statuses) counts[s]++;
  return counts;
}

/**
 * Where an overview row fails: its failing environments in report order, and the first problem of the
 * control in the first of them (the line a reader sees first).
 */
export function failureOf(
  report: Pick<ComplianceReport, 'environments'>,
  row: OverviewRow,
): { environments: string[]; firstProblem?: string } {
  const environments = Object.entries(row.byEnvironment)
    .filter(([, s]) => s === 'failing')
    .map(([e]) => e);
  const firstProblem = report.environments
    .find((e) => e.name === environments[0])
    ?.controls.find((c) => c.id === row.id)?.problems[0]?.text;
  return { environments, firstProblem };
}

function needsHuman(model: EnvironmentModel): HumanAction[] {
  const actions: HumanAction[] = [];
  const account = `${model.name} (account ${model.account}, ${model.region})`;
  for (const bucket of modelBuckets(model)) {
    const name = model.describe(bucket.props.BucketName, bucket.stack);
    actions.push({
      topic: 'MFA Delete on the model bucket',
      action: `Once, signed in as the root user of ${account} with its MFA device: turn on MFA Delete (CloudFormation cannot). The deployed check then reports it as enabled.`,
      command: mfaDeleteCommand(name, model.account),
      controls: ['MODEL-1'],
    });
  }
  actions.push({
    topic: 'Data protection impact assessment',
    action: `Before customer data is processed in ${account}: complete the DPIA draft of this report (dpia-${model.name.toLowerCase()}.html) where it says "needs a person" (lawful basis, necessity and proportionality, risks, human review of automated decisions, consultation, residual risk), have the data protection officer review it, sign it and file it.`,
    controls: ['AUD-5', 'DATA-1', 'DATA-3', 'DATA-5'],
  });
  actions.push({
    topic: 'Account-level security services',
    action: `In ${account}: enable GuardDuty and Security Hub (organisation-wide through a delegated administrator), and deliver an organisation CloudTrail to a separate log-archive account. These are account or organisation settings, not part of these stacks.`,
    controls: ['AUD-1', 'MON-3'],
  });
  if (model.ofType('AWS::Macie::Session').length === 0) {
    actions.push({
      topic: 'Macie administration',
      action: `Macie is not enabled by these stacks in ${account}: confirm it is enabled, or that the organisation's Macie delegated administrator covers this account, or the classification jobs cannot run.`,
      controls: ['DATA-2'],
    });
  } else {
    actions.push({
      topic: 'Macie administration',
      action: `If the organisation uses a Macie delegated administrator, make this account a member so findings are visible centrally (${account}).`,
      controls: ['DATA-2'],
    });
  }
  const emails = model.ofType('AWS::SNS::Subscription').filter((s) => s.props.Protocol === 'email');
  for (const s of emails) {
    actions.push({
      topic: 'Alert subscription',
      action: `The owner of ${model.describe(s.props.Endpoint, s.stack)} must confirm the SNS subscription e-mail after the first deployment; until then no alert reaches anyone.`,
      controls: ['MON-3'],
    });
  }
  if (emails.length === 0) {
    actions.push({
      topic: 'Alert subscription',
      action: `No e-mail is subscribed to the alert topic in ${account}: subscribe the on-call tooling (or set alerts.email) so alarms reach a person.`,
      controls: ['MON-3'],
    });
  }
  if (/^prod/i.test(model.name)) {
    actions.push({
      topic: 'Production approval',
      action:
        'In the GitHub repository settings, protect the "prod" environment with required reviewers (and restrict it to the main branch); the deploy workflow waits for their approval.',
      controls: ['AUD-4', 'SEC-3'],
    });
  }
  return actions;
}

/** Builds the report for every environment of a synthesized assembly. */
export function buildReport(assembly: CloudAssemblyView, options: ReportOptions): ComplianceReport {
  const models = assembly.environments.map((e) => new EnvironmentModel(e));
  // The tooling account's stack is the assembly's only top-level stack: not an environment, but the
  // private package repository every environment's CI installs through (SEC-5).
  const tooling = assembly.topLevelStacks.length
    ? new EnvironmentModel({ name: 'Tooling', stacks: assembly.topLevelStacks })
    : undefined;
  const validation: ValidationNote[] = (assembly.validationReport?.pluginReports ?? []).flatMap((plugin) =>
    plugin.violations.map((v) => ({
      plugin: plugin.pluginName,
      rule: v.ruleName,
      severity: v.severity ?? 'error',
      description: v.description ?? '',
      where: findingLocations(v),
    })),
  );
  const environments = models.map((model): EnvironmentReport => {
    const environment = options.configuration?.environments.find((e) => stageName(e.name) === model.name);
    const featureSpec = options.featureSpecs?.[model.name];
    const controls = evaluateControls({
      model,
      environments: models,
      servingMode: options.servingModes?.[model.name] ?? environment?.serving.mode,
      configuration:
        environment && options.configuration
          ? { project: options.configuration.project, environment }
          : undefined,
      validationReport: assembly.validationReport,
      repository: options.repository,
      rulePacks: options.rulePacks,
      featureSpec,
      ...(tooling ? { tooling } : {}),
      ...(options.sboms ? { sboms: options.sboms } : {}),
    });
    const acknowledgments = model.acknowledgments().map((a) => ({
      ruleId: a.ruleId,
      pack: a.pack,
      reason: a.reason,
      path: a.resource.path,
      templatePath: a.resource.stack.templatePath,
      logicalId: a.resource.logicalId,
    }));
    const packs = [...new Set([...options.rulePacks, ...acknowledgments.map((a) => a.pack)])];
    // The same function AUD-2 fails on, so the counts and the control never disagree.
    const open = unacknowledgedFindings(assembly.validationReport, options.rulePacks, model.name);
    const packCounts = packs.map((pack) => ({
      pack,
      acknowledged: acknowledgments.filter((a) => a.pack === pack).length,
      unacknowledged: open.filter((u) => u.pack === pack).length,
    }));
    const commits = new Set(
      model
        .resources()
        .flatMap((h) =>
          Array.isArray(h.props.Tags) ? (h.props.Tags as Array<{ Key: string; Value: unknown }>) : [],
        )
        .filter((t) => t.Key === 'source-commit')
        .map((t) => String(t.Value)),
    );
    const reported = controls.map((c) =>
      withTrail(controlModule(c.id), c, model, options.repository?.controlFiles, tooling ? [tooling] : []),
    );
    return {
      name: model.name,
      account: model.account,
      region: model.region,
      stacks: model.stacks.map((s) => ({ name: s.displayName, templatePath: s.templatePath })),
      sourceCommit: commits.size ? [...commits].join(', ') : undefined,
      controls: [...reported].sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status]),
      counts: countStatuses(controls.map((c) => c.status)),
      acknowledgments,
      packCounts,
      inventory: buildInventory(model),
      needsHuman: needsHuman(model),
      ...(environment && options.configuration && featureSpec
        ? {
            dpia: draftDpia({
              model,
              project: options.configuration.project,
              environment,
              featureSpec,
              controls: reported,
            }),
          }
        : {}),
    };
  });
  const overview = CONTROLS.map((control) => {
    const byEnvironment = Object.fromEntries(
      environments.map((e) => [e.name, e.controls.find((c) => c.id === control.id)!.status]),
    );
    const statuses = Object.values(byEnvironment);
    const status = statuses.length
      ? statuses.reduce((worst, s) => (STATUS_RANK[s] < STATUS_RANK[worst] ? s : worst))
      : 'failing';
    return { id: control.id, title: control.title, status, byEnvironment };
  }).sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status]);
  return {
    generatedAt: (options.now ?? new Date()).toISOString(),
    assemblyDirectory: assembly.outdir,
    rulePacks: options.rulePacks,
    environments,
    overview,
    counts: countStatuses(overview.map((o) => o.status)),
    frameworks: buildFrameworkViews(environments),
    validation,
    ...(options.sboms ? { sboms: options.sboms } : {}),
  };
}
