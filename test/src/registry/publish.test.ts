import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { create } from 'tar';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  DescribeModelPackageGroupCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { sha256Hex } from '../../../src/integrity/digest';
import { parseBaseline } from '../../../src/drift/baseline';
import { parseFeatureSpec } from '../../../src/features';
import {
  buildProvenance,
  goldenRowsFromModel,
  publishModel,
  RegistryError,
  type PublishRequest,
} from '../../../src/registry';
import { loadModel } from '../../../src/scorer';
import {
  acceptedPut,
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

/** The provenance document a first publish of the sample artifact stored (captured from its PutObject). */
async function firstProvenance(): Promise<Buffer> {
  s3.on(PutObjectCommand).callsFake(acceptedPut);
  await publishModel(clients, request());
  const put = s3
    .commandCalls(PutObjectCommand)
    .find((c) => c.args[0].input.Key?.endsWith('.provenance.json'));
  s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 'precondition failed', 412));
  sagemaker.resetHistory();
  s3.resetHistory();
  return put!.args[0].input.Body as Buffer;
}

beforeEach(() => {
  sagemaker.reset();
  s3.reset();
  sagemaker.on(DescribeModelPackageGroupCommand).resolves({
    ModelPackageGroupName: GROUP,
    ModelPackageGroupArn: GROUP_ARN,
    ModelPackageGroupStatus: 'Completed',
  });
  s3.on(PutObjectCommand).callsFake(acceptedPut);
  sagemaker.on(CreateModelPackageCommand).resolves({ ModelPackageArn: packageArn(3) });
});

describe('publishModel', () => {
  it('uploads content-addressed with the SHA-256 checksum and no-overwrite condition, then registers a pending version', async () => {
    let uploaded: Buffer = Buffer.alloc(0);
    s3.on(PutObjectCommand, { Key: ARTIFACT_KEY }).callsFake(async (input: { Body: Readable }) => {
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
      provenance: {
        url: `${ARTIFACT_URL}.provenance.json`,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        goldenRows: 200,
        goldenSource: "the model's split points",
        goldenRecords: 0,
        reused: false,
      },
    });
    expect(sagemaker.commandCalls(DescribeModelPackageGroupCommand)[0].args[0].input).toEqual({
      ModelPackageGroupName: GROUP,
    });
    const put = s3.commandCalls(PutObjectCommand);
    expect(put).toHaveLength(2);
    // MODEL-6: the provenance document beside the artifact, never overwritten, its digest registered.
    const document = put[1].args[0].input.Body as Buffer;
    expect(put[1].args[0].input).toMatchObject({
      Key: `${ARTIFACT_KEY}.provenance.json`,
      ContentType: 'application/json',
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: Buffer.from(sha256Hex(document), 'hex').toString('base64'),
      IfNoneMatch: '*',
    });
    const provenance = JSON.parse(document.toString());
    expect(provenance).toMatchObject({
      format: 'churn-model-provenance',
      artifactSha256: ARTIFACT_SHA256,
      xgboostVersion: '1.7.4',
      objective: 'binary:logistic',
      golden: { source: "the model's split points", tolerance: 1e-5 },
    });
    expect(provenance.featureNames).toHaveLength(31);
    expect(provenance.golden.rows).toHaveLength(200);
    expect(provenance.golden.predictions).toHaveLength(200);
    expect(result.provenance.sha256).toBe(sha256Hex(document));
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
        'provenance-sha256': result.provenance.sha256,
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
    const first = await firstProvenance();
    s3.on(GetObjectCommand, { Key: `${ARTIFACT_KEY}.provenance.json` }).resolves({
      Body: { transformToByteArray: () => Promise.resolve(first) } as never,
    });

    const result = await publishModel(clients, request());

    expect(result).toMatchObject({ s3VersionId: 'ver-0', reusedExistingObject: true });
    expect(result.provenance).toEqual({
      url: `${ARTIFACT_URL}.provenance.json`,
      sha256: sha256Hex(first),
      goldenRows: 200,
      goldenSource: "the model's split points",
      goldenRecords: 0,
      reused: true,
    });
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

    s3.on(PutObjectCommand).callsFake(acceptedPut);
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

describe('publish records a golden set with the exact scorer predictions (MODEL-6)', () => {
  const modelJson = readFileSync(join(__dirname, '../../../models/sample-churn/model.json'), 'utf8');
  const model = loadModel(modelJson);
  const storedProvenance = () => {
    const put = s3
      .commandCalls(PutObjectCommand)
      .find((c) => c.args[0].input.Key?.endsWith('.provenance.json'));
    return JSON.parse((put!.args[0].input.Body as Buffer).toString());
  };
  const csv = (rows: (number | string)[][]) =>
    [
      model.featureNames.join(','),
      ...rows.map((r) => r.map((v) => (Number.isNaN(v) ? '' : v)).join(',')),
    ].join('\n');

  it('MODEL-6 scores the --golden-rows CSV (model columns, empty = missing) with the exact scorer', async () => {
    const rows = goldenRowsFromModel(model, 12);
    const result = await publishModel(
      clients,
      request({ goldenRows: { kind: 'csv', name: 'golden.csv', text: csv(rows) } }),
    );
    expect(result.provenance).toMatchObject({ goldenRows: 12, goldenSource: '--golden-rows golden.csv' });
    const provenance = storedProvenance();
    expect(provenance.golden.rows[0]).toEqual(rows[0].map((v) => (Number.isNaN(v) ? null : v)));
    expect(provenance.golden.predictions).toEqual(rows.map((r) => model.predict(r)));
  });

  it('MODEL-6 refuses a golden rows file with a bad cell, a missing column or too many rows, before uploading', async () => {
    const rows: (number | string)[][] = goldenRowsFromModel(model, 3);
    rows[1] = [...rows[1]];
    rows[1][2] = 'lots';
    const bad = await publishError(request({ goldenRows: { kind: 'csv', name: 'g.csv', text: csv(rows) } }));
    expect(bad.kind).toBe('usage');
    expect(bad.message).toMatch(
      new RegExp(
        `^--golden-rows g\\.csv: row 2 \\(line 3\\): ${model.featureNames[2]} must be a number or empty; got "lots"`,
      ),
    );
    const narrow = await publishError(
      request({ goldenRows: { kind: 'csv', name: 'g.csv', text: 'tenure\n1' } }),
    );
    expect(narrow.message).toMatch(/^--golden-rows g\.csv: CSV header lacks model features: /);
    const many = goldenRowsFromModel(model, 1001);
    const tooMany = await publishError(
      request({ goldenRows: { kind: 'csv', name: 'g.csv', text: csv(many) } }),
    );
    expect(tooMany.message).toContain('has more than 1000 rows');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('MODEL-6 draws the golden rows from a baseline when given one', async () => {
    const baseline = parseBaseline(
      JSON.parse(readFileSync(join(__dirname, '../../../models/sample-churn/baseline.json'), 'utf8')),
    );
    const result = await publishModel(
      clients,
      request({ goldenRows: { kind: 'baseline', name: 'baseline.json', baseline } }),
    );
    expect(result.provenance).toMatchObject({ goldenRows: 200, goldenSource: 'baseline baseline.json' });
    const provenance = storedProvenance();
    // A one-hot group (drop-first) of a drawn row has at most one column set, or is missing as a whole.
    const contract = model.featureNames.flatMap((n, i) => (n.startsWith('Contract') ? [i] : []));
    expect(contract.length).toBeGreaterThan(1);
    for (const row of provenance.golden.rows as (number | null)[][]) {
      const values = contract.map((i) => row[i]);
      expect(
        values.every((v) => v === null) ||
          (values.every((v) => v === 0 || v === 1) && values.filter((v) => v === 1).length <= 1),
      ).toBe(true);
    }
    expect(provenance.golden.predictions).toEqual(
      (provenance.golden.rows as (number | null)[][]).map((r) => model.predict(r.map((v) => v ?? NaN))),
    );
  });

  it('MODEL-6 with --feature-spec records an API record per golden row and the specification, and the result counts them', async () => {
    const baseline = parseBaseline(
      JSON.parse(readFileSync(join(__dirname, '../../../models/sample-churn/baseline.json'), 'utf8')),
    );
    const specText = readFileSync(join(__dirname, '../../../models/sample-churn/feature-spec.json'), 'utf8');
    const result = await publishModel(
      clients,
      request({
        goldenRows: { kind: 'baseline', name: 'baseline.json', baseline },
        featureSpec: {
          name: 'feature-spec.json',
          spec: parseFeatureSpec(JSON.parse(specText)),
          sha256: sha256Hex(Buffer.from(specText)),
        },
      }),
    );
    expect(result.provenance).toMatchObject({ goldenRows: 200, goldenRecords: 200 });
    const provenance = storedProvenance();
    expect(provenance.golden.records).toHaveLength(200);
    expect(provenance.golden.featureSpec).toEqual({
      name: 'telco-churn',
      sha256: sha256Hex(Buffer.from(specText)),
    });
    expect(Object.keys(provenance.golden.records![0])).toEqual(
      expect.arrayContaining(['tenure', 'Contract']),
    );
    // Without it, as before: no records, and the result says so.
    const plain = await publishModel(
      clients,
      request({ goldenRows: { kind: 'baseline', name: 'b', baseline } }),
    );
    expect(plain.provenance.goldenRecords).toBe(0);
  });

  it('MODEL-6 refuses to register when the provenance already stored for the artifact disagrees with the scorer', async () => {
    s3.on(PutObjectCommand, { Key: ARTIFACT_KEY }).callsFake(acceptedPut);
    const doc = buildProvenance({
      model,
      modelFile: { name: 'xgboost-model', bytes: Buffer.from(modelJson) },
      artifactSha256: ARTIFACT_SHA256,
      goldenRows: goldenRowsFromModel(model, 5),
      goldenSource: 'test',
    });
    (doc.golden.predictions as number[])[2] += 0.1;
    s3.on(PutObjectCommand, { Key: `${ARTIFACT_KEY}.provenance.json` }).rejects(
      s3Error('PreconditionFailed', 'precondition failed', 412),
    );
    s3.on(GetObjectCommand).resolves({
      Body: { transformToByteArray: () => Promise.resolve(Buffer.from(JSON.stringify(doc))) } as never,
    });
    const error = await publishError(request());
    expect(error.kind).toBe('digestMismatch');
    expect(error.message).toMatch(
      /golden row 3 records prediction .* the document or the scorer changed since publish/,
    );
    expect(sagemaker.commandCalls(CreateModelPackageCommand)).toHaveLength(0);
  });
});
