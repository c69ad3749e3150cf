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
import { formatS3Uri, parseS3Uri } from '../../src/registry/s3-uri';
import { NOTHING_SERVED } from '../../src/registry/served-model';

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
  return {
    group: checkGroupName(group.trim(), 'resource property ModelPackageGroupName'),
    selector: parseVersionSelector(String(version), 'resource property ModelVersion'),
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
): Promise<{ sha256: string; s3VersionId: string; objectArn: string }> {
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
  const actual = await sha256OfStream(chunksOf(object.Body, uri));
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
    const image = model.image || config.fallbackImage;
    if (!image) {
      refuse(
        'invalidPackage',
        `version ${model.version} of '${model.group}' records no container image and no FallbackImage is configured`,
      );
    }
    const artifact = await verifyArtifact(clients.s3, model);
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
