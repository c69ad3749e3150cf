import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { create } from 'tar';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  DescribeModelPackageGroupCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { publishModel, RegistryError, type PublishRequest } from '../../../src/registry';
import {
  ARTIFACT_BYTES,
  ARTIFACT_KEY,
  ARTIFACT_SHA256,
  ARTIFACT_SHA256_BASE64,
  ARTIFACT_URL,
  BUCKET,
  COMMIT,
  GROUP,
  GROUP_ARN,
  IMAGE,
  packageArn,
  removeArtifacts,
  s3Error,
  sageMakerError,
  writeArtifact,
} from './aws-fakes';

const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const clients = { sagemaker: new SageMakerClient({}), s3: new S3Client({}) };
const artifactPath = writeArtifact();
const metrics = { auc: 0.91, precision: 0.8, recall: 0.7, f1: 0.7467 };

function request(overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    group: GROUP,
    bucket: BUCKET,
    artifactPath,
    commit: COMMIT,
    dataVersion: '2026-10-31',
    metrics,
    image: IMAGE,
    ...overrides,
  };
}

async function publishError(req: PublishRequest): Promise<RegistryError> {
  const error = await publishModel(clients, req).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as Readable) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

afterAll(removeArtifacts);

beforeEach(() => {
  sagemaker.reset();
  s3.reset();
  sagemaker.on(DescribeModelPackageGroupCommand).resolves({
    ModelPackageGroupName: GROUP,
    ModelPackageGroupArn: GROUP_ARN,
    ModelPackageGroupStatus: 'Completed',
  });
  s3.on(PutObjectCommand).resolves({ ChecksumSHA256: ARTIFACT_SHA256_BASE64, VersionId: 'ver-1' });
  sagemaker.on(CreateModelPackageCommand).resolves({ ModelPackageArn: packageArn(3) });
});

describe('publishModel', () => {
  it('uploads content-addressed with the SHA-256 checksum and no-overwrite condition, then registers a pending version', async () => {
    let uploaded: Buffer = Buffer.alloc(0);
    s3.on(PutObjectCommand).callsFake(async (input: { Body: Readable }) => {
      uploaded = await bodyBytes(input.Body);
      return { ChecksumSHA256: ARTIFACT_SHA256_BASE64, VersionId: 'ver-1' };
    });

    const result = await publishModel(clients, request({ description: 'weekly retrain' }));

    expect(result).toEqual({
      modelPackageArn: packageArn(3),
      version: 3,
      modelDataUrl: ARTIFACT_URL,
      s3VersionId: 'ver-1',
      sha256: ARTIFACT_SHA256,
      sizeBytes: ARTIFACT_BYTES.length,
      reusedExistingObject: false,
      image: IMAGE,
      model: {
        file: 'xgboost-model',
        xgboostVersion: '1.7.4',
        objective: 'binary:logistic',
        booster: 'gbtree',
      },
    });
    expect(sagemaker.commandCalls(DescribeModelPackageGroupCommand)[0].args[0].input).toEqual({
      ModelPackageGroupName: GROUP,
    });
    const put = s3.commandCalls(PutObjectCommand);
    expect(put).toHaveLength(1);
    const { Body: _body, ...putInput } = put[0].args[0].input;
    expect(putInput).toEqual({
      Bucket: BUCKET,
      Key: ARTIFACT_KEY,
      ContentLength: ARTIFACT_BYTES.length,
      ContentType: 'application/octet-stream',
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: ARTIFACT_SHA256_BASE64,
      IfNoneMatch: '*',
    });
    expect(uploaded.equals(ARTIFACT_BYTES)).toBe(true);
    expect(sagemaker.commandCalls(CreateModelPackageCommand)[0].args[0].input).toEqual({
      ModelPackageGroupName: GROUP,
      ModelPackageDescription: 'weekly retrain',
      InferenceSpecification: {
        Containers: [{ Image: IMAGE, ModelDataUrl: ARTIFACT_URL }],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
      ModelApprovalStatus: 'PendingManualApproval',
      MetadataProperties: { CommitId: COMMIT },
      CustomerMetadataProperties: {
        'artifact-sha256': ARTIFACT_SHA256,
        'artifact-s3-version-id': 'ver-1',
        'source-commit': COMMIT,
        'training-data-version': '2026-10-31',
        'metric-auc': '0.91',
        'metric-precision': '0.8',
        'metric-recall': '0.7',
        'metric-f1': '0.7467',
        'xgboost-version': '1.7.4',
        'model-objective': 'binary:logistic',
      },
    });
  });

  it('asks for the given KMS key and key prefix', async () => {
    await publishModel(clients, request({ kmsKeyId: 'alias/churn-models', keyPrefix: '/churn/models' }));
    const input = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(input).toMatchObject({
      Key: `churn/models/sha256/${ARTIFACT_SHA256}/model.tar.gz`,
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'alias/churn-models',
    });
  });

  it('reuses an existing object with the same checksum instead of writing a new one', async () => {
    s3.on(PutObjectCommand).rejects(
      s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412),
    );
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: ARTIFACT_SHA256_BASE64, VersionId: 'ver-0' });

    const result = await publishModel(clients, request());

    expect(result).toMatchObject({ s3VersionId: 'ver-0', reusedExistingObject: true });
    expect(s3.commandCalls(HeadObjectCommand)[0].args[0].input).toEqual({
      Bucket: BUCKET,
      Key: ARTIFACT_KEY,
      ChecksumMode: 'ENABLED',
    });
    expect(
      sagemaker.commandCalls(CreateModelPackageCommand)[0].args[0].input.CustomerMetadataProperties?.[
        'artifact-s3-version-id'
      ],
    ).toBe('ver-0');
  });

  it('refuses when an object already at the key has a different checksum', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 'precondition failed', 412));
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: 'AAAA', VersionId: 'ver-0' });

    const error = await publishError(request());

    expect(error.kind).toBe('digestMismatch');
    expect(error.exitCode).toBe(6);
    expect(error.message).toContain('already exists but its SHA-256 checksum is AAAA');
    expect(sagemaker.commandCalls(CreateModelPackageCommand)).toHaveLength(0);
  });

  it('refuses to register when the checksum S3 returns differs from ours', async () => {
    s3.on(PutObjectCommand).resolves({ ChecksumSHA256: 'ZZZZ', VersionId: 'ver-1' });

    const error = await publishError(request());

    expect(error.kind).toBe('digestMismatch');
    expect(error.message).toContain('ZZZZ');
    expect(sagemaker.commandCalls(CreateModelPackageCommand)).toHaveLength(0);
  });

  it('reports S3 BadDigest (bytes changed in transit) as a digest mismatch', async () => {
    s3.on(PutObjectCommand).rejects(
      s3Error('BadDigest', 'The SHA256 you specified did not match the calculated checksum.', 400),
    );
    expect((await publishError(request())).kind).toBe('digestMismatch');
  });

  it('refuses an unversioned bucket before registering anything', async () => {
    s3.on(PutObjectCommand).resolves({ ChecksumSHA256: ARTIFACT_SHA256_BASE64 });
    const error = await publishError(request());
    expect(error.message).toContain('must have versioning and Object Lock enabled');
    expect(sagemaker.commandCalls(CreateModelPackageCommand)).toHaveLength(0);
  });

  it.each([
    ['ResourceNotFound', 'Model package group churn-prod not found'],
    ['ValidationException', 'ModelPackageGroup churn-prod does not exist.'],
  ])('reports a missing group (%s) and uploads nothing', async (name, message) => {
    sagemaker.on(DescribeModelPackageGroupCommand).rejects(sageMakerError(name, message));

    const error = await publishError(request());

    expect(error.kind).toBe('noSuchGroup');
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain(`model package group '${GROUP}' does not exist`);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('reports a missing local artifact before any AWS call', async () => {
    const error = await publishError(request({ artifactPath: '/nonexistent/model.tar.gz' }));
    expect(error.kind).toBe('artifactMissing');
    expect(error.exitCode).toBe(5);
    expect(error.message).toBe("artifact file '/nonexistent/model.tar.gz' does not exist");
    expect(sagemaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  it('reports a missing bucket as a missing artifact location', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('NoSuchBucket', 'The specified bucket does not exist', 404));
    const error = await publishError(request());
    expect(error.kind).toBe('artifactMissing');
    expect(error.message).toContain('bucket of s3://');
  });

  it('maps S3 AccessDenied and SageMaker AccessDeniedException to access denied', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('AccessDenied', 'Access Denied', 403));
    const s3Denied = await publishError(request());
    expect(s3Denied.kind).toBe('accessDenied');
    expect(s3Denied.exitCode).toBe(7);
    expect(s3Denied.message).toContain(`access denied while uploading ${artifactPath}`);

    s3.on(PutObjectCommand).resolves({ ChecksumSHA256: ARTIFACT_SHA256_BASE64, VersionId: 'ver-1' });
    sagemaker
      .on(CreateModelPackageCommand)
      .rejects(sageMakerError('AccessDeniedException', 'not authorized', 400));
    const smDenied = await publishError(request());
    expect(smDenied.kind).toBe('accessDenied');
    expect(smDenied.message).toContain(`registering a model package in group '${GROUP}'`);
  });

  it.each<[string, Partial<PublishRequest>, RegExp]>([
    ['group', { group: 'churn_prod' }, /--group 'churn_prod' is not a model package group name/],
    ['bucket', { bucket: 's3://churn-models' }, /--bucket 's3:\/\/churn-models' is not an S3 bucket name/],
    ['commit', { commit: 'HEAD' }, /--commit 'HEAD' is not a git commit id/],
    ['data version', { dataVersion: 'v1;drop' }, /--data-version 'v1;drop' contains characters/],
    ['image', { image: 'xgboost' }, /--image 'xgboost' is not a container image URI/],
  ])('rejects an invalid %s before any AWS call', async (_field, overrides, message) => {
    const error = await publishError(request(overrides));
    expect(error.kind).toBe('usage');
    expect(error.message).toMatch(message);
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('rejects an empty artifact', async () => {
    const error = await publishError(request({ artifactPath: writeArtifact(Buffer.alloc(0)) }));
    expect(error.message).toMatch(/is empty/);
  });
});

describe('publish reads the model inside the artifact (MODEL-6)', () => {
  const sample = readFileSync(join(__dirname, '../../../models/sample-churn/model.json'), 'utf8');
  const writtenBy = (version: [number, number, number]): string => {
    const doc = JSON.parse(sample);
    doc.version = version;
    doc.learner.learner_model_param.base_score = `[${doc.learner.learner_model_param.base_score}]`;
    return JSON.stringify(doc);
  };
  const tarOf = (model: string): Buffer => {
    const dir = mkdtempSync(join(tmpdir(), 'publish-model-'));
    writeFileSync(join(dir, 'model.json'), model);
    create({ gzip: true, cwd: dir, file: join(dir, 'a.tar.gz'), sync: true, portable: true }, ['model.json']);
    return readFileSync(join(dir, 'a.tar.gz'));
  };
  const accept = () => {
    sagemaker.on(DescribeModelPackageGroupCommand).resolves({ ModelPackageGroupArn: GROUP_ARN });
    s3.on(PutObjectCommand).callsFake((input: { ChecksumSHA256: string }) => ({
      VersionId: 'ver-1',
      ChecksumSHA256: input.ChecksumSHA256,
    }));
    sagemaker.on(CreateModelPackageCommand).resolves({ ModelPackageArn: packageArn(3) });
  };

  it('refuses an artifact the scorer cannot load, before anything is uploaded', async () => {
    accept();
    const error = await publishError(
      request({ artifactPath: writeArtifact(Buffer.from('not a model at all')) }),
    );
    expect(error.kind).toBe('invalidArtifact');
    expect(error.message).toMatch(/^refusing to publish: the scorer cannot load the model in /);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('refuses a 3.1 model with the 1.7-1 image, and records the writer version and objective', async () => {
    accept();
    const error = await publishError(request({ artifactPath: writeArtifact(tarOf(writtenBy([3, 1, 3]))) }));
    expect(error.kind).toBe('incompatibleImage');
    expect(error.message).toContain(
      `--image ${IMAGE} runs XGBoost 1.7, which does not read a model written by XGBoost 3.1.3 correctly`,
    );
    const ok = await publishModel(
      clients,
      request({
        image: undefined,
        region: 'eu-west-1',
        artifactPath: writeArtifact(tarOf(writtenBy([3, 0, 2]))),
      }),
    );
    expect(ok.image).toBe('141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:3.0-5');
    const metadata =
      sagemaker.commandCalls(CreateModelPackageCommand)[0].args[0].input.CustomerMetadataProperties;
    expect(metadata).toMatchObject({ 'xgboost-version': '3.0.2', 'model-objective': 'binary:logistic' });
  });

  it('warns, and registers the newest official image, when no official image reads the model', async () => {
    accept();
    const result = await publishModel(
      clients,
      request({
        image: undefined,
        region: 'eu-west-1',
        artifactPath: writeArtifact(tarOf(writtenBy([3, 4, 1]))),
      }),
    );
    expect(result.warning).toContain(
      'no official SageMaker XGBoost image is known to read a model written by XGBoost 3.4.1',
    );
    expect(result.image).toContain('sagemaker-xgboost:3.0-5');
  });
});
