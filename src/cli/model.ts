import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { loadConfig, resolveConfigPath, resourceNames, type ProjectConfig } from '../../lib/config';
import { NOTHING_SERVED, SERVED_MODEL_FIELDS } from '../registry/served-model';
import { answerCheckDeps } from '../registry/answer-check-aws';
import { checkFunctionAnswers } from '../registry/function-answer-check';
import { functionAnswerCheckDeps } from '../registry/function-answer-check-aws';
import {
  EXIT_CODES,
  listVersions,
  parseMetrics,
  publishModel,
  AnswersDifferError,
  checkEndpointAnswers,
  GOLDEN_TOLERANCE,
  RegistryError,
  setApproval,
  type ApprovalDecision,
  type GoldenRowsSource,
  toRegistryError,
  type ModelVersionInfo,
  type RegistryClients,
} from '../registry';
import { FeatureSpecError, parseFeatureSpec, SpecModelMismatchError } from '../features';
import { sha256Hex } from '../integrity/digest';
import type { GoldenRecordSpec } from '../registry/provenance';
import {
  AssessmentInputError,
  DEFAULT_SETTINGS,
  parseAssessment,
  type AssessmentSummary,
  type RobustnessAssessment,
} from '../robustness';
import { assessFiles } from '../robustness/files';
import { DigestMismatchError, ModelArtifactError, ModelFormatError, UnsupportedModelError } from '../scorer';
import { InputError } from './records';
import { parseBaseline } from '../drift/baseline';
import { formatTable } from './table';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface CliDeps {
  /** Builds the AWS clients for a region (undefined: the SDK's default chain). */
  readonly clients: (region: string | undefined) => RegistryClients;
  readonly readTextFile: (path: string) => Promise<string>;
  /** Writes a file (the assessment report). */
  readonly writeTextFile: (path: string, text: string) => Promise<void>;
  /** AWS_REGION / AWS_DEFAULT_REGION, used to pick the default container image. */
  readonly envRegion?: string;
  /** The project configuration (`verify --env`): `--config`, else CHURN_CONFIG, else the example. */
  readonly loadConfig?: (path: string | undefined) => ProjectConfig;
  /** The clients `verify` calls in the environment's region. */
  readonly verifyClients?: (region: string) => {
    readonly ssm: SSMClient;
    readonly s3: S3Client;
    readonly runtime: SageMakerRuntimeClient;
    /** Embedded mode: the inference function is invoked directly (the check's event, not the API). */
    readonly lambda: LambdaClient;
  };
}

const EXIT_CODE_HELP = `Exit codes:
  0  success
  1  unexpected error (the AWS message is printed)
  2  usage: unknown command or option, missing or invalid value
  3  no such model package group
  4  no such model version (or no Approved version)
  5  artifact missing (local file, S3 object or bucket)
  6  digest mismatch (S3 checksum differs from the artifact's SHA-256)
  7  access denied (IAM, KMS, bucket policy, or no credentials)
  10 invalid artifact (the scorer cannot load the model inside)
  11 incompatible image (an official image known not to read the model)
  12 answers differ (verify: the deployed endpoint or function does not answer the golden rows as recorded)
  13 (gate only) a version misses the environment's robustness requirements`;

const HELP: Record<string, string> = {
  main: `Usage: npm run model -- <command> [options]

Manage model versions in a SageMaker model package group (one group per environment).

Commands:
  publish   upload an artifact (SHA-256 checked) and register a version awaiting approval
  approve   mark a version Approved, with a reason
  reject    mark a version Rejected, with a reason
  list      show versions with status, artifact digest and metrics
  assess    measure a model's robustness offline (MODEL-7) and write the assessment to record
  verify    send the golden rows to an environment's deployed endpoint or inference function and compare

Run 'npm run model -- <command> --help' for a command's options.

${EXIT_CODE_HELP}`,
  publish: `Usage: npm run model -- publish --group <name> --bucket <bucket> --artifact <file>
         --commit <sha> --data-version <version> --metrics <metrics.json> [options]

Hashes the artifact, uploads it to s3://<bucket>/<key-prefix>sha256/<digest>/<file> with an S3 SHA-256
checksum (an existing object is never overwritten), and registers a model package version with status
PendingManualApproval recording the digest, S3 version id, commit, data version and metrics.
Reads the model inside the artifact (refused if the scorer cannot load it), records its XGBoost
version and objective, and stores a provenance document beside the artifact
(<key>.provenance.json: feature names and types, golden rows and the exact scorer's predictions),
which the deployment's served-answer check and 'verify' compare the served answers with.

Options:
  --group <name>           model package group (e.g. churn-dev)
  --bucket <bucket>        model artifact bucket (versioned, Object Lock)
  --artifact <file>        local model archive (model.tar.gz)
  --commit <sha>           source commit the model was trained from
  --data-version <v>       training-data version (letters, digits, spaces, _ . : / = + - @)
  --metrics <file>         JSON with auc, precision, recall, f1 in [0, 1] (other numeric metrics are kept too)
  --golden-rows <csv>      golden set: up to 1000 rows whose header names model columns (numbers, empty =
                           missing, category names or codes for native categoricals)
                           With --feature-spec it may hold API records instead (header: the fields of
                           the specification; other columns such as customerID are ignored)
  --baseline <file>        draw the golden set (200 rows) from this drift baseline instead
                           (default without either: 200 rows on the model's own split points)
  --feature-spec <file>    the feature specification the environment's inference function encodes with
                           (serving.featureSpecFile): each golden row is also recorded as the API record
                           that encodes to it, so an embedded deployment can be checked (MODEL-6); a row
                           no record encodes to is refused, naming the row and the field
  --image <uri>            serving container image (default: the oldest official SageMaker XGBoost image
                           that reads the model's XGBoost version, in the region; an official image that
                           does not read it is refused)
  --key-prefix <prefix>    key prefix in the bucket (default: models/)
  --kms-key-id <key>       KMS key for the object, if the bucket policy requires one (default: bucket default)
  --assessment <file>      robustness assessment of this artifact (npm run model -- assess) to record
  --description <text>     model package description
  --region <region>        AWS region (default: AWS_REGION or the SDK's configuration)
  --json                   print the result as JSON
  -h, --help               show this help`,
  approve: `Usage: npm run model -- approve --group <name> --version <n> --reason <text> [--assessment <file>]
         [--region <r>] [--json]

Sets the version's status to Approved; the reason is kept as its approval description.
Test and prod deploy only Approved versions, and only with a robustness assessment that meets their
thresholds: --assessment records one (it must be of the version's artifact).`,
  reject: `Usage: npm run model -- reject --group <name> --version <n> --reason <text> [--region <r>] [--json]

Sets the version's status to Rejected; the reason is kept as its approval description.
A Rejected version never deploys, in any environment.`,
  list: `Usage: npm run model -- list --group <name> [--status Approved|Rejected|PendingManualApproval] [--region <r>] [--json]

Lists versions, newest first, with status, artifact SHA-256, metrics, commit and data version.`,
  assess: `Usage: npm run model -- assess --artifact <file> --spec <feature-spec.json> --rows <csv|jsonl>
         [--out <assessment.json>] [options]

Measures, offline with the embedded scorer, on golden or holdout rows (MODEL-7; docs/model-lifecycle.md):
  perturbation   per numeric feature, the share of decisions that flip when its value moves by
                 +/- a fraction of its standard deviation (within the specification's range), and
                 the largest probability change
  monotonicity   violations of each field's declared direction ("monotone") on a grid over its range
  bounds         scores at and beyond the specification's bounds and with missing values (no NaN,
                 nothing outside [0, 1]; out-of-range inputs refused)
  extraction     a coarse count of queries a simple surrogate needs to copy the decisions
Record the written file with publish --assessment or approve --assessment.

Options:
  --artifact <file>          model.tar.gz to be published, or a plain XGBoost JSON model
  --spec <file>              feature specification (may declare "monotone" per numeric field)
  --rows <file>              golden/holdout rows: CSV with a header naming the fields, or JSON Lines
  --threshold <p>            decision threshold, the environment's api.riskThresholds.high (default ${DEFAULT_SETTINGS.threshold})
  --step <s>                 perturbation in standard deviations (default ${DEFAULT_SETTINGS.relativeStep})
  --grid-points <n>          monotonicity grid points (default ${DEFAULT_SETTINGS.gridPoints})
  --bounds-rows <n>          rows the bounds probes use (default ${DEFAULT_SETTINGS.boundsRows})
  --target-agreement <a>     balanced agreement the surrogate must reach (default ${DEFAULT_SETTINGS.extraction.targetAgreement})
  --max-queries <n>          largest surrogate training set tried (default ${DEFAULT_SETTINGS.extraction.maxQueries})
  --seed <n>                 seed of the query generator (default ${DEFAULT_SETTINGS.extraction.seed})
  --out <file>               write the assessment JSON here
  --json                     print the assessment JSON
  -h, --help                 show this help`,
  verify: `Usage: npm run model -- verify --env <name> [--config <file>] [--json]

Checks what an environment serves, as the deployment's own check does (MODEL-6): reads the served-model
record the gate wrote (SSM), the artifact it verified and the provenance document stored beside it,
sends the golden rows recorded at publish plus rows on the model's split points to the environment's
SageMaker endpoint, and compares the answers with the exact scorer's predictions (absolute tolerance
${GOLDEN_TOLERANCE}). Exits 12 naming the first differing row when they differ.
In embedded mode (serving.mode = embedded) it invokes the inference function the API invokes (its ARN
from the SSM parameter the API stack writes) directly with the golden API records (recorded at publish
with --feature-spec), as the deployment's check does: not through the API, so the records are neither
captured nor counted as traffic. Credentials: ssm:GetParameters on the record and that parameter,
s3:GetObject on the artifact and its provenance (with kms:Decrypt through S3), and
lambda:InvokeFunction on the inference function (sagemaker mode: sagemaker:InvokeEndpoint instead).

Options:
  --env <name>      environment in the configuration (dev, test, prod)
  --config <file>   configuration file (default: CHURN_CONFIG, else config/example.json)
  --json            print the result as JSON`,
};

type Options = NonNullable<ParseArgsConfig['options']>;
const COMMON: Options = {
  region: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};
const COMMAND_OPTIONS: Record<string, Options> = {
  publish: {
    ...COMMON,
    group: { type: 'string' },
    bucket: { type: 'string' },
    artifact: { type: 'string' },
    'key-prefix': { type: 'string' },
    commit: { type: 'string' },
    'data-version': { type: 'string' },
    metrics: { type: 'string' },
    image: { type: 'string' },
    'kms-key-id': { type: 'string' },
    description: { type: 'string' },
    assessment: { type: 'string' },
    'golden-rows': { type: 'string' },
    baseline: { type: 'string' },
    'feature-spec': { type: 'string' },
  },
  approve: {
    ...COMMON,
    group: { type: 'string' },
    version: { type: 'string' },
    reason: { type: 'string' },
    assessment: { type: 'string' },
  },
  reject: { ...COMMON, group: { type: 'string' }, version: { type: 'string' }, reason: { type: 'string' } },
  list: { ...COMMON, group: { type: 'string' }, status: { type: 'string' } },
  assess: {
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    artifact: { type: 'string' },
    spec: { type: 'string' },
    rows: { type: 'string' },
    threshold: { type: 'string' },
    step: { type: 'string' },
    'grid-points': { type: 'string' },
    'bounds-rows': { type: 'string' },
    'target-agreement': { type: 'string' },
    'max-queries': { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
  },
  verify: {
    json: COMMON.json,
    help: COMMON.help,
    env: { type: 'string' },
    config: { type: 'string' },
  },
};

type Values = Record<string, string | boolean | undefined>;

function required(values: Values, name: string, command: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new RegistryError('usage', `${command} needs --${name} (see 'npm run model -- ${command} --help')`);
  }
  return value;
}

function optional(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

async function readInput(deps: CliDeps, option: string, path: string): Promise<string> {
  try {
    return await deps.readTextFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RegistryError(
      'usage',
      code === 'ENOENT'
        ? `${option} file '${path}' does not exist`
        : `${option} file '${path}' cannot be read (${code})`,
    );
  }
}

async function readGoldenSource(deps: CliDeps, values: Values): Promise<GoldenRowsSource> {
  const rows = optional(values, 'golden-rows');
  const baseline = optional(values, 'baseline');
  if (rows && baseline)
    throw new RegistryError('usage', 'publish takes --golden-rows or --baseline, not both');
  if (rows) return { kind: 'csv', name: rows, text: await readInput(deps, '--golden-rows', rows) };
  if (!baseline) return { kind: 'model' };
  const text = await readInput(deps, '--baseline', baseline);
  try {
    return { kind: 'baseline', name: baseline, baseline: parseBaseline(JSON.parse(text)) };
  } catch (error) {
    throw new RegistryError(
      'usage',
      `--baseline file '${baseline}' is not a drift baseline: ${(error as Error).message}`,
    );
  }
}

/** `--feature-spec`: the specification golden records are written in (the environment's serving.featureSpecFile). */
async function readRecordSpec(deps: CliDeps, values: Values): Promise<GoldenRecordSpec | undefined> {
  const path = optional(values, 'feature-spec');
  if (!path) return undefined;
  const text = await readInput(deps, '--feature-spec', path);
  try {
    return {
      name: path,
      spec: parseFeatureSpec(JSON.parse(text)),
      sha256: sha256Hex(Buffer.from(text, 'utf8')),
    };
  } catch (error) {
    throw new RegistryError(
      'usage',
      `--feature-spec file '${path}' is not a feature specification: ${(error as Error).message}`,
    );
  }
}

async function readMetrics(deps: CliDeps, path: string) {
  const text = await readInput(deps, '--metrics', path);
  return parseMetrics(text, `--metrics file '${path}'`);
}

async function readAssessment(
  deps: CliDeps,
  path: string | undefined,
): Promise<AssessmentSummary | undefined> {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = await deps.readTextFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RegistryError(
      'usage',
      code === 'ENOENT'
        ? `--assessment file '${path}' does not exist`
        : `--assessment file '${path}' cannot be read (${code})`,
    );
  }
  try {
    return parseAssessment(text, `--assessment file '${path}'`).summary;
  } catch (error) {
    throw new RegistryError('usage', (error as Error).message);
  }
}

function formatMetric(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(4);
}

export function formatVersions(group: string, versions: readonly ModelVersionInfo[]): string {
  if (versions.length === 0) return `model package group '${group}' has no versions yet`;
  const header = [
    'VERSION',
    'STATUS',
    'CREATED',
    'SHA256',
    'AUC',
    'PRECISION',
    'RECALL',
    'F1',
    'COMMIT',
    'DATA',
    'ROBUSTNESS',
  ];
  const rows = versions.map((v) => [
    String(v.version),
    v.approvalStatus,
    v.createdAt ? v.createdAt.toISOString().slice(0, 16).replace('T', ' ') : '-',
    v.recorded.artifactSha256 ? v.recorded.artifactSha256.slice(0, 12) : '(none)',
    formatMetric(v.recorded.metrics.auc),
    formatMetric(v.recorded.metrics.precision),
    formatMetric(v.recorded.metrics.recall),
    formatMetric(v.recorded.metrics.f1),
    v.recorded.sourceCommit ? v.recorded.sourceCommit.slice(0, 10) : '-',
    v.recorded.trainingDataVersion ?? '-',
    v.recorded.assessmentError ? 'unreadable' : v.recorded.assessment ? 'assessed' : '-',
  ]);
  return formatTable([header, ...rows]);
}

function versionJson(v: ModelVersionInfo) {
  return {
    version: v.version,
    arn: v.arn,
    status: v.approvalStatus,
    approvalDescription: v.approvalDescription ?? null,
    createdAt: v.createdAt ? v.createdAt.toISOString() : null,
    modelDataUrl: v.modelDataUrl ?? null,
    image: v.image ?? null,
    artifactSha256: v.recorded.artifactSha256 ?? null,
    artifactS3VersionId: v.recorded.artifactS3VersionId ?? null,
    sourceCommit: v.recorded.sourceCommit ?? null,
    trainingDataVersion: v.recorded.trainingDataVersion ?? null,
    metrics: v.recorded.metrics,
    robustness: v.recorded.assessment ?? null,
    ...(v.recorded.assessmentError ? { robustnessError: v.recorded.assessmentError } : {}),
  };
}

async function runPublish(values: Values, io: CliIo, deps: CliDeps): Promise<void> {
  const group = required(values, 'group', 'publish');
  const bucket = required(values, 'bucket', 'publish');
  const artifact = required(values, 'artifact', 'publish');
  const commit = required(values, 'commit', 'publish');
  const dataVersion = required(values, 'data-version', 'publish');
  const metricsPath = required(values, 'metrics', 'publish');
  const region = optional(values, 'region') ?? deps.envRegion;
  const image = optional(values, 'image');
  if (!image && !region) {
    throw new RegistryError(
      'usage',
      'publish needs --image, or --region / AWS_REGION to pick the XGBoost image',
    );
  }
  const metrics = await readMetrics(deps, metricsPath);
  const assessment = await readAssessment(deps, optional(values, 'assessment'));
  const goldenRows = await readGoldenSource(deps, values);
  const featureSpec = await readRecordSpec(deps, values);
  const result = await publishModel(deps.clients(optional(values, 'region')), {
    group,
    bucket,
    artifactPath: artifact,
    keyPrefix: optional(values, 'key-prefix'),
    commit,
    dataVersion,
    metrics,
    ...(image ? { image } : {}),
    ...(region ? { region } : {}),
    kmsKeyId: optional(values, 'kms-key-id'),
    description: optional(values, 'description'),
    assessment,
    goldenRows,
    ...(featureSpec ? { featureSpec } : {}),
  });
  if (values.json) {
    io.stdout(JSON.stringify({ ...result, group, status: 'PendingManualApproval' }, null, 2));
    return;
  }
  io.stdout(
    [
      `Published version ${result.version} of '${group}' (PendingManualApproval)`,
      `  package   ${result.modelPackageArn}`,
      `  artifact  ${result.modelDataUrl}`,
      `  s3        version id ${result.s3VersionId}, ${result.sizeBytes} bytes, ${result.reusedExistingObject ? 'already stored (same SHA-256), reused' : 'uploaded'}`,
      `  sha256    ${result.sha256}`,
      `  model     ${result.model.file}: XGBoost ${result.model.xgboostVersion}, ${result.model.booster}, ${result.model.objective}`,
      `  image     ${result.image}`,
      `  golden    ${result.provenance.goldenRows} rows from ${result.provenance.goldenSource}${result.provenance.reused ? ' (recorded at the first publish of this artifact, kept)' : ''}`,
      `  records   ${result.provenance.goldenRecords > 0 ? `${result.provenance.goldenRecords} API records (embedded serving can be checked)` : 'none: an embedded deployment cannot check this version (publish with --feature-spec)'}`,
      `  provenance ${result.provenance.url} (sha256 ${result.provenance.sha256})`,
      ...(result.warning ? [`warning: ${result.warning}`] : []),
      `Next: npm run model -- approve --group ${group} --version ${result.version} --reason "<why>"`,
    ].join('\n'),
  );
}

async function runApproval(
  decision: ApprovalDecision,
  command: string,
  values: Values,
  io: CliIo,
  deps: CliDeps,
) {
  const group = required(values, 'group', command);
  const version = required(values, 'version', command);
  const reason = required(values, 'reason', command);
  const assessment = await readAssessment(deps, optional(values, 'assessment'));
  const result = await setApproval(deps.clients(optional(values, 'region')).sagemaker, {
    group,
    version,
    decision,
    reason,
    assessment,
  });
  if (values.json) {
    io.stdout(JSON.stringify({ ...result, group, reason: reason.trim() }, null, 2));
    return;
  }
  io.stdout(
    `Version ${result.version} of '${group}': ${result.previousStatus} -> ${result.status}\n  reason: ${reason.trim()}` +
      (assessment
        ? `\n  robustness assessment recorded (report ${assessment.reportSha256.slice(0, 12)})`
        : ''),
  );
}

const STATUSES = ['Approved', 'Rejected', 'PendingManualApproval'] as const;

async function runList(values: Values, io: CliIo, deps: CliDeps): Promise<void> {
  const group = required(values, 'group', 'list');
  const status = optional(values, 'status');
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
    throw new RegistryError('usage', `--status must be one of ${STATUSES.join(', ')}, got '${status}'`);
  }
  const versions = await listVersions(deps.clients(optional(values, 'region')).sagemaker, group, {
    approvalStatus: status as (typeof STATUSES)[number] | undefined,
  });
  io.stdout(
    values.json
      ? JSON.stringify({ group, versions: versions.map(versionJson) }, null, 2)
      : formatVersions(group, versions),
  );
}

function numberOption(
  values: Values,
  name: string,
  check: (n: number) => boolean,
  what: string,
): number | undefined {
  const raw = optional(values, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || !check(value)) {
    throw new RegistryError('usage', `--${name} must be ${what}, got '${raw}'`);
  }
  return value;
}

const ASSESS_INPUT_ERRORS = [
  AssessmentInputError,
  FeatureSpecError,
  SpecModelMismatchError,
  ModelFormatError,
  UnsupportedModelError,
  ModelArtifactError,
  DigestMismatchError,
  InputError,
];

/** The assessment in a few lines: what a person reads before recording it. */
export function formatAssessment(assessment: RobustnessAssessment): string {
  const { details: d, summary } = assessment;
  const lines = [
    `Robustness assessment of ${d.model.artifact} (SHA-256 ${summary.artifactSha256.slice(0, 12)}...), ` +
      `${d.rows.assessed} rows of ${d.rows.path}${d.rows.rejected ? ` (${d.rows.rejected} refused by the specification)` : ''}, ` +
      `decision threshold ${summary.decisionThreshold}`,
    '',
    `Perturbation: each numeric feature moved by +/- ${d.settings.relativeStep} standard deviations within its range`,
    formatTable([
      ['FEATURE', 'STEP', 'ROWS', 'FLIPS', 'FLIP RATE', 'MAX CHANGE', 'MEAN CHANGE'],
      ...d.perturbation.features.map((f) =>
        f.skipped
          ? [f.feature, '-', '-', '-', '-', '-', `skipped: ${f.skipped}`]
          : [
              f.feature,
              String(f.step),
              String(f.rows),
              String(f.flips),
              f.flipRate.toFixed(4),
              f.maxProbabilityChange.toFixed(4),
              f.meanProbabilityChange.toFixed(4),
            ],
      ),
    ]),
    '',
    d.monotonicity.features.length === 0
      ? 'Monotonicity: no field of the specification declares a direction ("monotone")'
      : [
          `Monotonicity: ${d.settings.gridPoints}-point grid over each declared field's range`,
          formatTable([
            ['FEATURE', 'DIRECTION', 'PAIRS', 'VIOLATIONS', 'ROWS AFFECTED', 'LARGEST'],
            ...d.monotonicity.features.map((f) => [
              f.feature,
              f.direction,
              String(f.pairs),
              String(f.violations),
              String(f.rowsWithViolation),
              f.largestViolation.toFixed(4),
            ]),
          ]),
        ].join('\n'),
    '',
    `Bounds and missing values: ${d.bounds.probes} probes on ${d.bounds.rows} rows, ${d.bounds.invalidOutputs} invalid ` +
      `outputs, ${d.bounds.validationGaps} out-of-specification inputs accepted, ${d.bounds.boundsRefused} bound values refused`,
    ...d.bounds.problems.slice(0, 5).map((p) => `  ${p}`),
    '',
    `Extraction (coarse): ${
      d.extraction.reached
        ? `a surrogate reached ${d.extraction.targetAgreement} balanced agreement after ${d.extraction.queries} queries`
        : `a surrogate did not reach ${d.extraction.targetAgreement} balanced agreement within ${d.extraction.queries} queries`
    } (ladder ${d.extraction.ladder.map((r) => `${r.queries}:${r.balancedAgreement.toFixed(3)}`).join(' ')})`,
  ];
  return lines.join('\n');
}

async function runAssess(values: Values, io: CliIo, deps: CliDeps): Promise<void> {
  const artifactPath = required(values, 'artifact', 'assess');
  const specPath = required(values, 'spec', 'assess');
  const rowsPath = required(values, 'rows', 'assess');
  const out = optional(values, 'out');
  const positiveInteger = (n: number) => Number.isInteger(n) && n >= 1;
  const threshold = numberOption(values, 'threshold', (n) => n > 0 && n < 1, 'a probability between 0 and 1');
  const relativeStep = numberOption(values, 'step', (n) => n > 0, 'a positive number');
  const gridPoints = numberOption(
    values,
    'grid-points',
    (n) => positiveInteger(n) && n >= 2,
    'a whole number of at least 2',
  );
  const boundsRows = numberOption(values, 'bounds-rows', positiveInteger, 'a positive whole number');
  const targetAgreement = numberOption(values, 'target-agreement', (n) => n > 0 && n <= 1, 'in (0, 1]');
  const maxQueries = numberOption(
    values,
    'max-queries',
    (n) => positiveInteger(n) && n >= DEFAULT_SETTINGS.extraction.startQueries,
    `a whole number of at least ${DEFAULT_SETTINGS.extraction.startQueries}`,
  );
  const seed = numberOption(values, 'seed', (n) => Number.isInteger(n) && n >= 0, 'a whole number');
  let assessment: RobustnessAssessment;
  try {
    assessment = await assessFiles({
      artifactPath,
      specPath,
      rowsPath,
      settings: {
        ...(threshold !== undefined ? { threshold } : {}),
        ...(relativeStep !== undefined ? { relativeStep } : {}),
        ...(gridPoints !== undefined ? { gridPoints } : {}),
        ...(boundsRows !== undefined ? { boundsRows } : {}),
        extraction: {
          ...(targetAgreement !== undefined ? { targetAgreement } : {}),
          ...(maxQueries !== undefined ? { maxQueries } : {}),
          ...(seed !== undefined ? { seed } : {}),
        },
      },
    });
  } catch (error) {
    if (ASSESS_INPUT_ERRORS.some((type) => error instanceof type)) {
      throw new RegistryError('usage', (error as Error).message);
    }
    throw error;
  }
  const json = JSON.stringify(assessment, null, 2);
  if (out) await deps.writeTextFile(out, `${json}\n`);
  if (values.json) {
    io.stdout(json);
    return;
  }
  io.stdout(formatAssessment(assessment));
  if (out) {
    io.stdout(
      `\nWritten to ${out}. Record it with the version: npm run model -- publish ... --assessment ${out}` +
        ` (or approve ... --assessment ${out})`,
    );
  }
}

function nothingConfigured(what: string): never {
  throw new RegistryError('unexpected', `verify is not wired to ${what} here`);
}

async function runVerify(values: Values, io: CliIo, deps: CliDeps): Promise<void> {
  const envName = required(values, 'env', 'verify');
  if (!deps.loadConfig) nothingConfigured('a configuration');
  const config = deps.loadConfig(optional(values, 'config'));
  const env = config.environments.find((e) => e.name === envName);
  if (!env) {
    throw new RegistryError(
      'usage',
      `--env '${envName}' is not an environment of the configuration (${config.environments.map((e) => e.name).join(', ')})`,
    );
  }
  const names = resourceNames(config.project.name, env);
  if (!deps.verifyClients) nothingConfigured('AWS clients');
  const clients = deps.verifyClients(env.region);
  const embedded = env.serving.mode === 'embedded';
  const fields = ['modelVersion', 'modelDataUrl', 'artifactSha256'] as const;
  const parameterNames = [
    ...fields.map((f) => `${names.servedModelParameters}${SERVED_MODEL_FIELDS[f]}`),
    ...(embedded ? [names.inferenceFunctionParameter] : []),
  ];
  let record: Record<string, string>;
  try {
    const out = await clients.ssm.send(new GetParametersCommand({ Names: parameterNames }));
    record = Object.fromEntries((out.Parameters ?? []).map((p) => [p.Name ?? '', p.Value ?? '']));
  } catch (error) {
    throw toRegistryError(error, `reading the served-model record ${names.servedModelParameters}`, {
      kind: 'other',
    });
  }
  const missing = parameterNames.filter((n) => record[n] === undefined);
  if (missing.length > 0) {
    throw new RegistryError(
      'noSuchVersion',
      `the served-model record of '${envName}' lacks ${missing.join(', ')}: the environment is not deployed yet`,
    );
  }
  const [version, modelDataUrl, artifactSha256, functionArn] = parameterNames.map((n) => record[n]);
  if (version === NOTHING_SERVED) {
    throw new RegistryError(
      'noSuchVersion',
      `'${envName}' serves no model yet (no Approved version was deployed)`,
    );
  }
  // Embedded: the function the API invokes (unqualified), sent the check's event directly, so the golden
  // records are not traffic (no capture, no metrics); sagemaker: the endpoint.
  const target = embedded ? functionArn : names.endpoint;
  const described = embedded ? `inference function ${functionArn}` : `endpoint ${names.endpoint}`;
  let result;
  try {
    result = embedded
      ? await checkFunctionAnswers(functionAnswerCheckDeps(clients), {
          FunctionArn: functionArn,
          ModelVersion: version,
          ModelDataUrl: modelDataUrl,
          ArtifactSha256: artifactSha256,
        })
      : await checkEndpointAnswers(answerCheckDeps(clients), {
          EndpointName: names.endpoint,
          ModelDataUrl: modelDataUrl,
          ArtifactSha256: artifactSha256,
        });
  } catch (error) {
    if (error instanceof AnswersDifferError) throw new RegistryError('answersDiffer', error.message);
    if (error instanceof DigestMismatchError) throw new RegistryError('digestMismatch', error.message);
    if (error instanceof RegistryError) throw error;
    throw toRegistryError(error, `checking ${described}`, {
      kind: 's3Object',
      uri: modelDataUrl,
    });
  }
  if (!result.checked) throw new RegistryError('unexpected', result.reason);
  const summary = {
    env: envName,
    ...(embedded ? { function: target } : { endpoint: target }),
    modelVersion: version,
    modelDataUrl,
    rows: result.rows,
    goldenSource: result.goldenSource,
    tolerance: GOLDEN_TOLERANCE,
    worstDifference: result.worstDifference,
  };
  io.stdout(
    values.json
      ? JSON.stringify(summary, null, 2)
      : [
          `${embedded ? 'Inference function' : 'Endpoint'} ${target} answers like version ${version} of '${names.modelPackageGroup}'`,
          `  rows      ${result.rows}: ${result.goldenSource}`,
          `  worst     ${result.worstDifference.toExponential(2)} (tolerance ${GOLDEN_TOLERANCE})`,
          `  artifact  ${modelDataUrl}`,
        ].join('\n'),
  );
}

/** Runs one command line; returns the exit code instead of exiting, so tests can drive it. */
export async function runModelCli(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    const topic = command === 'help' && rest[0] && HELP[rest[0]] ? rest[0] : 'main';
    io.stdout(HELP[topic]);
    return command === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  const options = COMMAND_OPTIONS[command];
  if (!options) {
    io.stderr(`error: unknown command '${command}'\n\n${HELP.main}`);
    return EXIT_CODES.usage;
  }
  try {
    let values: Values;
    try {
      values = parseArgs({ args: [...rest], options, strict: true, allowPositionals: false })
        .values as Values;
    } catch (error) {
      throw new RegistryError(
        'usage',
        `${(error as Error).message} (see 'npm run model -- ${command} --help')`,
      );
    }
    if (values.help) {
      io.stdout(HELP[command]);
      return EXIT_CODES.ok;
    }
    if (command === 'publish') await runPublish(values, io, deps);
    else if (command === 'approve') await runApproval('Approved', command, values, io, deps);
    else if (command === 'reject') await runApproval('Rejected', command, values, io, deps);
    else if (command === 'assess') await runAssess(values, io, deps);
    else if (command === 'verify') await runVerify(values, io, deps);
    else await runList(values, io, deps);
    return EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof RegistryError) {
      io.stderr(`error: ${error.message}`);
      return error.exitCode;
    }
    io.stderr(`error: unexpected failure: ${(error as Error).message ?? String(error)}`);
    return EXIT_CODES.unexpected;
  }
}

if (require.main === module) {
  const deps: CliDeps = {
    clients: (region) => ({ sagemaker: new SageMakerClient({ region }), s3: new S3Client({ region }) }),
    readTextFile: (path) => readFile(path, 'utf8'),
    writeTextFile: (path, text) => writeFile(path, text, 'utf8'),
    envRegion: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
    loadConfig: (path) => loadConfig(resolveConfigPath(path)),
    verifyClients: (region) => ({
      ssm: new SSMClient({ region }),
      s3: new S3Client({ region }),
      runtime: new SageMakerRuntimeClient({ region }),
      lambda: new LambdaClient({ region }),
    }),
  };
  const io: CliIo = { stdout: (text) => console.log(text), stderr: (text) => console.error(text) };
  void runModelCli(process.argv.slice(2), io, deps).then((code) => {
    process.exitCode = code;
  });
}
