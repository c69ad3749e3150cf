import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageGroupCommand,
  DescribeModelPackageCommand,
  SageMakerClient,
  type UpdateModelPackageCommandInput,
} from '@aws-sdk/client-sagemaker';
import { create } from 'tar';
import { noModelPhysicalId, parseGateProperties, runGate } from '../../lambda/model-gate/core';
import { EXAMPLE_CONFIG_PATH, loadConfig } from '../../lib/config/load';
import { runModelCli, type CliDeps } from '../../src/cli/model';
import { sha256Hex } from '../../src/integrity/digest';
import { RegistryError } from '../../src/registry';
import { MOTO_MISSING, startMoto, type MotoServer } from '../helpers/moto';

/**
 * The documented model lifecycle (README, "First deploy of a new account") rehearsed against moto_server, a
 * stateful AWS emulator: the real `npm run model` CLI and the real model-gate core, talking to S3 and the
 * SageMaker registry through the AWS SDK as they do in an account. The bucket and the group are created as
 * the Data stack creates them (versioned, Object Lock). Each step depends on the one before, as in the README.
 */

// Each step is a few hundred milliseconds; the margin is for a loaded machine.
jest.setTimeout(30_000);

const REGION = 'eu-west-1';
const GROUP = 'churn-dev';
const BUCKET = 'churn-dev-model-111111111111-eu-west-1';
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

let moto: MotoServer;
let clients: { sagemaker: SageMakerClient; s3: S3Client };
let work: string;

function artifact(name: string, modelJson: string): string {
  const dir = mkdtempSync(join(work, `${name}-`));
  writeFileSync(join(dir, 'xgboost-model'), modelJson);
  create({ gzip: true, cwd: dir, file: join(dir, 'model.tar.gz'), sync: true, portable: true }, [
    'xgboost-model',
  ]);
  return join(dir, 'model.tar.gz');
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const deps: CliDeps = {
    clients: () => clients,
    readTextFile: async (path) => readFileSync(path, 'utf8'),
    writeTextFile: async (path, text) => writeFileSync(path, text),
    envRegion: REGION,
  };
  const code = await runModelCli(
    argv,
    { stdout: (t) => (out += `${t}\n`), stderr: (t) => (err += `${t}\n`) },
    deps,
  );
  return { code, out, err };
}

/** The gate as the prod Serving stack configures it (the example configuration), or dev's. */
const PROD = loadConfig(EXAMPLE_CONFIG_PATH).environments.find((e) => e.name === 'prod')!;
function gateProperties(version: string, where: 'prod' | 'dev'): Record<string, string> {
  const r = PROD.robustness;
  return {
    ModelPackageGroupName: GROUP,
    ModelVersion: version,
    RequireApproval: String(where === 'prod'),
    ServingMode: 'sagemaker',
    RobustnessEnforcement: where === 'prod' ? r.enforcement : 'warn',
    DecisionThreshold: String(PROD.api.riskThresholds.high),
    MaxDecisionFlipRate: String(r.maxDecisionFlipRate),
    MaxMonotonicityViolations: String(r.maxMonotonicityViolations),
    ...(r.maxProbabilityChange !== undefined ? { MaxProbabilityChange: String(r.maxProbabilityChange) } : {}),
    ...(r.minExtractionQueries !== undefined ? { MinExtractionQueries: String(r.minExtractionQueries) } : {}),
  };
}

const gate = (
  { version = 'latest-approved', where = 'prod' }: { version?: string; where?: 'prod' | 'dev' } = {},
  previousPhysicalId?: string,
) =>
  runGate(
    clients,
    parseGateProperties(gateProperties(version, where)),
    previousPhysicalId === undefined ? {} : { previousPhysicalId },
  );

async function refusal(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

const SAMPLE = join(__dirname, '../../models/sample-churn');
const sample = readFileSync(join(SAMPLE, 'model.json'), 'utf8');
const assessment = () => join(work, 'assessment.json');
let first: string;
let second: string;
let published: { version: number; sha256: string; s3VersionId: string; modelDataUrl: string };

beforeAll(async () => {
  moto = await startMoto(REGION);
  const common = { region: REGION, endpoint: moto.endpoint, credentials: moto.credentials };
  clients = {
    s3: new S3Client({ ...common, forcePathStyle: true }),
    sagemaker: new SageMakerClient(common),
  };
  keepMetadataOnUpdate(clients.sagemaker, new SageMakerClient(common));
  work = mkdtempSync(join(tmpdir(), 'rehearsal-'));
  first = artifact('first', sample);
  // A different model (another base score) makes a different artifact with its own digest.
  const doc = JSON.parse(sample) as { learner: { learner_model_param: { base_score: string } } };
  doc.learner.learner_model_param.base_score = '4.1E-1';
  second = artifact('second', JSON.stringify(doc));
  await clients.s3.send(
    new CreateBucketCommand({
      Bucket: BUCKET,
      CreateBucketConfiguration: { LocationConstraint: REGION },
      ObjectLockEnabledForBucket: true,
    }),
  );
  await clients.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: GROUP }));
}, 60_000);

afterAll(async () => {
  await moto?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('model lifecycle rehearsal against moto_server (ENV-4, MODEL-1, MODEL-2, MODEL-3)', () => {
  test('ENV-4 an empty registry lists no versions and the gate serves nothing instead of failing the deploy', async () => {
    const list = await cli('list', '--group', GROUP);
    expect(list).toEqual({ code: 0, out: `model package group '${GROUP}' has no versions yet\n`, err: '' });
    const served = await gate();
    expect(served.PhysicalResourceId).toBe(noModelPhysicalId(GROUP));
    expect(served.Data?.ModelVersion).toBe('none');
  });

  test('MODEL-7, MODEL-1 assess the artifact, then publish stores it content-addressed with its SHA-256 checksum and registers a pending version', async () => {
    const assessed = await cli(
      'assess',
      '--artifact',
      first,
      '--spec',
      join(SAMPLE, 'feature-spec.json'),
      '--rows',
      join(SAMPLE, 'holdout.csv'),
      '--threshold',
      String(PROD.api.riskThresholds.high),
      '--out',
      assessment(),
    );
    expect({ code: assessed.code, err: assessed.err }).toEqual({ code: 0, err: '' });
    const run = await cli(
      'publish',
      '--group',
      GROUP,
      '--bucket',
      BUCKET,
      '--artifact',
      first,
      '--commit',
      COMMIT,
      '--data-version',
      'customers-2026-11',
      '--metrics',
      writeMetrics(),
      '--assessment',
      assessment(),
      '--json',
    );
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    published = JSON.parse(run.out) as typeof published;
    const digest = sha256Hex(readFileSync(first));
    expect(published).toMatchObject({
      version: 1,
      sha256: digest,
      modelDataUrl: `s3://${BUCKET}/models/sha256/${digest}/model.tar.gz`,
      status: 'PendingManualApproval',
    });
    const stored = await clients.s3.send(
      new GetObjectCommand({
        Bucket: BUCKET,
        Key: `models/sha256/${digest}/model.tar.gz`,
        ChecksumMode: 'ENABLED',
      }),
    );
    expect(stored.VersionId).toBe(published.s3VersionId);
    expect(stored.ChecksumSHA256).toBe(Buffer.from(digest, 'hex').toString('base64'));
    expect(sha256Hex(Buffer.from(await stored.Body!.transformToByteArray()))).toBe(digest);
  });

  test('MODEL-2 a pending version is not served where approval is required, and is where it is not (dev)', async () => {
    expect((await gate()).Data?.ModelVersion).toBe('none');
    const pinned = await refusal(gate({ version: '1' }));
    expect(pinned.kind).toBe('notApproved');
    expect(pinned.message).toContain('is PendingManualApproval');
    const dev = await gate({ version: '1', where: 'dev' });
    expect(dev.Data?.ArtifactSha256).toBe(published.sha256);
  });

  test('MODEL-2 list, approve and reject through the CLI; a second publish gets the next version', async () => {
    const again = await cli(
      'publish',
      '--group',
      GROUP,
      '--bucket',
      BUCKET,
      '--artifact',
      second,
      '--commit',
      COMMIT,
      '--data-version',
      'customers-2026-12',
      '--metrics',
      writeMetrics(),
    );
    expect(again.code).toBe(0);
    expect(again.out).toContain("Published version 2 of 'churn-dev' (PendingManualApproval)");
    expect(
      await cli('approve', '--group', GROUP, '--version', '1', '--reason', 'AUC 0.91 on holdout'),
    ).toEqual({
      code: 0,
      out: `Version 1 of '${GROUP}': PendingManualApproval -> Approved\n  reason: AUC 0.91 on holdout\n`,
      err: '',
    });
    const rejected = await cli('reject', '--group', GROUP, '--version', '2', '--reason', 'recall regressed');
    expect(rejected.code).toBe(0);
    const listed = JSON.parse((await cli('list', '--group', GROUP, '--json')).out) as {
      versions: Array<{ version: number; status: string; artifactSha256: string }>;
    };
    expect(listed.versions.map((v) => [v.version, v.status])).toEqual([
      [2, 'Rejected'],
      [1, 'Approved'],
    ]);
    expect(listed.versions[1]!.artifactSha256).toBe(published.sha256);
    const approvedOnly = await cli('list', '--group', GROUP, '--status', 'Approved');
    expect(approvedOnly.out).toMatch(/^VERSION/);
    expect(approvedOnly.out).not.toMatch(/\n2 /);
  });

  test('MODEL-3 the gate resolves latest-approved to version 1, reads the artifact back and verifies its digest', async () => {
    const served = await gate();
    expect(served.Data).toMatchObject({
      ModelVersion: '1',
      ApprovalStatus: 'Approved',
      ArtifactSha256: published.sha256,
      ArtifactS3VersionId: published.s3VersionId,
      ModelDataUrl: published.modelDataUrl,
      ArtifactObjectArn: `arn:aws:s3:::${BUCKET}/models/sha256/${published.sha256}/model.tar.gz`,
    });
    expect(served.PhysicalResourceId).toMatch(/model-package\/churn-dev\/1$/);
    // A Rejected version never deploys, not even where approval is not required.
    const rejected = await refusal(gate({ version: '2', where: 'dev' }));
    expect(rejected.message).toContain('was Rejected (recall regressed)');
  });

  test('MODEL-3 a tampered artifact (a new object version under the same key) is refused, and so is republishing over it', async () => {
    const key = `models/sha256/${published.sha256}/model.tar.gz`;
    await clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: readFileSync(second) }));
    const tampered = await refusal(gate());
    expect(tampered.kind).toBe('digestMismatch');
    expect(tampered.message).toContain('model gate refused the deployment');
    const republish = await cli(
      'publish',
      '--group',
      GROUP,
      '--bucket',
      BUCKET,
      '--artifact',
      first,
      '--commit',
      COMMIT,
      '--data-version',
      'customers-2026-11',
      '--metrics',
      writeMetrics(),
    );
    expect(republish.code).toBe(6);
    expect(republish.err).toContain('already exists but its SHA-256 checksum is');
  });

  test('ENV-4 once a model was served, losing every Approved version stops the deploy instead of serving nothing', async () => {
    expect((await cli('reject', '--group', GROUP, '--version', '1', '--reason', 'withdrawn')).code).toBe(0);
    const servedBefore = (await cli('list', '--group', GROUP, '--json')).out;
    const arn = (
      JSON.parse(servedBefore) as { versions: Array<{ version: number; arn: string }> }
    ).versions.find((v) => v.version === 1)!.arn;
    const stopped = await refusal(gate({}, arn));
    expect(stopped.message).toContain('has no Approved version any more');
    // A first deploy (no history) still goes through and serves nothing.
    expect((await gate()).Data?.ModelVersion).toBe('none');
  });
});

test('without moto_server on PATH the rehearsal fails saying what to install', async () => {
  await expect(startMoto(REGION, { command: 'moto_server-not-installed' })).rejects.toThrow(MOTO_MISSING);
});

function writeMetrics(): string {
  const path = join(work, 'metrics.json');
  writeFileSync(path, JSON.stringify({ auc: 0.91, precision: 0.8, recall: 0.7, f1: 0.7467 }));
  return path;
}

/**
 * moto 5.2's UpdateModelPackage replaces CustomerMetadataProperties with the request's (none, for an
 * approval) where SageMaker keeps them unless CustomerMetadataPropertiesToRemove names them. This restores
 * SageMaker's behaviour in the emulator by sending the current properties along; the CLI's request is
 * otherwise unchanged, and nothing here runs outside this test.
 */
function keepMetadataOnUpdate(client: SageMakerClient, reader: SageMakerClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'UpdateModelPackageCommand') {
        const input = args.input as UpdateModelPackageCommandInput;
        if (input.CustomerMetadataProperties === undefined) {
          const current = await reader.send(
            new DescribeModelPackageCommand({ ModelPackageName: input.ModelPackageArn }),
          );
          input.CustomerMetadataProperties = current.CustomerMetadataProperties;
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'motoKeepsCustomerMetadataOnUpdate' },
  );
}
