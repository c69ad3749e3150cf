import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
import { parseFeatureSpec } from '../../../src/features';
import { ASSESSMENT_METADATA_KEYS, assessRobustness, parseAssessment } from '../../../src/robustness';
import { loadModel } from '../../../src/scorer';
import { xgboostModel } from '../robustness/synthetic-model';
import {
  ARTIFACT_SHA256,
  acceptedPut,
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

/** A real assessment (of a one-split model) recorded as being of ARTIFACT_BYTES, as assess would write it. */
function assessmentOf(artifactSha256: string): string {
  const model = loadModel(
    xgboostModel(['x'], [{ feature: 0, threshold: 5, left: { leaf: -1 }, right: { leaf: 1 } }]),
  );
  const spec = parseFeatureSpec({
    specVersion: 1,
    name: 'one',
    fields: [{ name: 'x', type: 'numeric', required: true, minimum: 0, maximum: 10 }],
  });
  return JSON.stringify(
    assessRobustness({
      model,
      spec,
      records: Array.from({ length: 40 }, (_, i) => ({ x: i / 4 })),
      artifactSha256,
      sources: {
        artifact: 'a',
        spec: 's',
        specSha256: 'c'.repeat(64),
        rows: 'r',
        rowsSha256: 'd'.repeat(64),
      },
      settings: { threshold: 0.7 },
    }),
  );
}
const FILES: Record<string, string> = {
  'metrics.json': METRICS,
  'assessment.json': assessmentOf(ARTIFACT_SHA256),
  'other-assessment.json': assessmentOf('e'.repeat(64)),
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  regions: (string | undefined)[];
  written: Map<string, string>;
}

async function run(argv: string[], overrides: Partial<CliDeps> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const regions: (string | undefined)[] = [];
  const written = new Map<string, string>();
  const deps: CliDeps = {
    clients: (region) => {
      regions.push(region);
      return { sagemaker: new SageMakerClient({}), s3: new S3Client({}) };
    },
    readTextFile: async (path) => {
      if (FILES[path] !== undefined) return FILES[path];
      throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    },
    writeTextFile: async (path, text) => {
      written.set(path, text);
    },
    envRegion: 'eu-west-1',
    ...overrides,
  };
  const code = await runModelCli(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) }, deps);
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), regions, written };
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
  s3.on(PutObjectCommand).callsFake(acceptedPut);
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

  it.each(['publish', 'approve', 'reject', 'list', 'assess'])(
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

  it('MODEL-6 records the golden set from --baseline or --golden-rows, and refuses both at once or a missing file', async () => {
    const baseline = readFileSync(join(__dirname, '../../../models/sample-churn/baseline.json'), 'utf8');
    const header = JSON.parse(
      readFileSync(join(__dirname, '../../../models/sample-churn/model.json'), 'utf8'),
    ).learner.feature_names as string[];
    const files: Record<string, string> = {
      'metrics.json': METRICS,
      'baseline.json': baseline,
      'golden.csv': `${header.join(',')}\n${header.map((_, i) => (i === 4 ? '12' : '')).join(',')}\n`,
      'broken.json': '{"format": "something else"}',
    };
    const readTextFile = async (path: string) => {
      if (path in files) return files[path];
      throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    };
    const fromBaseline = await run([...publishArgs, '--baseline', 'baseline.json'], { readTextFile });
    expect(fromBaseline.stdout).toContain('  golden    200 rows from baseline baseline.json');
    expect(fromBaseline.stdout).toMatch(
      / {2}provenance s3:\/\/\S+\.provenance\.json \(sha256 [0-9a-f]{64}\)/,
    );
    const fromCsv = await run([...publishArgs, '--golden-rows', 'golden.csv'], { readTextFile });
    expect(fromCsv.stdout).toContain('  golden    1 rows from --golden-rows golden.csv');
    const both = await run([...publishArgs, '--golden-rows', 'golden.csv', '--baseline', 'baseline.json'], {
      readTextFile,
    });
    expect(both).toMatchObject({
      code: 2,
      stderr: 'error: publish takes --golden-rows or --baseline, not both',
    });
    const missing = await run([...publishArgs, '--golden-rows', 'nope.csv'], { readTextFile });
    expect(missing).toMatchObject({ code: 2, stderr: "error: --golden-rows file 'nope.csv' does not exist" });
    const broken = await run([...publishArgs, '--baseline', 'broken.json'], { readTextFile });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^error: --baseline file 'broken\.json' is not a drift baseline: /);
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
      /^VERSION\s+STATUS\s+CREATED\s+SHA256\s+AUC\s+PRECISION\s+RECALL\s+F1\s+COMMIT\s+DATA\s+ROBUSTNESS$/,
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^3\\s+Approved\\s+2026-11-03 09:30\\s+${ARTIFACT_SHA256.slice(0, 12)}\\s+0\\.9100\\s+0\\.8000\\s+0\\.7000\\s+0\\.7467`,
      ),
    );
    expect(lines[1]).toMatch(/\s+assessed$/);
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
      robustness: { artifactSha256: ARTIFACT_SHA256, decisionThreshold: 0.7 },
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

describe('MODEL-7: assess, and recording the assessment with publish and approve', () => {
  const sample = (file: string) => `models/sample-churn/${file}`;

  it('assesses the sample model as the README shows, printing each figure and writing the assessment', async () => {
    const result = await run([
      'assess',
      '--artifact',
      sample('model.json'),
      '--spec',
      sample('feature-spec.json'),
      '--rows',
      sample('holdout.csv'),
      '--out',
      'assessment.json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Robustness assessment of models\/sample-churn\/model.json \(SHA-256 dc41db4ca09f\.\.\.\), 1451 rows/,
    );
    expect(result.stdout).toMatch(/\ntenure\s+2\s+1451\s+\d+\s+0\.\d{4}/);
    expect(result.stdout).toContain('Monotonicity: no field of the specification declares a direction');
    expect(result.stdout).toMatch(
      /Bounds and missing values: \d+ probes on 200 rows, 0 invalid outputs, 0 out-of-specification inputs accepted/,
    );
    expect(result.stdout).toMatch(/Extraction \(coarse\): a surrogate (did not )?reach/);
    const written = parseAssessment(result.written.get('assessment.json')!, 'assessment.json');
    expect(written.summary).toMatchObject({
      artifactSha256: 'dc41db4ca09f50a8d7fae34e366b7c6e9f379ddedcbb98e61205b6287ff7b2fc',
      decisionThreshold: 0.7,
      rows: 1451,
      invalidOutputs: 0,
      validationGaps: 0,
    });
  }, 120_000);

  it.each<[string, string[], RegExp]>([
    ['no --rows', [], /assess needs --rows/],
    [
      'a threshold of 1',
      ['--rows', 'r.csv', '--threshold', '1'],
      /--threshold must be a probability between 0 and 1, got '1'/,
    ],
    ['a missing rows file', ['--rows', 'missing.csv'], /rows file 'missing.csv' does not exist/],
    ['rows that are not CSV or JSON Lines', ['--rows', 'rows.txt'], /must end in .csv or .jsonl/],
  ])('exits 2 for %s, naming the problem', async (_case, extra, message) => {
    const result = await run([
      'assess',
      '--artifact',
      sample('model.json'),
      '--spec',
      sample('feature-spec.json'),
      ...extra,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('publish --assessment records the figures in the version metadata', async () => {
    const result = await run([...publishArgs, '--assessment', 'assessment.json']);
    expect(result.code).toBe(0);
    const metadata =
      sagemaker.commandCalls(CreateModelPackageCommand)[0].args[0].input.CustomerMetadataProperties!;
    expect(metadata[ASSESSMENT_METADATA_KEYS.artifactSha256]).toBe(ARTIFACT_SHA256);
    expect(metadata[ASSESSMENT_METADATA_KEYS.decisionThreshold]).toBe('0.7');
    expect(metadata['artifact-sha256']).toBe(ARTIFACT_SHA256);
  });

  it('publish refuses an assessment of other bytes before uploading anything (exit 6)', async () => {
    const result = await run([...publishArgs, '--assessment', 'other-assessment.json']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`the assessment is of an artifact with SHA-256 ${'e'.repeat(64)}`);
    expect(s3.calls()).toHaveLength(0);
    expect(sagemaker.commandCalls(CreateModelPackageCommand)).toHaveLength(0);
  });

  it('approve --assessment records it with the decision; one of another artifact is refused', async () => {
    const args = ['approve', '--group', GROUP, '--version', '3', '--reason', 'reviewed'];
    const result = await run([...args, '--assessment', 'assessment.json']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('robustness assessment recorded');
    const input = sagemaker.commandCalls(UpdateModelPackageCommand)[0].args[0].input;
    expect(input).toMatchObject({ ModelApprovalStatus: 'Approved', ApprovalDescription: 'reviewed' });
    expect(input.CustomerMetadataProperties?.[ASSESSMENT_METADATA_KEYS.artifactSha256]).toBe(ARTIFACT_SHA256);

    const refused = await run([...args, '--assessment', 'other-assessment.json']);
    expect(refused.code).toBe(6);
    expect(sagemaker.commandCalls(UpdateModelPackageCommand)).toHaveLength(1);
  });

  it('refuses an assessment file that is not one', async () => {
    const result = await run([...publishArgs, '--assessment', 'metrics.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--assessment file 'metrics.json' is not a robustness assessment");
  });
});
