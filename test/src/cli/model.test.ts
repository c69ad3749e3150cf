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
import { runModelCli, type CliDeps } from '../../../src/cli/model';
import {
  ARTIFACT_SHA256,
  ARTIFACT_SHA256_BASE64,
  BUCKET,
  COMMIT,
  describedPackage,
  GROUP,
  GROUP_ARN,
  IMAGE,
  packageArn,
  removeArtifacts,
  s3Error,
  sageMakerError,
  writeArtifact,
} from '../registry/aws-fakes';

const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const artifact = writeArtifact();
const METRICS = JSON.stringify({ auc: 0.91, precision: 0.8, recall: 0.7, f1: 0.7467 });

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  regions: (string | undefined)[];
}

async function run(argv: string[], overrides: Partial<CliDeps> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const regions: (string | undefined)[] = [];
  const deps: CliDeps = {
    clients: (region) => {
      regions.push(region);
      return { sagemaker: new SageMakerClient({}), s3: new S3Client({}) };
    },
    readTextFile: async (path) => {
      if (path === 'metrics.json') return METRICS;
      throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    },
    envRegion: 'eu-west-1',
    ...overrides,
  };
  const code = await runModelCli(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) }, deps);
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), regions };
}

const publishArgs = [
  'publish',
  '--group',
  GROUP,
  '--bucket',
  BUCKET,
  '--artifact',
  artifact,
  '--commit',
  COMMIT,
  '--data-version',
  '2026-10-31',
  '--metrics',
  'metrics.json',
];

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
  sagemaker
    .on(DescribeModelPackageCommand)
    .resolves(describedPackage(3, { ModelApprovalStatus: 'PendingManualApproval' }));
  sagemaker.on(UpdateModelPackageCommand).resolves({ ModelPackageArn: packageArn(3) });
});

describe('help and usage', () => {
  it('prints the commands and exit codes for --help and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/publish[\s\S]*approve[\s\S]*reject[\s\S]*list/);
    expect(result.stdout).toContain('6  digest mismatch');
  });

  it.each(['publish', 'approve', 'reject', 'list'])(
    'prints help for %s without calling AWS',
    async (command) => {
      const result = await run([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`npm run model -- ${command}`);
      expect(sagemaker.calls()).toHaveLength(0);
    },
  );

  it('exits 2 with usage for no command, an unknown command or an unknown option', async () => {
    expect((await run([])).code).toBe(2);
    const unknown = await run(['promote']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'promote'");
    const badOption = await run(['list', '--group', GROUP, '--colour']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--colour'");
  });

  it('names the missing option', async () => {
    const result = await run(
      publishArgs.filter((arg, i, all) => arg !== '--commit' && all[i - 1] !== '--commit'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("error: publish needs --commit (see 'npm run model -- publish --help')");
  });
});

describe('publish', () => {
  it('publishes with the region default XGBoost image and prints the next step', async () => {
    const result = await run(publishArgs);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Published version 3 of '${GROUP}' (PendingManualApproval)`);
    expect(result.stdout).toContain(`sha256    ${ARTIFACT_SHA256}`);
    expect(result.stdout).toContain(`approve --group ${GROUP} --version 3 --reason`);
    const input = sagemaker.commandCalls(CreateModelPackageCommand)[0].args[0].input;
    expect(input.InferenceSpecification?.Containers?.[0].Image).toBe(IMAGE);
  });

  it('passes --region to the clients and prints JSON with --json', async () => {
    const result = await run([...publishArgs, '--region', 'us-east-1', '--json']);
    expect(result.code).toBe(0);
    expect(result.regions).toEqual(['us-east-1']);
    expect(JSON.parse(result.stdout)).toMatchObject({
      version: 3,
      sha256: ARTIFACT_SHA256,
      status: 'PendingManualApproval',
    });
    expect(
      sagemaker.commandCalls(CreateModelPackageCommand)[0].args[0].input.InferenceSpecification
        ?.Containers?.[0].Image,
    ).toBe('683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1');
  });

  it('asks for --image when the region has no known XGBoost image', async () => {
    const result = await run([...publishArgs, '--region', 'xx-moon-1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no built-in SageMaker XGBoost image is known for region 'xx-moon-1'");
  });

  it('exits 2 when the metrics file is missing', async () => {
    const result = await run(publishArgs.map((arg) => (arg === 'metrics.json' ? 'nope.json' : arg)));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--metrics file 'nope.json' does not exist");
  });

  it('exits 5 when the artifact is missing', async () => {
    const result = await run(publishArgs.map((arg) => (arg === artifact ? '/missing/model.tar.gz' : arg)));
    expect(result.code).toBe(5);
    expect(result.stderr).toBe("error: artifact file '/missing/model.tar.gz' does not exist");
  });

  it('exits 6 on a digest mismatch and 7 on access denied', async () => {
    s3.on(PutObjectCommand).resolves({ ChecksumSHA256: 'ZZZZ', VersionId: 'ver-1' });
    expect((await run(publishArgs)).code).toBe(6);
    s3.on(PutObjectCommand).rejects(s3Error('AccessDenied', 'Access Denied', 403));
    const denied = await run(publishArgs);
    expect(denied.code).toBe(7);
    expect(denied.stderr).toMatch(/^error: access denied while uploading/);
  });
});

describe('approve and reject', () => {
  it('approves with a reason and shows the status change', async () => {
    const result = await run([
      'approve',
      '--group',
      GROUP,
      '--version',
      '3',
      '--reason',
      'AUC 0.91, reviewed',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Version 3 of '${GROUP}': PendingManualApproval -> Approved`);
    expect(sagemaker.commandCalls(UpdateModelPackageCommand)[0].args[0].input).toEqual({
      ModelPackageArn: packageArn(3),
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: 'AUC 0.91, reviewed',
    });
  });

  it('refuses to reject without a reason', async () => {
    const result = await run(['reject', '--group', GROUP, '--version', '3']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('reject needs --reason');
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('exits 4 for a missing version and 3 for a missing group', async () => {
    sagemaker
      .on(DescribeModelPackageCommand)
      .rejects(sageMakerError('ValidationException', 'ModelPackage x does not exist.'));
    expect((await run(['reject', '--group', GROUP, '--version', '8', '--reason', 'no'])).code).toBe(4);
    sagemaker.on(DescribeModelPackageGroupCommand).rejects(sageMakerError('ResourceNotFound', 'no group'));
    expect((await run(['approve', '--group', GROUP, '--version', '8', '--reason', 'ok'])).code).toBe(3);
  });
});

describe('list', () => {
  beforeEach(() => {
    sagemaker.on(ListModelPackagesCommand).resolves({
      ModelPackageSummaryList: [3, 2].map((v) => ({
        ModelPackageArn: packageArn(v),
        ModelPackageVersion: v,
        ModelPackageGroupName: GROUP,
        ModelApprovalStatus: 'Approved' as const,
        ModelPackageStatus: 'Completed' as const,
        CreationTime: new Date(),
      })),
    });
    sagemaker
      .on(DescribeModelPackageCommand, { ModelPackageName: packageArn(3) })
      .resolves(describedPackage(3));
    sagemaker
      .on(DescribeModelPackageCommand, { ModelPackageName: packageArn(2) })
      .resolves(describedPackage(2, { ModelApprovalStatus: 'Rejected' }, { 'metric-auc': '0.85' }));
  });

  it('prints a table with status, short digest and metrics, newest first', async () => {
    const result = await run(['list', '--group', GROUP]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^VERSION\s+STATUS\s+CREATED\s+SHA256\s+AUC\s+PRECISION\s+RECALL\s+F1\s+COMMIT\s+DATA$/,
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^3\\s+Approved\\s+2026-11-03 09:30\\s+${ARTIFACT_SHA256.slice(0, 12)}\\s+0\\.9100\\s+0\\.8000\\s+0\\.7000\\s+0\\.7467`,
      ),
    );
    expect(lines[2]).toMatch(/^2\s+Rejected\s+.*0\.8500/);
  });

  it('prints JSON with --json and filters by --status', async () => {
    const result = await run(['list', '--group', GROUP, '--json', '--status', 'Approved']);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.versions.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    expect(parsed.versions[0]).toMatchObject({
      artifactSha256: ARTIFACT_SHA256,
      metrics: { auc: 0.91 },
      sourceCommit: COMMIT,
    });
    expect(sagemaker.commandCalls(ListModelPackagesCommand)[0].args[0].input.ModelApprovalStatus).toBe(
      'Approved',
    );
  });

  it('rejects an unknown --status', async () => {
    const result = await run(['list', '--group', GROUP, '--status', 'Pending']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--status must be one of Approved, Rejected, PendingManualApproval');
  });

  it('exits 1 with the AWS message for unexpected failures', async () => {
    sagemaker.on(ListModelPackagesCommand).rejects(sageMakerError('ThrottlingException', 'Rate exceeded'));
    const result = await run(['list', '--group', GROUP]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ThrottlingException: Rate exceeded');
  });
});
