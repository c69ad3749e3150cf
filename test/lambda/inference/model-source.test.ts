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
import { DigestMismatchError } from '../../../src/scorer';
import { MODEL, MODEL_BYTES, MODEL_SHA256, s3Body, tarOf } from './fixtures';

const s3Mock = mockClient(S3Client);

describe('served model artifact (MODEL-3)', () => {
  test('a plain XGBoost JSON artifact loads when its digest matches the registry', () => {
    const model = modelFromArtifact(MODEL_BYTES, MODEL_SHA256, 'model.json');
    expect(model.featureNames).toEqual(MODEL.featureNames);
  });

  test('a model.tar.gz is verified as published (archive digest) and its xgboost-model file is loaded', () => {
    const archive = gzipSync(tarOf({ 'README.txt': Buffer.from('x'), 'xgboost-model': MODEL_BYTES }));
    const model = modelFromArtifact(archive, sha256Hex(archive), 'model.tar.gz');
    expect(model.numTrees).toBe(MODEL.numTrees);
  });

  test('a tampered artifact is refused before parsing, in both forms', () => {
    const tampered = Buffer.from(MODEL_BYTES);
    tampered[100] ^= 1;
    expect(() => modelFromArtifact(tampered, MODEL_SHA256, 'model.json')).toThrow(DigestMismatchError);
    const archive = gzipSync(tarOf({ 'xgboost-model': MODEL_BYTES }));
    expect(() => modelFromArtifact(archive, MODEL_SHA256, 'model.tar.gz')).toThrow(DigestMismatchError);
  });

  test('an archive without a model file names what it holds', () => {
    const archive = gzipSync(tarOf({ 'notes.txt': Buffer.from('hello') }));
    expect(() => modelFromArtifact(archive, sha256Hex(archive), 'a.tar.gz')).toThrow(/found: notes.txt/);
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
