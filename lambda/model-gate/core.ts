import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { assertDigest, sha256OfStream } from '../../src/integrity/digest';
import { awsCall, RegistryError } from '../../src/registry/errors';
import {
  checkGroupName,
  parseVersionSelector,
  resolveVersion,
  type ModelVersionInfo,
  type VersionSelector,
} from '../../src/registry/packages';
import { loadArtifactModel, modelFileFromArtifact } from '../../src/registry/provenance';
import { readableOf } from '../../src/scorer/artifact';
import { formatS3Uri, parseS3Uri } from '../../src/registry/s3-uri';
import { NOTHING_SERVED } from '../../src/registry/served-model';
import { checkImageReadsModel } from '../../src/registry/xgboost-image';
import { assessmentProblems, type RobustnessThresholds } from '../../src/robustness/thresholds';

/**
 * The custom resource's properties as CloudFormation delivers them: every value is a string, whatever
 * type the CDK code gave it. Unknown properties (ServiceToken, a deploy nonce) are ignored.
 */
export interface GateResourceProperties {
  readonly ModelPackageGroupName: string;
  /** `latest-approved` or a version number. */
  readonly ModelVersion: string;
  /** 'true' (test, prod) or 'false' (dev). @default 'true' */
  readonly RequireApproval?: string;
  /**
   * Image served when the registered container records none. The registry's image is preferred: it is
   * the container the approver saw. @default none: a package without an image is refused
   */
  readonly FallbackImage?: string;
  /**
   * The production model's resolved version, for a shadow candidate: while it is `none` (nothing served
   * yet) the candidate is not checked and nothing is shadowed. @default the selector is always checked
   */
  readonly ServedModelVersion?: string;
  /**
   * `sagemaker` (an endpoint serves the model with the image) or `embedded` (the scorer serves it).
   * In sagemaker mode the gate reads the model inside the artifact and refuses an official image known
   * not to read it correctly (MODEL-6). @default 'embedded'
   */
  readonly ServingMode?: string;
  /** An image that replaces the registered one (`serving.containerImage`), checked the same way. @default none */
  readonly ImageOverride?: string;
  /** 'refuse' (test, prod) or 'warn' (dev): what a missing or failing robustness assessment does (MODEL-7). */
  readonly RobustnessEnforcement: string;
  /** The environment's decision threshold; the assessment must have been measured at it. */
  readonly DecisionThreshold: string;
  readonly MaxDecisionFlipRate: string;
  readonly MaxMonotonicityViolations: string;
  /** @default not checked */
  readonly MaxProbabilityChange?: string;
  /** @default not checked */
  readonly MinExtractionQueries?: string;
}

/** What every attribute says when nothing is served: no Approved version exists yet (first deploy). */
export const NO_MODEL = NOTHING_SERVED;

/** What `Fn::GetAtt` can read from the resource; all strings, as CloudFormation requires. */
export interface GateData {
  readonly ModelDataUrl: string;
  readonly ModelPackageArn: string;
  readonly ModelVersion: string;
  readonly ArtifactSha256: string;
  readonly Image: string;
  readonly ApprovalStatus: string;
  readonly ArtifactS3VersionId: string;
  /** `arn:aws:s3:::<bucket>/<key>` of the artifact, for the one read grant of the inference function. */
  readonly ArtifactObjectArn: string;
  /** XGBoost version that wrote the model (read from the artifact in sagemaker mode, else ''). */
  readonly XgboostVersion: string;
  /** 'meets the thresholds', or in 'warn' mode what it misses. */
  readonly Robustness: string;
}

export interface GateResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: GateData;
}

export interface GateClients {
  readonly sagemaker: SageMakerClient;
  readonly s3: S3Client;
}

export interface GateConfig {
  readonly group: string;
  readonly selector: VersionSelector;
  readonly requireApproval: boolean;
  readonly fallbackImage?: string;
  readonly servingMode: 'sagemaker' | 'embedded';
  readonly imageOverride?: string;
  readonly robustness: RobustnessThresholds;
  readonly decisionThreshold: number;
  /** The production model's version, for a shadow candidate (see GateResourceProperties). */
  readonly servedModelVersion?: string;
}

/**
 * What CloudFormation last recorded for the resource: on Create nothing; on Update the physical id, which
 * names the served version's package ARN, or `none:<group>` while nothing was served.
 */
export interface GateHistory {
  readonly previousPhysicalId?: string;
}

/** Artifacts are read into memory to check the model inside against the image; larger ones are refused. */
const MAX_CHECKED_ARTIFACT_BYTES = 256 * 1024 * 1024;

const REFUSAL = 'model gate refused the deployment: ';

function refuse(kind: RegistryError['kind'], reason: string): never {
  throw new RegistryError(kind, `${REFUSAL}${reason}`);
}

export function parseGateProperties(properties: Record<string, unknown> | undefined): GateConfig {
  const props = properties ?? {};
  const group = props.ModelPackageGroupName;
  if (typeof group !== 'string' || group.trim() === '') {
    refuse('usage', 'resource property ModelPackageGroupName is required');
  }
  const version = props.ModelVersion;
  if ((typeof version !== 'string' && typeof version !== 'number') || String(version).trim() === '') {
    refuse('usage', "resource property ModelVersion is required ('latest-approved' or a version number)");
  }
  const rawRequire = props.RequireApproval ?? 'true';
  const requireText = String(rawRequire).trim().toLowerCase();
  if (requireText !== 'true' && requireText !== 'false') {
    refuse(
      'usage',
      `resource property RequireApproval must be 'true' or 'false', got '${String(rawRequire)}'`,
    );
  }
  const fallback = props.FallbackImage;
  if (fallback !== undefined && typeof fallback !== 'string') {
    refuse('usage', 'resource property FallbackImage must be a container image URI string');
  }
  const fallbackImage = typeof fallback === 'string' && fallback.trim() !== '' ? fallback.trim() : undefined;
  const served = props.ServedModelVersion;
  if (served !== undefined && (typeof served !== 'string' || served.trim() === '')) {
    refuse('usage', "resource property ServedModelVersion must be a version number or 'none'");
  }
  const mode = String(props.ServingMode ?? 'embedded').trim();
  if (mode !== 'sagemaker' && mode !== 'embedded') {
    refuse('usage', `resource property ServingMode must be 'sagemaker' or 'embedded', got '${mode}'`);
  }
  const override = props.ImageOverride;
  if (override !== undefined && typeof override !== 'string') {
    refuse('usage', 'resource property ImageOverride must be a container image URI string');
  }
  const imageOverride = typeof override === 'string' && override.trim() !== '' ? override.trim() : undefined;
  const groupName = checkGroupName(group.trim(), 'resource property ModelPackageGroupName');
  const selector = parseVersionSelector(String(version), 'resource property ModelVersion');
  const enforcement = String(props.RobustnessEnforcement ?? '').trim();
  if (enforcement !== 'refuse' && enforcement !== 'warn') {
    refuse(
      'usage',
      `resource property RobustnessEnforcement must be 'refuse' or 'warn', got '${enforcement}'`,
    );
  }
  const numberProperty = (name: string, required: boolean, check: (n: number) => boolean, what: string) => {
    const raw = props[name];
    if (raw === undefined || String(raw).trim() === '') {
      if (required) refuse('usage', `resource property ${name} is required (${what})`);
      return undefined;
    }
    const value = Number(String(raw).trim());
    if (!Number.isFinite(value) || !check(value)) {
      refuse('usage', `resource property ${name} must be ${what}, got '${String(raw)}'`);
    }
    return value;
  };
  const probability = (n: number) => n >= 0 && n <= 1;
  const count = (n: number) => Number.isInteger(n) && n >= 0;
  const decisionThreshold = numberProperty(
    'DecisionThreshold',
    true,
    (n) => n > 0 && n < 1,
    'a probability between 0 and 1',
  );
  const maxProbabilityChange = numberProperty('MaxProbabilityChange', false, probability, 'a probability');
  const minExtractionQueries = numberProperty('MinExtractionQueries', false, count, 'a whole number');
  const robustness: RobustnessThresholds = {
    enforcement,
    maxDecisionFlipRate: numberProperty(
      'MaxDecisionFlipRate',
      true,
      probability,
      'a share between 0 and 1',
    ) as number,
    maxMonotonicityViolations: numberProperty(
      'MaxMonotonicityViolations',
      true,
      count,
      'a whole number',
    ) as number,
    ...(maxProbabilityChange !== undefined ? { maxProbabilityChange } : {}),
    ...(minExtractionQueries !== undefined ? { minExtractionQueries } : {}),
  };
  return {
    servingMode: mode,
    ...(imageOverride ? { imageOverride } : {}),
    robustness,
    decisionThreshold: decisionThreshold as number,
    group: groupName,
    selector,
    requireApproval: requireText === 'true',
    ...(fallbackImage ? { fallbackImage } : {}),
    ...(typeof served === 'string' ? { servedModelVersion: served.trim() } : {}),
  };
}

/** The physical id of a gate resource that serves nothing yet. */
export function noModelPhysicalId(group: string): string {
  return `${NO_MODEL}:${group}`;
}

function noModel(group: string): GateResponse {
  return {
    PhysicalResourceId: noModelPhysicalId(group),
    Data: {
      ModelDataUrl: NO_MODEL,
      ModelPackageArn: NO_MODEL,
      ModelVersion: NO_MODEL,
      ArtifactSha256: NO_MODEL,
      Image: NO_MODEL,
      ApprovalStatus: NO_MODEL,
      ArtifactS3VersionId: NO_MODEL,
      ArtifactObjectArn: NO_MODEL,
      XgboostVersion: NO_MODEL,
      Robustness: NO_MODEL,
    },
  };
}

function describeSelector(config: GateConfig): string {
  return config.selector.kind === 'pinned'
    ? `version ${config.selector.version} of '${config.group}'`
    : `the latest Approved version of '${config.group}'`;
}

/** Rejected never deploys; anything but Approved deploys only where approval is not required (dev). */
export function checkApproval(model: ModelVersionInfo, requireApproval: boolean): void {
  const where = `version ${model.version} of '${model.group}'`;
  if (model.approvalStatus === 'Rejected') {
    refuse(
      'notApproved',
      `${where} was Rejected (${model.approvalDescription ?? 'no reason recorded'}); pin another version`,
    );
  }
  if (requireApproval && model.approvalStatus !== 'Approved') {
    refuse(
      'notApproved',
      `${where} is ${model.approvalStatus}, and this environment only deploys Approved versions; ` +
        `approve it with 'npm run model -- approve --group ${model.group} --version ${model.version} --reason <why>'`,
    );
  }
}

/**
 * MODEL-7: the version must carry a robustness assessment of its own artifact, measured at this
 * environment's decision threshold, that meets the environment's thresholds. 'refuse' stops the
 * deployment; 'warn' (dev) lets it through and reports what is missing in the Robustness attribute.
 */
export function checkRobustness(model: ModelVersionInfo, config: GateConfig): string {
  const where = `version ${model.version} of '${model.group}'`;
  const problems = model.recorded.assessmentError
    ? [`has an unreadable robustness assessment (${model.recorded.assessmentError})`]
    : assessmentProblems(model.recorded.assessment, config.robustness, {
        artifactSha256: model.recorded.artifactSha256 ?? '',
        decisionThreshold: config.decisionThreshold,
      });
  if (problems.length === 0) return 'meets the thresholds';
  const text =
    problems.length === 1 && problems[0].startsWith('has ')
      ? `${where} ${problems[0]}`
      : `${where} misses this environment's robustness requirements: ${problems.join('; ')}`;
  if (config.robustness.enforcement === 'refuse') refuse('notRobust', text);
  return `warning: ${text}`;
}

function chunksOf(body: GetObjectCommandOutput['Body'], uri: string): AsyncIterable<Uint8Array> {
  if (body && typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    return body as AsyncIterable<Uint8Array>;
  }
  throw new RegistryError('unexpected', `S3 returned no readable body for ${uri}`);
}

/**
 * Re-reads the artifact as SageMaker will load it (the current version of the key) and checks its SHA-256
 * against the digest recorded at publish time, so a replaced or corrupted object never reaches an endpoint.
 */
export async function verifyArtifact(
  s3: S3Client,
  model: ModelVersionInfo,
  keepBytes = false,
): Promise<{ sha256: string; s3VersionId: string; objectArn: string; bytes?: Buffer }> {
  const where = `version ${model.version} of '${model.group}'`;
  if (model.containerCount !== 1 || !model.modelDataUrl) {
    refuse(
      'invalidPackage',
      `${where} must have exactly one container with a ModelDataUrl (found ${model.containerCount} ` +
        'container(s)); publish it with npm run model -- publish',
    );
  }
  const expected = model.recorded.artifactSha256;
  if (!expected) {
    refuse(
      'invalidPackage',
      `${where} has no artifact-sha256 metadata, so its artifact cannot be verified; publish it with npm run model -- publish`,
    );
  }
  const location = parseS3Uri(model.modelDataUrl, `ModelDataUrl of ${where}`);
  const uri = formatS3Uri(location);
  const object = await awsCall(`reading artifact ${uri} of ${where}`, { kind: 's3Object', uri }, () =>
    s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key })),
  );
  const kept: Uint8Array[] = [];
  let size = 0;
  const source = chunksOf(object.Body, uri);
  // The bytes hashed are the bytes checked: one read feeds the digest and, when asked, the model check.
  const teed = keepBytes
    ? (async function* () {
        for await (const chunk of source) {
          size += chunk.length;
          if (size > MAX_CHECKED_ARTIFACT_BYTES) {
            refuse(
              'invalidPackage',
              `artifact ${uri} of ${where} is larger than 256 MiB, too large to check its model`,
            );
          }
          kept.push(chunk);
          yield chunk;
        }
      })()
    : source;
  const actual = await sha256OfStream(teed);
  try {
    assertDigest(`artifact ${uri} of ${where}`, expected, actual);
  } catch (error) {
    refuse('digestMismatch', (error as Error).message);
  }
  return {
    sha256: actual,
    s3VersionId: object.VersionId ?? '',
    // The partition of the package ARN (aws, aws-cn, aws-us-gov) is the artifact's too.
    objectArn: `arn:${model.arn.split(':')[1] || 'aws'}:s3:::${location.bucket}/${location.key}`,
    ...(keepBytes ? { bytes: Buffer.concat(kept) } : {}),
  };
}

/**
 * `latest-approved` with no Approved version: the first deploy of an environment, before any model was
 * approved, serves nothing (the API answers 503 NoModelDeployed) instead of failing. Once a model has been
 * served, losing every Approved version is refused instead: the deployment stops and the endpoint keeps
 * serving what it served, rather than being torn down by a change of approval status.
 */
async function resolveOrNothing(
  clients: GateClients,
  config: GateConfig,
  history: GateHistory,
): Promise<ModelVersionInfo | undefined> {
  try {
    return await resolveVersion(clients.sagemaker, config.group, config.selector);
  } catch (error) {
    const nothingApproved =
      error instanceof RegistryError &&
      error.kind === 'noSuchVersion' &&
      config.selector.kind === 'latest-approved';
    if (!nothingApproved) throw error;
    const previous = history.previousPhysicalId;
    if (previous === undefined || previous === noModelPhysicalId(config.group)) return undefined;
    refuse(
      'notApproved',
      `'${config.group}' has no Approved version any more, but this environment serves ${previous}; ` +
        'approve a version, or pin serving.modelVersion to one that may still be served. ' +
        'The endpoint keeps serving what it served until then.',
    );
  }
}

/**
 * Reads the model inside the verified artifact and refuses a serving image known not to read it
 * correctly (e.g. a 3.1 model on sagemaker-xgboost:1.7-1), naming the image to use; returns the
 * model's writer version.
 */
export async function checkServingImage(
  bytes: Buffer,
  image: string,
  model: ModelVersionInfo,
): Promise<string> {
  const where = `version ${model.version} of '${model.group}'`;
  let version: string;
  try {
    const file = await modelFileFromArtifact(
      () => readableOf(bytes),
      bytes.subarray(0, 2),
      `the artifact of ${where}`,
    );
    version = loadArtifactModel(file, `the artifact of ${where}`).xgboostVersion;
  } catch (error) {
    return refuse('invalidPackage', (error as Error).message.replace(/^refusing to publish: /, ''));
  }
  try {
    checkImageReadsModel(image, version, `the serving image of ${where},`);
  } catch (error) {
    refuse('incompatibleImage', (error as Error).message);
  }
  return version;
}

/** Resolves, checks approval and verifies the artifact; throws a RegistryError that says why it refused. */
export async function runGate(
  clients: GateClients,
  config: GateConfig,
  history: GateHistory = {},
): Promise<GateResponse> {
  if (config.servedModelVersion === NO_MODEL) return noModel(config.group);
  try {
    const model = await resolveOrNothing(clients, config, history);
    if (model === undefined) return noModel(config.group);
    checkApproval(model, config.requireApproval);
    const image = config.imageOverride ?? (model.image || config.fallbackImage);
    if (!image) {
      refuse(
        'invalidPackage',
        `version ${model.version} of '${model.group}' records no container image and no FallbackImage is configured`,
      );
    }
    const artifact = await verifyArtifact(clients.s3, model, config.servingMode === 'sagemaker');
    const xgboostVersion =
      artifact.bytes !== undefined ? await checkServingImage(artifact.bytes, image, model) : '';
    const robustness = checkRobustness(model, config);
    return {
      // The package ARN names exactly one version, so a redeploy that resolves to the same version keeps the
      // same id and CloudFormation sees no replacement.
      PhysicalResourceId: model.arn,
      Data: {
        ModelDataUrl: model.modelDataUrl ?? '',
        ModelPackageArn: model.arn,
        ModelVersion: String(model.version),
        ArtifactSha256: artifact.sha256,
        Image: image,
        ApprovalStatus: model.approvalStatus,
        ArtifactS3VersionId: artifact.s3VersionId,
        ArtifactObjectArn: artifact.objectArn,
        XgboostVersion: xgboostVersion,
        Robustness: robustness,
      },
    };
  } catch (error) {
    if (error instanceof RegistryError && !error.message.startsWith(REFUSAL)) {
      refuse(error.kind, `checking ${describeSelector(config)}: ${error.message}`);
    }
    throw error;
  }
}

/** The Provider framework's onEvent: Create and Update check, Delete has nothing to undo. */
export async function onGateEvent(
  event: CloudFormationCustomResourceEvent,
  clients: GateClients,
): Promise<GateResponse> {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const history = event.RequestType === 'Update' ? { previousPhysicalId: event.PhysicalResourceId } : {};
  return runGate(clients, parseGateProperties(event.ResourceProperties), history);
}
