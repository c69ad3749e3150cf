import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { S3ServiceException, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { SageMakerServiceException, type DescribeModelPackageCommandOutput } from '@aws-sdk/client-sagemaker';
import { sha256Hex } from '../../../src/integrity/digest';
import { create } from 'tar';
import { assessmentMetadata, type AssessmentSummary } from '../../../src/robustness';

export const REGION = 'eu-west-1';
export const ACCOUNT = '111122223333';
export const GROUP = 'churn-prod';
export const GROUP_ARN = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package-group/${GROUP}`;
export const BUCKET = 'churn-models-prod';
export const IMAGE = `141502667606.dkr.ecr.${REGION}.amazonaws.com/sagemaker-xgboost:1.7-1`;
export const COMMIT = '0123456789abcdef0123456789abcdef01234567';

export function packageArn(version: number, group = GROUP): string {
  return `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package/${group}/${version}`;
}

/** Errors shaped as the SDK deserialises them: a ServiceException with name, fault and HTTP status. */
export function sageMakerError(name: string, message: string, status = 400): SageMakerServiceException {
  return new SageMakerServiceException({
    name,
    message,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });
}

export function s3Error(name: string, message: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: status } });
}

/** A model.tar.gz as SageMaker's XGBoost container loads it: the sample churn model (XGBoost 1.7.4). */
function sampleArtifact(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'registry-artifact-'));
  copyFileSync(join(__dirname, '../../../models/sample-churn/model.json'), join(dir, 'xgboost-model'));
  create({ gzip: true, cwd: dir, file: join(dir, 'model.tar.gz'), sync: true, portable: true }, [
    'xgboost-model',
  ]);
  const bytes = readFileSync(join(dir, 'model.tar.gz'));
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}

export const ARTIFACT_BYTES = sampleArtifact();
export const ARTIFACT_SHA256 = sha256Hex(ARTIFACT_BYTES);
export const ARTIFACT_SHA256_BASE64 = Buffer.from(ARTIFACT_SHA256, 'hex').toString('base64');
export const ARTIFACT_KEY = `models/sha256/${ARTIFACT_SHA256}/model.tar.gz`;
export const ARTIFACT_URL = `s3://${BUCKET}/${ARTIFACT_KEY}`;

/** An assessment of ARTIFACT_BYTES at decision threshold 0.7 that meets GATE_ROBUSTNESS_PROPS. */
export const PASSING_ASSESSMENT: AssessmentSummary = {
  artifactSha256: ARTIFACT_SHA256,
  decisionThreshold: 0.7,
  rows: 1451,
  maxFlipRate: 0.018,
  maxFlipFeature: 'TotalCharges',
  maxProbabilityChange: 0.22,
  monotonicityViolations: 0,
  monotonicityPairs: 0,
  invalidOutputs: 0,
  validationGaps: 0,
  extractionQueries: 16384,
  extractionReached: true,
  reportSha256: 'ab'.repeat(32),
  assessedAt: '2026-11-30T12:00:00.000Z',
};

/** The gate resource's robustness properties as the ModelGate construct writes them for a strict environment. */
export const GATE_ROBUSTNESS_PROPS: Record<string, string> = {
  RobustnessEnforcement: 'refuse',
  DecisionThreshold: '0.7',
  MaxDecisionFlipRate: '0.05',
  MaxMonotonicityViolations: '0',
  MaxProbabilityChange: '0.5',
  MinExtractionQueries: '1024',
};

const tempDirs: string[] = [];

export function writeArtifact(bytes: Buffer = ARTIFACT_BYTES): string {
  const dir = mkdtempSync(join(tmpdir(), 'registry-test-'));
  tempDirs.push(dir);
  const path = join(dir, 'model.tar.gz');
  writeFileSync(path, bytes);
  return path;
}

export function removeArtifacts(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A GetObject body as the Node SDK returns it: a readable stream, consumed chunk by chunk. */
export function objectBody(bytes: Buffer): GetObjectCommandOutput['Body'] {
  const chunks = [bytes.subarray(0, 1000), bytes.subarray(1000)];
  return Readable.from(chunks) as unknown as GetObjectCommandOutput['Body'];
}

export function describedPackage(
  version: number,
  overrides: Partial<DescribeModelPackageCommandOutput> = {},
  metadata: Record<string, string> = {},
): DescribeModelPackageCommandOutput {
  return {
    $metadata: {},
    ModelPackageName: GROUP,
    ModelPackageGroupName: GROUP,
    ModelPackageArn: packageArn(version),
    ModelPackageVersion: version,
    ModelPackageStatus: 'Completed',
    ModelPackageStatusDetails: { ValidationStatuses: [] },
    ModelApprovalStatus: 'Approved',
    CreationTime: new Date(Date.UTC(2026, 10, version, 9, 30)),
    InferenceSpecification: {
      Containers: [{ Image: IMAGE, ModelDataUrl: ARTIFACT_URL }],
      SupportedContentTypes: ['text/csv'],
      SupportedResponseMIMETypes: ['text/csv'],
    },
    CustomerMetadataProperties: {
      'artifact-sha256': ARTIFACT_SHA256,
      'artifact-s3-version-id': 'ver-1',
      'source-commit': COMMIT,
      'training-data-version': '2026-10-31',
      'metric-auc': '0.91',
      'metric-precision': '0.8',
      'metric-recall': '0.7',
      'metric-f1': '0.7467',
      ...assessmentMetadata(PASSING_ASSESSMENT),
      ...metadata,
    },
    ...overrides,
  };
}

/** PutObject as S3 answers a write it accepted: the checksum it was sent, and a version id. */
export function acceptedPut(input: { ChecksumSHA256?: string }): {
  ChecksumSHA256?: string;
  VersionId: string;
} {
  return { ChecksumSHA256: input.ChecksumSHA256, VersionId: 'ver-1' };
}
