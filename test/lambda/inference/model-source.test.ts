import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  loadServedModel,
  ModelArtifactError,
  modelFromArtifact,
  parseS3Url,
} from '../../../lambda/inference/model-source';
import { sha256Hex } from '../../../src/integrity/digest';
import { DigestMismatchError, loadModel } from '../../../src/scorer';
import { modelFileFromArtifact, readableOf } from '../../../src/scorer/artifact';
import { fixturesPresent, XGBOOST_FIXTURES } from '../../helpers/xgboost-fixtures';
import { MODEL, MODEL_BYTES, MODEL_SHA256, s3Body, tarOf } from './fixtures';

const s3Mock = mockClient(S3Client);

describe('served model artifact (MODEL-3)', () => {
  test('a plain XGBoost JSON artifact loads when its digest matches the registry', async () => {
    const model = await modelFromArtifact(MODEL_BYTES, MODEL_SHA256, 'model.json');
    expect(model.featureNames).toEqual(MODEL.featureNames);
  });

  test('a model.tar.gz is verified as published (archive digest) and its xgboost-model file is loaded', async () => {
    const archive = gzipSync(tarOf({ 'README.txt': Buffer.from('x'), 'xgboost-model': MODEL_BYTES }));
    const model = await modelFromArtifact(archive, sha256Hex(archive), 'model.tar.gz');
    expect(model.numTrees).toBe(MODEL.numTrees);
  });

  (fixturesPresent() ? test : test.skip)(
    'the function serves every archive publish accepts: model.ubj inside model.tar.gz (MODEL-6)',
    async () => {
      const ubj = readFileSync(
        join(XGBOOST_FIXTURES, 'xgboost-3.4.1', 'native-categorical-ubj', 'model.ubj'),
      );
      const archive = gzipSync(tarOf({ 'README.txt': Buffer.from('x'), 'model.ubj': ubj }));
      const served = await modelFromArtifact(archive, sha256Hex(archive), 'model.tar.gz');
      const published = await modelFileFromArtifact(() => readableOf(archive), archive, 'model.tar.gz');
      expect(published.name).toBe('model.ubj');
      expect(served.numTrees).toBe(loadModel(ubj).numTrees);
    },
  );

  test('the function serves an archive holding a single model file under any name, as publish accepts', async () => {
    const archive = gzipSync(tarOf({ 'churn-v7.json': MODEL_BYTES }));
    const model = await modelFromArtifact(archive, sha256Hex(archive), 'model.tar.gz');
    expect(model.sha256).toBe(MODEL_SHA256);
  });

  test('a tampered artifact is refused before parsing, in both forms', async () => {
    const tampered = Buffer.from(MODEL_BYTES);
    tampered[100] ^= 1;
    await expect(modelFromArtifact(tampered, MODEL_SHA256, 'model.json')).rejects.toThrow(
      DigestMismatchError,
    );
    const archive = gzipSync(tarOf({ 'xgboost-model': MODEL_BYTES }));
    await expect(modelFromArtifact(archive, MODEL_SHA256, 'model.tar.gz')).rejects.toThrow(
      DigestMismatchError,
    );
  });

  test('an archive without a model file names what it holds', async () => {
    const archive = gzipSync(tarOf({ 'notes.txt': Buffer.from('hello'), LICENSE: Buffer.from('x') }));
    await expect(modelFromArtifact(archive, sha256Hex(archive), 'a.tar.gz')).rejects.toThrow(
      /a.tar.gz holds notes.txt, LICENSE; it must hold one model file/,
    );
  });

  test('a gzip artifact that is not a tar archive is refused with a clear error', async () => {
    const notTar = gzipSync(Buffer.from('just some text, not a tar archive'));
    await expect(modelFromArtifact(notTar, sha256Hex(notTar), 'm.tar.gz')).rejects.toThrow(
      ModelArtifactError,
    );
  });

  test('reads the gate-resolved ModelDataUrl from S3', async () => {
    s3Mock.reset();
    s3Mock.on(GetObjectCommand).resolves({ Body: s3Body(MODEL_BYTES) });
    const model = await loadServedModel(
      new S3Client({}),
      's3://churn-dev-model-1-eu-west-1/models/m.json',
      MODEL_SHA256,
    );
    expect(model.sha256).toBe(MODEL_SHA256);
    expect(s3Mock.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({
      Bucket: 'churn-dev-model-1-eu-west-1',
      Key: 'models/m.json',
    });
  });

  test('a ModelDataUrl that is not an S3 URL is refused', () => {
    expect(() => parseS3Url('https://example.com/model.json')).toThrow(ModelArtifactError);
  });
});
