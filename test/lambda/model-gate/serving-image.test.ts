import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { create } from 'tar';

import { runGate, parseGateProperties } from '../../../lambda/model-gate/core';
import { sha256Hex } from '../../../src/integrity/digest';
import { RegistryError } from '../../../src/registry';
import { xgboostImageUri } from '../../../src/registry/xgboost-image';
import {
  describedPackage,
  GATE_ROBUSTNESS_PROPS,
  GROUP,
  GROUP_ARN,
  objectBody,
} from '../../src/registry/aws-fakes';

const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const clients = { sagemaker: new SageMakerClient({}), s3: new S3Client({}) };
const MODEL = readFileSync(
  join(__dirname, '../../fixtures/xgboost/binary_logistic_depth2.model.json'),
  'utf8',
);

/** The fixture model as if written by another XGBoost release (3.1+ writes base_score as a vector). */
function writtenBy(version: [number, number, number]): string {
  const doc = JSON.parse(MODEL);
  doc.version = version;
  if (version[0] >= 3)
    doc.learner.learner_model_param.base_score = `[${doc.learner.learner_model_param.base_score}]`;
  return JSON.stringify(doc);
}

/** A model.tar.gz as SageMaker's XGBoost container loads it: one `xgboost-model` file. */
function artifact(model: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'gate-image-'));
  writeFileSync(join(dir, 'xgboost-model'), model);
  create({ gzip: true, cwd: dir, file: join(dir, 'model.tar.gz'), sync: true, portable: true }, [
    'xgboost-model',
  ]);
  return readFileSync(join(dir, 'model.tar.gz'));
}

function serve(bytes: Buffer, image: string): void {
  sagemaker.reset();
  s3.reset();
  sagemaker
    .on(DescribeModelPackageGroupCommand)
    .resolves({ ModelPackageGroupName: GROUP, ModelPackageGroupArn: GROUP_ARN });
  sagemaker.on(DescribeModelPackageCommand).resolves(
    describedPackage(
      4,
      {
        InferenceSpecification: {
          Containers: [{ Image: image, ModelDataUrl: 's3://bucket-a/models/sha256/x/model.tar.gz' }],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
      },
      { 'artifact-sha256': sha256Hex(bytes) },
    ),
  );
  s3.on(GetObjectCommand).callsFake(() => ({ Body: objectBody(bytes), VersionId: 'v1' }));
}

const sagemakerMode = (extra: Record<string, string> = {}) =>
  parseGateProperties({
    ModelPackageGroupName: GROUP,
    ModelVersion: '4',
    ServingMode: 'sagemaker',
    // These packages carry no robustness assessment (MODEL-7); in 'warn' mode the image check is what decides.
    ...GATE_ROBUSTNESS_PROPS,
    RobustnessEnforcement: 'warn',
    ...extra,
  });

const IMAGE_17 = xgboostImageUri('eu-west-1', '1.7-1');
const IMAGE_30 = xgboostImageUri('eu-west-1', '3.0-5');

async function refusal(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

describe('model gate: the serving image must read the model (MODEL-6)', () => {
  it('refuses a 3.1 model on sagemaker-xgboost:1.7-1, saying why and what to do instead', async () => {
    serve(artifact(writtenBy([3, 1, 3])), IMAGE_17);
    const error = await refusal(runGate(clients, sagemakerMode()));
    expect(error.kind).toBe('incompatibleImage');
    expect(error.message).toContain(
      `model gate refused the deployment: the serving image of version 4 of '${GROUP}', ${IMAGE_17} runs XGBoost 1.7, which does not read a model written by XGBoost 3.1.3 correctly (XGBoost 1.7 loads such a model without error but ignores its vector base_score and keeps 0.5`,
    );
    expect(error.message).toContain('Serve it in embedded mode');
  });

  it('names the image to use when an official one reads the model (a 3.0 model on 1.7-1 -> 3.0-5)', async () => {
    serve(artifact(writtenBy([3, 0, 2])), IMAGE_17);
    const error = await refusal(runGate(clients, sagemakerMode()));
    expect(error.message).toContain('use sagemaker-xgboost:3.0-5 instead');
  });

  it('passes a model on an image that reads it, returning the writer version', async () => {
    serve(artifact(MODEL), IMAGE_17);
    expect((await runGate(clients, sagemakerMode())).Data?.XgboostVersion).toBe('1.7.4');
    serve(artifact(writtenBy([3, 0, 2])), IMAGE_30);
    expect((await runGate(clients, sagemakerMode())).Data?.Image).toBe(IMAGE_30);
  });

  it('checks a containerImage override the same way, and lets an image it cannot judge through', async () => {
    serve(artifact(writtenBy([3, 0, 2])), IMAGE_30);
    const error = await refusal(runGate(clients, sagemakerMode({ ImageOverride: IMAGE_17 })));
    expect(error.message).toContain('use sagemaker-xgboost:3.0-5 instead');
    const own = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn-xgboost:3.4.1';
    serve(artifact(writtenBy([3, 4, 1])), IMAGE_17);
    expect((await runGate(clients, sagemakerMode({ ImageOverride: own }))).Data?.Image).toBe(own);
  });

  it('refuses an artifact the scorer cannot load, and leaves embedded mode to the scorer', async () => {
    serve(Buffer.from('not a model'), IMAGE_17);
    const error = await refusal(runGate(clients, sagemakerMode()));
    expect(error.message).toContain('the scorer cannot load the model');
    serve(artifact(writtenBy([3, 4, 1])), IMAGE_17);
    const embedded = parseGateProperties({
      ModelPackageGroupName: GROUP,
      ModelVersion: '4',
      ...GATE_ROBUSTNESS_PROPS,
      RobustnessEnforcement: 'warn',
    });
    expect((await runGate(clients, embedded)).Data?.XgboostVersion).toBe('');
  });
});
