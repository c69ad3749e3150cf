import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { CreateModelPackageCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { sha256Hex, sha256OfStream, type Sha256Hex } from '../integrity/digest';
import { objectBytes } from './answer-check-aws';
import type { TreeEnsembleModel } from '../scorer';
import type { AssessmentSummary } from '../robustness/thresholds';
import { awsCall, RegistryError, toRegistryError } from './errors';
import {
  buildCustomerMetadata,
  checkAssessmentArtifact,
  checkCommit,
  checkMetadataValue,
  METADATA_KEYS,
  type ModelMetricsValues,
} from './metadata';
import { checkGroupName, describeGroup } from './packages';
import {
  checkProvenanceAgainstModel,
  parseProvenance,
  provenanceLocation,
  type ModelProvenance,
} from './golden';
import {
  buildProvenance,
  goldenRowsFor,
  loadArtifactModel,
  type GoldenRecordSpec,
  modelFileFromArtifact,
  type GoldenRowsSource,
} from './provenance';
import { checkBucketName, formatS3Uri } from './s3-uri';
import {
  checkImageReadsModel,
  servingImageTagFor,
  XGBOOST_SERVING_IMAGES,
  xgboostImageUri,
} from './xgboost-image';

/** A single PutObject takes at most 5 GiB; larger uploads need multipart, whose checksum is per part. */
export const MAX_ARTIFACT_BYTES = 5 * 1024 ** 3;

export interface PublishRequest {
  readonly group: string;
  readonly bucket: string;
  readonly artifactPath: string;
  /** Prefix under which artifacts are stored; the key is `<prefix>sha256/<digest>/<file name>`. @default 'models/' */
  readonly keyPrefix?: string;
  readonly commit: string;
  readonly dataVersion: string;
  readonly metrics: ModelMetricsValues;
  /**
   * Serving container image; an official SageMaker XGBoost image must read the model (MODEL-6).
   * @default the oldest official image that reads the model's writer version, in `region`
   */
  readonly image?: string;
  /** Region of the default image. @default none: `image` is then required */
  readonly region?: string;
  /** KMS key for the object when the bucket policy demands an explicit one. @default the bucket's default encryption */
  readonly kmsKeyId?: string;
  readonly description?: string;
  /** MIME types the container accepts and answers with. @default ['text/csv'] */
  readonly contentTypes?: readonly string[];
  /**
   * The artifact's robustness assessment (MODEL-7), recorded in the version's metadata; it must be of
   * exactly these bytes. @default none: record one later with `approve --assessment`
   */
  readonly assessment?: AssessmentSummary;
  /**
   * Where the golden rows come from (MODEL-6): a CSV of model columns, or drawn from a baseline.
   * @default rows on the model's own split points
   */
  readonly goldenRows?: GoldenRowsSource;
  /**
   * The feature specification the environment's inference function encodes requests with
   * (`serving.featureSpecFile`): the golden set then also records each row as an API record, which the
   * embedded served-answer check sends to the function (MODEL-6). @default none: no records, and an
   * embedded deployment of the version refuses its check
   */
  readonly featureSpec?: GoldenRecordSpec;
}

export interface PublishResult {
  readonly modelPackageArn: string;
  readonly version: number;
  readonly modelDataUrl: string;
  readonly s3VersionId: string;
  readonly sha256: Sha256Hex;
  readonly sizeBytes: number;
  /** True when the same bytes were already stored under the content-addressed key and were reused. */
  readonly reusedExistingObject: boolean;
  /** The serving image registered with the version. */
  readonly image: string;
  /** What the model inside the artifact says about itself. */
  readonly model: {
    readonly file: string;
    readonly xgboostVersion: string;
    readonly objective: string;
    readonly booster: string;
  };
  /** The provenance document stored beside the artifact: the golden set and what the model says. */
  readonly provenance: {
    readonly url: string;
    readonly sha256: Sha256Hex;
    readonly goldenRows: number;
    readonly goldenSource: string;
    /** API records in the golden set (0 without a feature specification). */
    readonly goldenRecords: number;
    /** True when this artifact already had a provenance document (immutable), which was kept. */
    readonly reused: boolean;
  };
  /** Set when no official image reads the model: SageMaker mode will refuse it, embedded mode serves it. */
  readonly warning?: string;
}

export interface RegistryClients {
  readonly sagemaker: SageMakerClient;
  readonly s3: S3Client;
}

export function hexToBase64(hex: Sha256Hex): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

export function normaliseKeyPrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/^\/+/, '');
  if (trimmed === '') return '';
  if (/[\\{}^%`[\]"<>~#|]/.test(trimmed)) {
    throw new RegistryError('usage', `--key-prefix '${prefix}' contains characters unsafe in S3 keys`);
  }
  return trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

/** Content-addressed: the same bytes always land on the same key, different bytes never share one. */
export function artifactKey(prefix: string, digest: Sha256Hex, fileName: string): string {
  const safeName = fileName.replace(/[^A-Za-z0-9._-]/g, '_') || 'model.tar.gz';
  return `${normaliseKeyPrefix(prefix)}sha256/${digest}/${safeName}`;
}

function checkImage(image: string): string {
  if (!/^[^\s]{1,255}$/.test(image) || !image.includes('/')) {
    throw new RegistryError(
      'usage',
      `--image '${image}' is not a container image URI (registry/repository:tag)`,
    );
  }
  return image;
}

/**
 * Opens the artifact once: hashing and uploading read the same open file, so a file swapped on disk in
 * between cannot be uploaded under another file's digest (S3's checksum check catches edits in place).
 */
async function openArtifact(path: string): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new RegistryError('artifactMissing', `artifact file '${path}' does not exist`);
    if (code === 'EACCES') throw new RegistryError('accessDenied', `artifact file '${path}' cannot be read`);
    if (code === 'EISDIR') throw new RegistryError('usage', `--artifact '${path}' is not a regular file`);
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new RegistryError('usage', `--artifact '${path}' is not a regular file`);
    if (info.size === 0) throw new RegistryError('usage', `--artifact '${path}' is empty`);
    if (info.size > MAX_ARTIFACT_BYTES) {
      throw new RegistryError(
        'usage',
        `--artifact '${path}' is ${info.size} bytes; at most 5 GiB can be published`,
      );
    }
    return { handle, size: info.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function readFromStart(handle: FileHandle) {
  return handle.createReadStream({ start: 0, autoClose: false, emitClose: false });
}

/**
 * Uploads the artifact unless the key already exists. `IfNoneMatch: '*'` makes S3 itself refuse to
 * write over an existing object, and the SHA-256 we send is checked by S3 against the bytes it receives.
 */
async function uploadArtifact(
  s3: S3Client,
  request: PublishRequest,
  handle: FileHandle,
  key: string,
  digest: Sha256Hex,
  size: number,
): Promise<{ versionId: string | undefined; reused: boolean }> {
  const uri = formatS3Uri({ bucket: request.bucket, key });
  const expected = hexToBase64(digest);
  let put;
  const body = readFromStart(handle);
  try {
    put = await s3.send(
      new PutObjectCommand({
        Bucket: request.bucket,
        Key: key,
        Body: body,
        ContentLength: size,
        ContentType: 'application/octet-stream',
        ChecksumAlgorithm: 'SHA256',
        ChecksumSHA256: expected,
        IfNoneMatch: '*',
        ...(request.kmsKeyId
          ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: request.kmsKeyId }
          : {}),
      }),
    );
  } catch (error) {
    const name = (error as { name?: string }).name;
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (name !== 'PreconditionFailed' && status !== 412) {
      throw toRegistryError(error, `uploading ${request.artifactPath} to ${uri}`, { kind: 's3Object', uri });
    }
    const head = await awsCall(`reading the existing object ${uri}`, { kind: 's3Object', uri }, () =>
      s3.send(new HeadObjectCommand({ Bucket: request.bucket, Key: key, ChecksumMode: 'ENABLED' })),
    );
    if (head.ChecksumSHA256 !== expected) {
      throw new RegistryError(
        'digestMismatch',
        `${uri} already exists but its SHA-256 checksum is ${head.ChecksumSHA256 ?? 'not recorded'}, ` +
          `not ${expected} (hex ${digest}); the stored object is not this artifact, investigate before publishing`,
      );
    }
    return { versionId: head.VersionId, reused: true };
  } finally {
    body.destroy();
  }
  if (put.ChecksumSHA256 !== expected) {
    throw new RegistryError(
      'digestMismatch',
      `S3 stored ${uri} with SHA-256 checksum ${put.ChecksumSHA256 ?? '(none returned)'} but the artifact's is ` +
        `${expected} (hex ${digest}); not registering it`,
    );
  }
  return { versionId: put.VersionId, reused: false };
}

function versionFromArn(arn: string): number {
  const match = /\/(\d+)$/.exec(arn);
  if (!match)
    throw new RegistryError('unexpected', `SageMaker returned model package ARN '${arn}' without a version`);
  return Number(match[1]);
}

/**
 * Publishes one trained artifact: hashes it, stores it content-addressed in the model bucket, and registers
 * a model package version awaiting approval that records the digest, the S3 version id, the source commit,
 * the training-data version and the metrics. Validation and the group lookup come first so that a typo
 * never leaves an orphan object behind.
 */
export async function publishModel(
  clients: RegistryClients,
  request: PublishRequest,
): Promise<PublishResult> {
  checkGroupName(request.group);
  checkBucketName(request.bucket);
  if (request.image !== undefined) checkImage(request.image);
  else if (request.region === undefined) {
    throw new RegistryError(
      'usage',
      'publish needs --image, or --region / AWS_REGION to pick the XGBoost image',
    );
  }
  const commit = checkCommit(request.commit);
  const dataVersion = checkMetadataValue('--data-version', request.dataVersion);
  const prefix = normaliseKeyPrefix(request.keyPrefix ?? 'models/');
  if (request.description !== undefined && request.description.length > 1024) {
    throw new RegistryError('usage', '--description may have at most 1024 characters');
  }
  const { handle, size } = await openArtifact(request.artifactPath);
  let digest: Sha256Hex;
  let key: string;
  let upload: { versionId: string | undefined; reused: boolean };
  let image: string;
  let warning: string | undefined;
  let modelInfo: PublishResult['model'];
  let model: TreeEnsembleModel;
  let provenance: ModelProvenance;
  try {
    await describeGroup(clients.sagemaker, request.group);
    digest = await sha256OfStream(readFromStart(handle));
    // The model inside the artifact, read as the scorer and SageMaker will read it, before anything is stored.
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    const file = await modelFileFromArtifact(() => readFromStart(handle), head, request.artifactPath);
    model = loadArtifactModel(file, request.artifactPath);
    // The golden set is built (and a bad rows file refused) before anything is stored.
    const golden = await goldenRowsFor(request.goldenRows ?? { kind: 'model' }, model, request.featureSpec);
    provenance = buildProvenance({
      model,
      modelFile: file,
      artifactSha256: digest,
      goldenRows: golden.rows,
      goldenSource: golden.source,
      ...(golden.records && golden.featureSpec
        ? { goldenRecords: golden.records, featureSpec: golden.featureSpec }
        : {}),
    });
    const chosen = chooseImage(request, model.xgboostVersion);
    image = chosen.image;
    warning = chosen.warning;
    modelInfo = {
      file: file.name,
      xgboostVersion: model.xgboostVersion,
      objective: model.objective,
      booster: model.booster,
    };
    if (request.assessment)
      checkAssessmentArtifact(request.assessment, digest, `artifact '${request.artifactPath}'`);
    key = artifactKey(prefix, digest, basename(request.artifactPath));
    upload = await uploadArtifact(clients.s3, request, handle, key, digest, size);
  } finally {
    await handle.close();
  }
  const modelDataUrl = formatS3Uri({ bucket: request.bucket, key });
  if (!upload.versionId || upload.versionId === 'null') {
    throw new RegistryError(
      'unexpected',
      `bucket '${request.bucket}' returned no object version for ${modelDataUrl}: the model bucket must have ` +
        'versioning and Object Lock enabled (MODEL-1); not registering an unversioned artifact',
    );
  }

  const stored = await storeProvenance(clients.s3, request, provenanceLocation(key), provenance, model);

  const customerMetadata = buildCustomerMetadata({
    artifactSha256: digest,
    artifactS3VersionId: upload.versionId,
    sourceCommit: commit,
    trainingDataVersion: dataVersion,
    metrics: request.metrics,
    assessment: request.assessment,
  });
  customerMetadata[METADATA_KEYS.xgboostVersion] = modelInfo.xgboostVersion;
  customerMetadata[METADATA_KEYS.objective] = modelInfo.objective;
  customerMetadata[METADATA_KEYS.provenanceSha256] = stored.sha256;
  const contentTypes = [...(request.contentTypes ?? ['text/csv'])];
  const created = await awsCall(
    `registering a model package in group '${request.group}'`,
    { kind: 'group', group: request.group },
    () =>
      clients.sagemaker.send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: request.group,
          ModelPackageDescription: request.description,
          InferenceSpecification: {
            Containers: [{ Image: image, ModelDataUrl: modelDataUrl }],
            SupportedContentTypes: contentTypes,
            SupportedResponseMIMETypes: contentTypes,
          },
          ModelApprovalStatus: 'PendingManualApproval',
          MetadataProperties: { CommitId: commit },
          CustomerMetadataProperties: customerMetadata,
        }),
      ),
  );
  if (!created.ModelPackageArn) {
    throw new RegistryError(
      'unexpected',
      `SageMaker returned no ARN for the new version in '${request.group}'`,
    );
  }
  return {
    modelPackageArn: created.ModelPackageArn,
    version: versionFromArn(created.ModelPackageArn),
    modelDataUrl,
    s3VersionId: upload.versionId,
    sha256: digest,
    sizeBytes: size,
    reusedExistingObject: upload.reused,
    image,
    model: modelInfo,
    provenance: {
      url: formatS3Uri({ bucket: request.bucket, key: provenanceLocation(key) }),
      sha256: stored.sha256,
      goldenRows: stored.provenance.golden.rows.length,
      goldenSource: stored.provenance.golden.source,
      goldenRecords: stored.provenance.golden.records?.length ?? 0,
      reused: stored.reused,
    },
    ...(warning ? { warning } : {}),
  };
}

/**
 * Stores the provenance document beside the artifact, never over an existing one (`IfNoneMatch`). An
 * artifact published before keeps its first document, once it is checked to belong to the artifact and
 * to agree with the scorer: the golden set is a property of the model, not of the publish run.
 */
async function storeProvenance(
  s3: S3Client,
  request: PublishRequest,
  key: string,
  provenance: ModelProvenance,
  model: TreeEnsembleModel,
): Promise<{ sha256: Sha256Hex; provenance: ModelProvenance; reused: boolean }> {
  const uri = formatS3Uri({ bucket: request.bucket, key });
  const body = Buffer.from(`${JSON.stringify(provenance)}\n`);
  const sha256 = sha256Hex(body);
  try {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: request.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
        ChecksumAlgorithm: 'SHA256',
        ChecksumSHA256: hexToBase64(sha256),
        IfNoneMatch: '*',
        ...(request.kmsKeyId
          ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: request.kmsKeyId }
          : {}),
      }),
    );
    if (put.ChecksumSHA256 !== hexToBase64(sha256)) {
      throw new RegistryError(
        'digestMismatch',
        `S3 stored ${uri} with SHA-256 checksum ${put.ChecksumSHA256 ?? '(none returned)'}, not the document's ${hexToBase64(sha256)}`,
      );
    }
    return { sha256, provenance, reused: false };
  } catch (error) {
    const name = (error as { name?: string }).name;
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (error instanceof RegistryError) throw error;
    if (name !== 'PreconditionFailed' && status !== 412) {
      throw toRegistryError(error, `storing the provenance document ${uri}`, { kind: 's3Object', uri });
    }
  }
  const existing = await awsCall(
    `reading the existing provenance document ${uri}`,
    { kind: 's3Object', uri },
    () => s3.send(new GetObjectCommand({ Bucket: request.bucket, Key: key })),
  );
  const bytes = await objectBytes(existing.Body, uri);
  const kept = parseProvenance(bytes.toString('utf8'), uri);
  checkProvenanceAgainstModel(kept, provenance.artifactSha256, model, uri);
  return { sha256: sha256Hex(bytes), provenance: kept, reused: true };
}

/** The given image when it reads the model, else the oldest official image that does (MODEL-6). */
function chooseImage(request: PublishRequest, writerVersion: string): { image: string; warning?: string } {
  if (request.image !== undefined) {
    checkImageReadsModel(request.image, writerVersion, '--image');
    return { image: request.image };
  }
  const region = request.region as string;
  try {
    return { image: xgboostImageUri(region, servingImageTagFor(writerVersion)) };
  } catch (error) {
    if (!(error instanceof RegistryError) || error.kind !== 'incompatibleImage') throw error;
    // The package still needs a container; SageMaker mode's gate refuses this one, embedded mode serves the model.
    const newest = XGBOOST_SERVING_IMAGES[XGBOOST_SERVING_IMAGES.length - 1].tag;
    return { image: xgboostImageUri(region, newest), warning: error.message };
  }
}
