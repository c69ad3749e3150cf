import { LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { minimatch } from 'minimatch';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runPreflightCli } from '../../bin/preflight';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { loadConfig, resourceNames } from '../../lib/config';
import { loadModel } from '../../src/scorer';
import { planFromApp } from '../../lib/preflight/plan-from-app';
import { runModelCli } from '../../src/cli/model';
import { checkBootstrap, type PreflightClients } from '../../src/preflight/checks';
import { buildTestApp, exampleConfig, stacksOf } from '../helpers/app';
import {
  acceptedPut,
  ARTIFACT_BYTES,
  ARTIFACT_SHA256,
  ARTIFACT_URL,
  describedPackage,
  removeArtifacts,
  s3Error,
  writeArtifact,
} from '../src/registry/aws-fakes';

/**
 * ENV-4: every command of the README's "First deploy of a new account" is exercised here. The section's
 * example (test, config/acme.json) is run against the example configuration, whose test account it names.
 */

const ROOT = path.join(__dirname, '..', '..');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('## First deploy of a new account'),
  readme.indexOf('\n## ', readme.indexOf('## First deploy of a new account') + 5),
);
/** The shell commands of the section, continuation lines joined. */
const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1]!.replace(/\\\n\s*/g, '').split('\n'))
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

const config = exampleConfig();
const testEnv = config.environments.find((e) => e.name === 'test')!;
/** The arguments after `prefix`, split as a shell would (quoted words kept whole). */
const argv = (command: string, prefix: string) =>
  [...command.slice(prefix.length).matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)]
    .map((m) => m[1] ?? m[2] ?? m[3]!)
    .map((a) => (a === 'config/acme.json' ? 'config/example.json' : a));

test('ENV-4 the section is the documented sequence: bootstrap, preflight, deploy, assess, publish, list, approve, deploy, verify', () => {
  const kinds = commands.map((c) => c.split(/\s+/).slice(0, 5).join(' '));
  expect(kinds).toEqual([
    'npx cdk bootstrap aws://222222222222/eu-west-1 --qualifier',
    'npm run preflight -- --env',
    "npx cdk deploy 'Test/*' -c",
    'npm run model -- assess',
    'npm run model -- publish',
    'npm run model -- list',
    'npm run model -- approve',
    "npx cdk deploy 'Test/*' -c",
    'npm run model -- verify',
  ]);
});

test('ENV-4 the bootstrap command is the one the preflight prescribes for this account, qualifier and tooling trust', async () => {
  const bootstrap = commands.find((c) => c.startsWith('npx cdk bootstrap'))!;
  const missing = Object.assign(new Error('ParameterNotFound'), { name: 'ParameterNotFound' });
  const clients = { ssm: { send: () => Promise.reject(missing) } } as unknown as PreflightClients;
  const [result] = await checkBootstrap(clients, planFromApp(config, 'test'));
  const prescribed = result!.fix!.split(' --cloudformation-execution-policies')[0]!;
  expect(bootstrap.startsWith(prescribed)).toBe(true);
  expect(bootstrap).toContain(`--qualifier ${config.project.cdkQualifier}`);
  expect(bootstrap).toContain(`--trust ${config.tooling!.account}`);
});

test('ENV-4 the preflight command runs as written (here without credentials: it reports that, and exits 1)', async () => {
  const preflight = commands.find((c) => c.startsWith('npm run preflight'))!;
  const noCredentials = Object.assign(new Error('no credentials'), { name: 'CredentialsProviderError' });
  const failing = { send: () => Promise.reject(noCredentials) };
  const out: string[] = [];
  const code = await runPreflightCli(
    argv(preflight, 'npm run preflight --'),
    { stdout: (t) => out.push(t), stderr: (t) => out.push(t) },
    () => ({ sts: failing }) as unknown as PreflightClients,
  );
  expect(code).toBe(1);
  expect(out.join('\n')).toContain('preflight for test (aws://222222222222/eu-west-1)');
  expect(out.join('\n')).toContain('✗ credentials: no usable AWS credentials');
});

test("ENV-4 the deploy selector 'Test/*' selects every stack of the test stage and nothing else", () => {
  const deploy = commands.find((c) => c.startsWith('npx cdk deploy'))!;
  const selector = /'([^']+)'/.exec(deploy)![1]!;
  const app = buildTestApp();
  const all = app.stages.flatMap((stage) => stacksOf(stage).map((s) => s.node.path));
  const selected = all.filter((p) => minimatch(p, selector));
  expect(selected.sort()).toEqual(
    stacksOf(app.stage('Test'))
      .map((s) => s.node.path)
      .sort(),
  );
  expect(selected).toEqual(
    expect.arrayContaining(['Test/Data', 'Test/Serving', 'Test/Endpoint', 'Test/Api']),
  );
});

describe('ENV-4 the model commands run as written (SDK mocked; the moto rehearsal runs them for real)', () => {
  const sagemaker = mockClient(SageMakerClient);
  const s3 = mockClient(S3Client);
  const artifact = writeArtifact();
  const written = new Map<string, string>();
  afterAll(removeArtifacts);

  async function run(command: string): Promise<{ code: number; out: string }> {
    const out: string[] = [];
    const args = argv(command, 'npm run model --').map((a) =>
      a === 'model.tar.gz' ? artifact : a === '<sha>' ? 'abc1234' : a === '<v>' ? '2026-10' : a,
    );
    const code = await runModelCli(
      args,
      { stdout: (t) => out.push(t), stderr: (t) => out.push(t) },
      {
        clients: () => ({ sagemaker: new SageMakerClient({}), s3: new S3Client({}) }),
        // What assess wrote (assessment.json) reads back; any other file is the metrics.
        readTextFile: async (file) =>
          written.get(file) ?? JSON.stringify({ auc: 0.85, precision: 0.66, recall: 0.46, f1: 0.54 }),
        writeTextFile: async (file, text) => void written.set(file, text),
        envRegion: testEnv.region,
        loadConfig: (file) => loadConfig(path.join(ROOT, file!)),
        verifyClients: () => ({
          ssm: new SSMClient({}),
          s3: new S3Client({}),
          runtime: new SageMakerRuntimeClient({}),
          lambda: new LambdaClient({}),
        }),
      },
    );
    return { code, out: out.join('\n') };
  }

  test('assess, publish, list and approve name the environment registry and bucket, and succeed', async () => {
    const group = resourceNames(config.project.name, testEnv).modelPackageGroup;
    const groupArn = `arn:aws:sagemaker:eu-west-1:222222222222:model-package-group/${group}`;
    sagemaker
      .on(DescribeModelPackageGroupCommand)
      .resolves({ ModelPackageGroupName: group, ModelPackageGroupArn: groupArn });
    s3.on(PutObjectCommand).callsFake(acceptedPut);
    sagemaker
      .on(CreateModelPackageCommand)
      .resolves({ ModelPackageArn: `${groupArn.replace('-group', '')}/1` });
    sagemaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
    sagemaker.on(DescribeModelPackageCommand).resolves(describedPackage(1));
    sagemaker.on(UpdateModelPackageCommand).resolves({});
    const modelCommands = commands.filter((c) => c.startsWith('npm run model') && !c.includes(' verify '));
    for (const command of modelCommands) {
      expect({ command, ...(await run(command)) }).toMatchObject({ command, code: 0 });
    }
    const publish = modelCommands[1]!;
    expect(publish).toContain(`--group ${group}`);
    expect(publish).toContain(`--bucket ${resourceNames(config.project.name, testEnv).buckets.model}`);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.Bucket).toBe(
      resourceNames(config.project.name, testEnv).buckets.model,
    );
    expect(sagemaker.commandCalls(UpdateModelPackageCommand)[0]!.args[0].input.ModelApprovalStatus).toBe(
      'Approved',
    );
    // The assessment is recorded with the version, so the gate of test and prod will accept it.
    const created = sagemaker.commandCalls(CreateModelPackageCommand)[0]!.args[0].input;
    expect(Object.keys(created.CustomerMetadataProperties ?? {}).join(' ')).toMatch(/robustness|assessment/);
    // The assessment runs the sample model on its holdout rows: seconds, more on a loaded machine.
  }, 60_000);

  test('MODEL-6 verify checks the endpoint of the environment against the served record, and succeeds', async () => {
    const ssm = mockClient(SSMClient);
    const runtime = mockClient(SageMakerRuntimeClient);
    const names = resourceNames(config.project.name, testEnv);
    ssm.on(GetParametersCommand).resolves({
      Parameters: [
        { Name: `${names.servedModelParameters}version`, Value: '1' },
        { Name: `${names.servedModelParameters}model-data-url`, Value: ARTIFACT_URL },
        { Name: `${names.servedModelParameters}artifact-sha256`, Value: ARTIFACT_SHA256 },
      ],
    });
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      if (input.Key.endsWith('.provenance.json')) throw s3Error('NoSuchKey', 'no such key', 404);
      return { Body: { transformToByteArray: () => Promise.resolve(new Uint8Array(ARTIFACT_BYTES)) } };
    });
    const model = loadModel(readFileSync(path.join(ROOT, 'models/sample-churn/model.json'), 'utf8'));
    runtime.on(InvokeEndpointCommand).callsFake((input: { Body: string }) => ({
      Body: new TextEncoder().encode(
        input.Body.split('\n')
          .map((l) => model.predict(l.split(',').map((c) => (c === '' ? NaN : Number(c)))).toPrecision(9))
          .join('\n'),
      ),
    }));
    const verify = commands.find((c) => c.includes('npm run model -- verify'))!;
    const result = await run(verify);
    expect(result).toMatchObject({ code: 0 });
    expect(result.out).toContain(
      `Endpoint ${names.endpoint} answers like version 1 of '${names.modelPackageGroup}'`,
    );
    expect(runtime.commandCalls(InvokeEndpointCommand)[0]!.args[0].input.EndpointName).toBe(names.endpoint);
    ssm.restore();
    runtime.restore();
  });
});
