import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CfnTemplate, readCloudAssembly } from '../../../lib/compliance/assembly';
import { CONTROL_STATUSES, CONTROLS } from '../../../lib/compliance/catalogue';
import { SARIF_SCHEMA, toSarif } from '../../../lib/compliance/sarif';
import {
  buildReport,
  ComplianceReport,
  EnvironmentReport,
  ReportOptions,
} from '../../../lib/compliance/report';
import { generateComplianceReport, readRepositoryFacts, summarize } from '../../../lib/compliance/write';
import { ControlId } from '../../../lib/compliance/catalogue';
import { BREAK_CASES, breakable } from './break-cases';
import { controlModule } from '../../../lib/compliance/controls';
import { testCommand } from '../../../lib/compliance/trail';
import { stageName } from '../../../lib/config';
import { RULE_PACK_NAMES } from '../../../lib/nag/pack-names';
import { buildTestApp, exampleConfig } from '../../helpers/app';
import { loadFeatureSpec } from '../../../lib/stacks/api-stack';
import { SbomIndex } from '../../../lib/sbom/sbom-index';

const ROOT = path.join(__dirname, '..', '..', '..');
const featureSpecs = Object.fromEntries(
  exampleConfig().environments.map((e) => [stageName(e.name), loadFeatureSpec(e.serving.featureSpecFile)]),
);
const servingModes = Object.fromEntries(
  exampleConfig().environments.map((e) => [stageName(e.name), e.serving.mode]),
);

/**
 * One synthesis of the example configuration (bundling off) for the whole file. A rule-pack finding
 * makes synth throw only after the whole assembly (and validation-report.json) is written; the report
 * must still be produced then, showing the finding under AUD-2, so the assembly is used either way.
 */
function synthesize(): string {
  const saved = { validation: process.env.CDK_VALIDATION, context: process.env.CDK_CONTEXT_JSON };
  // CloudFormation's own schema check is not what these tests are about and costs seconds; construct
  // paths in template metadata (as `cdk synth` writes them) let evidence name constructs.
  process.env.CDK_VALIDATION = 'false';
  process.env.CDK_CONTEXT_JSON = JSON.stringify({ 'aws:cdk:enable-path-metadata': true });
  try {
    const { app } = buildTestApp();
    try {
      return app.synth().directory;
    } catch (error) {
      if (!/ValidationFailed|Validation failed/.test(String(error))) throw error;
      return app.outdir;
    }
  } finally {
    // Other test files may run later in this worker process.
    for (const [key, value] of [
      ['CDK_VALIDATION', saved.validation],
      ['CDK_CONTEXT_JSON', saved.context],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
const assemblyDir = synthesize();

/**
 * Without bundling there are no esbuild metafiles, so no real bills of materials: the index lists one per
 * Lambda asset of the assembly, as `npm run synth` writes it (test/lib/sbom proves the generation).
 */
function writeSbomIndexFor(directory: string): SbomIndex {
  const assembly = readCloudAssembly(directory);
  const functions = new Map<string, string[]>();
  for (const stack of [...assembly.environments.flatMap((e) => e.stacks), ...assembly.topLevelStacks]) {
    for (const r of Object.values(stack.template.Resources ?? {})) {
      // Without asset metadata (the CLI asks for it), the S3 key names the asset hash.
      const key = (r.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
      if (r.Type !== 'AWS::Lambda::Function' || typeof key !== 'string') continue;
      const subject = `asset.${key.replace(/\.zip$/, '')}`;
      functions.set(subject, [...(functions.get(subject) ?? []), String(r.Metadata?.['aws:cdk:path'])]);
    }
  }
  const index: SbomIndex = {
    specVersion: '1.6',
    generator: '@cyclonedx/cyclonedx-library@test',
    sboms: [
      ...[...functions].map(([subject, fns]) => ({
        file: `${subject}.cdx.json`,
        kind: 'lambda-asset' as const,
        subject,
        functions: fns,
        packages: 3,
        source: 'esbuild-metafile' as const,
      })),
      {
        file: 'package-secure-churn-deploy.cdx.json',
        kind: 'package',
        subject: 'secure-churn-deploy',
        functions: [],
        packages: 140,
        source: 'lockfile-production-closure',
      },
    ],
    missing: [],
  };
  fs.mkdirSync(path.join(directory, 'sbom'), { recursive: true });
  fs.writeFileSync(path.join(directory, 'sbom', 'index.json'), JSON.stringify(index));
  return index;
}
const sbomIndex = writeSbomIndexFor(assemblyDir);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'compliance-report-'));

function generate(assembly: string, out: string): ComplianceReport {
  return generateComplianceReport({
    assemblyDirectory: assembly,
    outputDirectory: out,
    servingModes,
    configuration: exampleConfig(),
    featureSpecs,
    rulePacks: RULE_PACK_NAMES,
    repositoryRoot: ROOT,
    now: new Date('2026-01-01T00:00:00Z'),
  }).report;
}

/** A copy of the assembly with one template changed, as if a control had been removed from a stack. */
function mutatedAssembly(
  name: string,
  stage: string,
  stack: string,
  mutate: (t: CfnTemplate) => void,
): string {
  const dir = path.join(work, name);
  fs.cpSync(assemblyDir, dir, { recursive: true });
  const stageDir = path.join(dir, `assembly-${stage}`);
  const file = fs
    .readdirSync(stageDir)
    .find((f) => f.startsWith(`${stage}${stack}`) && f.endsWith('.template.json'));
  if (!file) throw new Error(`no template of ${stage}/${stack}`);
  const template = JSON.parse(fs.readFileSync(path.join(stageDir, file), 'utf8')) as CfnTemplate;
  mutate(template);
  fs.writeFileSync(path.join(stageDir, file), JSON.stringify(template));
  return dir;
}

function removeResources(template: CfnTemplate, type: string): void {
  const resources = template.Resources as Record<string, { Type: string }>;
  const ids = Object.keys(resources).filter((id) => resources[id].Type === type);
  if (ids.length === 0) throw new Error(`template has no ${type}`);
  for (const id of ids) delete resources[id];
}

const control = (env: EnvironmentReport, id: string) => env.controls.find((c) => c.id === id)!;
const envNamed = (report: ComplianceReport, name: string) =>
  report.environments.find((e) => e.name === name)!;
const texts = (env: EnvironmentReport, id: string) => control(env, id).evidence.map((e) => e.text);

const outDir = path.join(work, 'report');
const report = generate(assemblyDir, outDir);

describe('compliance report of the example configuration (AUD-3)', () => {
  test('every environment lists every catalogue control once, with a status and evidence', () => {
    expect(report.environments.map((e) => e.name)).toEqual(['Dev', 'Test', 'Prod']);
    for (const env of report.environments) {
      expect(env.controls.map((c) => c.id).sort()).toEqual(CONTROLS.map((c) => c.id).sort());
      for (const c of env.controls) {
        expect(CONTROL_STATUSES).toContain(c.status);
        expect({ id: c.id, lines: c.evidence.length + c.problems.length > 0 }).toEqual({
          id: c.id,
          lines: true,
        });
        expect(c.summary.length).toBeGreaterThan(10);
        // A status other than failing never hides a problem.
        expect({ id: c.id, failing: c.problems.length > 0 }).toEqual({
          id: c.id,
          failing: c.status === 'failing',
        });
      }
    }
    expect(report.overview.map((o) => o.id).sort()).toEqual(CONTROLS.map((c) => c.id).sort());
  });

  test('the foundation controls are shown enforced with evidence read from the templates', () => {
    for (const env of report.environments) {
      for (const id of [
        'ENV-1',
        'ENV-3',
        'NET-1',
        'NET-2',
        'NET-3',
        'NET-4',
        'NET-6',
        'KEY-1',
        'KEY-3',
        'SEC-1',
        'SEC-3',
        'AUD-3',
        'AUD-4',
      ]) {
        expect({
          env: env.name,
          id,
          status: control(env, id).status,
          problems: control(env, id).problems,
        }).toEqual({
          env: env.name,
          id,
          status: 'enforced',
          problems: [],
        });
      }
    }
    const prod = envNamed(report, 'Prod');
    expect(control(prod, 'ENV-2').status).toBe('enforced');
    expect(texts(prod, 'NET-1')).toEqual(
      expect.arrayContaining([
        'VPC 10.30.0.0/16',
        'no internet gateway, NAT gateway, egress-only gateway or Elastic IP exists',
        expect.stringMatching(/^subnet 10\.30\.\d+\.\d+\/\d+ in eu-west-1a, no public IPs$/),
      ]),
    );
    expect(texts(prod, 'NET-4')).toEqual(
      expect.arrayContaining([
        'flow log records ALL traffic',
        expect.stringMatching(/^→ log group Prod\/Network\/.+ → key Prod\/Keys\/LogsKey\/Key\/Resource$/),
        expect.stringMatching(/^flow-log group retention \d+ days$/),
      ]),
    );
    // KEY-1: every bucket with the key that encrypts it (or its reviewed exception).
    const buckets = control(prod, 'KEY-1').evidence.filter((e) => e.text.startsWith('S3 Bucket'));
    expect(buckets.map((b) => b.text)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^S3 Bucket churn-prod-model-\S+ → alias\/churn\/prod\/model$/),
        expect.stringMatching(/^S3 Bucket churn-prod-data-\S+ → alias\/churn\/prod\/data$/),
        expect.stringMatching(/access-logs.*SSE-S3, reviewed exception/),
      ]),
    );
    expect(texts(prod, 'KEY-2').join('\n')).toMatch(
      /GrantsOnlyForAwsResources: kms:CreateGrant.* if .*kms:grantisforawsresource/,
    );
    expect(texts(prod, 'AUD-1')).toEqual(
      expect.arrayContaining([
        'log file validation on',
        'S3 data events recorded for the model bucket',
        'S3 data events recorded for the data bucket',
      ]),
    );
  });

  test('KEY-2 and AUD-1 are enforced under their sharper wording: no grant without GrantIsForAWSResource, locked trail logs', () => {
    for (const env of report.environments) {
      expect({
        env: env.name,
        key2: control(env, 'KEY-2').problems,
        aud1: control(env, 'AUD-1').problems,
      }).toEqual({
        env: env.name,
        key2: [],
        aud1: [],
      });
      const configured = exampleConfig().environments.find((e) => stageName(e.name) === env.name)!.audit;
      expect(texts(env, 'AUD-1')).toEqual(
        expect.arrayContaining([
          `trail bucket keeps log files immutable: Object Lock ${configured.trailObjectLockMode} for ${configured.trailRetentionDays} days`,
          `trail log files expire after ${configured.trailRetentionDays} days, once their ${configured.trailRetentionDays}-day lock has passed`,
          'expired log file versions are removed (noncurrent-version expiration)',
        ]),
      );
      expect(texts(env, 'KEY-2').join('\n')).not.toMatch(/kms:Create\*/);
    }
  });

  test('SEC-5 is enforced in every environment: the tooling repository, the workflows, an SBOM per Lambda asset', () => {
    for (const env of report.environments) {
      const sec5 = control(env, 'SEC-5');
      expect({ env: env.name, status: sec5.status, problems: sec5.problems }).toEqual({
        env: env.name,
        status: 'enforced',
        problems: [],
      });
      const lines = texts(env, 'SEC-5');
      expect(lines).toEqual(
        expect.arrayContaining([
          'repository ci installs through its upstream, which connects to public:npmjs',
          expect.stringMatching(/^domain churn-packages is encrypted with Tooling\/PackagesKey/),
          expect.stringMatching(/^package secure-churn-deploy: CycloneDX SBOM .*140 packages/),
        ]),
      );
      const assembled = readCloudAssembly(assemblyDir).environments.find((e) => e.name === env.name)!;
      const lambdas = assembled.stacks.flatMap((s) =>
        Object.values(s.template.Resources ?? {}).filter((r) => r.Type === 'AWS::Lambda::Function'),
      );
      expect(lines.filter((l) => l.startsWith('Lambda asset '))).toHaveLength(lambdas.length);
    }
    // The overview lists every bill of materials with its package count.
    const overview = fs.readFileSync(path.join(outDir, 'README.md'), 'utf8');
    expect(overview).toContain('## Bills of materials (SEC-5)');
    expect(overview).toContain(
      '| package-secure-churn-deploy.cdx.json | package | 140 | lockfile-production-closure |',
    );
    expect(report.sboms).toEqual(sbomIndex);
  });

  test('ENV-4 holds in every environment: nothing blocks a retry, and every gate reads a registry an earlier stack creates', () => {
    for (const env of report.environments) {
      expect({ env: env.name, problems: control(env, 'ENV-4').problems }).toEqual({
        env: env.name,
        problems: [],
      });
      expect(texts(env, 'ENV-4')).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^gate .* reads registry 'churn-\w+', created earlier by \w+\/Data:/),
        ]),
      );
    }
  });

  test('MODEL-6 is enforced where an endpoint serves (test, prod) and where the function scores embedded (dev)', () => {
    const model6 = (name: string) =>
      control(
        report.environments.find((e) => e.name === name)!,
        'MODEL-6',
      );
    for (const name of ['Test', 'Prod']) {
      expect([name, model6(name).status, model6(name).problems]).toEqual([name, 'enforced', []]);
      expect(model6(name).evidence.map((e) => e.text)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /AnswerCheck\/Check\/Default answers CloudFormation through the CDK Provider framework/,
          ),
        ]),
      );
    }
    expect([model6('Dev').status, model6('Dev').problems]).toEqual(['enforced', []]);
    expect(model6('Dev').evidence.map((e) => e.text)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /AnswerCheck\/Check\/Default invokes the version of .*Inference.* published in the same deployment/,
        ),
        expect.stringMatching(/names the served model version and digest/),
      ]),
    );
  });

  test('MODEL-7, MON-5, MON-6 (issue 16) are enforced in every environment of the example', () => {
    for (const env of report.environments) {
      for (const id of ['MODEL-7', 'MON-5', 'MON-6']) {
        expect({ env: env.name, id, status: control(env, id).status }).toEqual({
          env: env.name,
          id,
          status: 'enforced',
        });
      }
    }
  });

  test('REL-1 and REL-2 hold in every environment, whichever the serving mode', () => {
    const status = (name: string, id: string) =>
      control(
        report.environments.find((e) => e.name === name)!,
        id,
      ).status;
    for (const env of report.environments)
      expect([env.name, status(env.name, 'REL-1')]).toEqual([env.name, 'verified-at-runtime']);
    // The function writes the capture of record in both serving modes, and the drift check reads it.
    for (const env of report.environments)
      expect([env.name, status(env.name, 'REL-2')]).toEqual([env.name, 'verified-at-runtime']);
  });

  test('AUD-2 agrees with what the rule packs reported during this synth', () => {
    const reportFile = path.join(assemblyDir, 'validation-report.json');
    const packFindings = fs.existsSync(reportFile)
      ? (
          JSON.parse(fs.readFileSync(reportFile, 'utf8')) as {
            pluginReports: Array<{ pluginName: string; violations: unknown[] }>;
          }
        ).pluginReports
          .filter((p) => RULE_PACK_NAMES.includes(p.pluginName))
          .flatMap((p) => p.violations)
      : [];
    for (const env of report.environments) {
      const aud2 = control(env, 'AUD-2');
      expect(aud2.evidence.map((e) => e.text)).toContain(
        `packs run on every synth: ${RULE_PACK_NAMES.join(', ')}`,
      );
      if (packFindings.length === 0) expect(aud2.status).toBe('enforced');
    }
    if (packFindings.length > 0) {
      expect(report.environments.some((e) => control(e, 'AUD-2').status === 'failing')).toBe(true);
    }
  });

  test('MODEL-1 gives the exact root command for MFA Delete and needs-a-human lists it', () => {
    const prod = envNamed(report, 'Prod');
    const command =
      'aws s3api put-bucket-versioning --bucket churn-prod-model-333333333333-eu-west-1 --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa "arn:aws:iam::333333333333:mfa/root-account-mfa-device <code>"';
    expect(texts(prod, 'MODEL-1')).toContain(`MFA Delete (root user, once): ${command}`);
    expect(prod.needsHuman.find((h) => h.topic === 'MFA Delete on the model bucket')?.command).toBe(command);
    expect(prod.needsHuman.map((h) => h.topic)).toEqual(
      expect.arrayContaining([
        'Data protection impact assessment',
        'Account-level security services',
        'Macie administration',
        'Alert subscription',
        'Production approval',
      ]),
    );
  });

  test('dev serves embedded, so SageMaker-only controls are not applicable there, with the reason', () => {
    const dev = envNamed(report, 'Dev');
    for (const id of ['MODEL-4', 'MODEL-5']) {
      if (control(dev, id).status !== 'not-applicable') continue; // a SageMaker endpoint in dev is judged on its own
      expect(control(dev, id).summary).toMatch(/serving\.mode = embedded/);
    }
  });

  test('acknowledgments carry their reason, construct path and pack; counts per pack add up', () => {
    for (const env of report.environments) {
      expect(env.acknowledgments.length).toBeGreaterThan(0);
      for (const a of env.acknowledgments) {
        expect(a.reason.length).toBeGreaterThanOrEqual(60);
        expect(a.path.startsWith(`${env.name}/`)).toBe(true);
        expect([...RULE_PACK_NAMES, 'CloudFormation-Validate']).toContain(a.pack);
      }
      const total = env.packCounts.reduce((n, p) => n + p.acknowledged, 0);
      expect(total).toBe(env.acknowledgments.length);
      expect(env.packCounts.map((p) => p.pack)).toEqual(expect.arrayContaining([...RULE_PACK_NAMES]));
    }
  });

  test('the inventory lists keys, buckets, endpoints and what every role may do', () => {
    const inv = envNamed(report, 'Test').inventory;
    expect(inv.keys.map((k) => k.alias)).toEqual(
      expect.arrayContaining(['alias/churn/test/data', 'alias/churn/test/model', 'alias/churn/test/logs']),
    );
    expect(inv.keys.find((k) => k.alias === 'alias/churn/test/logs')!.encrypts.length).toBeGreaterThan(1);
    expect(inv.buckets.find((b) => b.name.startsWith('churn-test-model-'))!.objectLock).toBe(
      'on (GOVERNANCE, 30 days)',
    );
    expect(inv.endpoints.filter((e) => e.kind === 'VPC interface endpoint').length).toBeGreaterThanOrEqual(7);
    const deploy = inv.roles.find((r) => r.path.includes('/Cicd/'))!;
    expect(deploy.trustedBy.join()).toMatch(/token\.actions\.githubusercontent\.com:sub/);
    expect(deploy.permissions).toEqual([
      expect.objectContaining({
        actions: ['sts:AssumeRole'],
        resources: ['arn:aws:iam::222222222222:role/cdk-hnb659fds-*-role-222222222222-eu-west-1'],
      }),
    ]);
    // A project function's role: its managed policy's statements appear, not just its name.
    expect(inv.roles.some((r) => r.permissions.some((p) => p.actions.includes('logs:PutLogEvents')))).toBe(
      true,
    );
  });

  test('writes HTML, Markdown, JSON per environment and an overview, plus SARIF', () => {
    const files = fs.readdirSync(outDir).sort();
    expect(files).toEqual(
      [
        'README.md',
        'compliance.sarif',
        'framework-gdpr.html',
        'framework-gdpr.json',
        'framework-gdpr.md',
        'framework-iso-27001.html',
        'framework-iso-27001.json',
        'framework-iso-27001.md',
        'framework-nist-800-53.html',
        'framework-nist-800-53.json',
        'framework-nist-800-53.md',
        'dev.html',
        'dev.json',
        'dev.md',
        'dpia-dev.html',
        'dpia-dev.md',
        'dpia-prod.html',
        'dpia-prod.md',
        'dpia-test.html',
        'dpia-test.md',
        'index.html',
        'prod.html',
        'prod.json',
        'prod.md',
        'report.json',
        'test.html',
        'test.json',
        'test.md',
      ].sort(),
    );
    const html = fs.readFileSync(path.join(outDir, 'prod.html'), 'utf8');
    // Self-contained: nothing is fetched when a reviewer opens the file.
    expect(html).not.toMatch(/<script|<link|src=|url\(|@import|https?:\/\//);
    const markdown = fs.readFileSync(path.join(outDir, 'prod.md'), 'utf8');
    for (const c of CONTROLS) {
      expect(html).toContain(`id="${c.id}"`);
      expect(markdown).toContain(`### ${c.id} `);
    }
    const json = JSON.parse(fs.readFileSync(path.join(outDir, 'report.json'), 'utf8')) as ComplianceReport;
    expect(json.environments).toHaveLength(3);
  });
});

describe('the trail from a control to its proof (AUD-3)', () => {
  test('AUD-3: every built control names, per environment, what implements it (files that exist), its tests (with the command), its evidence check and the template resources it is about', () => {
    for (const env of report.environments) {
      for (const c of env.controls) {
        const t = c.trail;
        if (t.pendingIssue) {
          expect({ id: c.id, status: c.status }).toEqual({ id: c.id, status: 'failing' });
          continue;
        }
        expect({ id: c.id, implemented: t.implementedBy.length > 0, proven: t.provenBy.length > 0 }).toEqual({
          id: c.id,
          implemented: true,
          proven: true,
        });
        for (const file of [
          ...t.implementedBy.map((i) => i.file),
          ...t.provenBy.map((p) => p.file),
          t.evidenceCheck!.module,
          t.evidenceCheck!.test ?? `(no test file for ${c.id})`,
        ])
          expect({ id: c.id, file, exists: fs.existsSync(path.join(ROOT, file)) }).toEqual({
            id: c.id,
            file,
            exists: true,
          });
        for (const r of t.resources) {
          const template = JSON.parse(
            fs.readFileSync(path.join(assemblyDir, r.templatePath), 'utf8'),
          ) as CfnTemplate;
          expect(template.Resources?.[r.logicalId]?.Type).toBe(r.type);
        }
      }
    }
    const key2 = control(envNamed(report, 'Prod'), 'KEY-2').trail;
    expect(key2.implementedBy).toContainEqual({
      name: 'EncryptionKey',
      file: 'lib/constructs/encryption-key.ts',
    });
    expect(key2.resources.filter((r) => r.type === 'AWS::KMS::Key').length).toBeGreaterThanOrEqual(3);
    expect(key2.evidenceCheck).toEqual({
      module: 'lib/compliance/controls/key/key-2-key-policies.ts',
      test: 'test/lib/compliance/controls/key/key-2-key-policies.test.ts',
    });
  });

  test('AUD-3: the acknowledgments a control lists are exactly those of its rules, with their reasons', () => {
    let listed = 0;
    for (const env of report.environments) {
      for (const c of env.controls) {
        const expected = env.acknowledgments.filter((a) =>
          c.trail.rules.some((r) => a.ruleId === r || a.ruleId.startsWith(`${r}[`)),
        );
        expect({ id: c.id, acks: c.trail.acknowledgments }).toEqual({
          id: c.id,
          acks: expected.map((a) => ({ ruleId: a.ruleId, path: a.path, reason: a.reason })),
        });
        listed += expected.length;
      }
    }
    expect(listed).toBeGreaterThan(0);
  });

  test('AUD-3: the HTML page links each control by its anchor and shows its trail, the test command and its framework ids', () => {
    const html = fs.readFileSync(path.join(outDir, 'prod.html'), 'utf8');
    const section = /<section class="control [a-z-]+" id="KEY-2">(.*?)<\/section>/s.exec(html)?.[1] ?? '';
    expect(section).toContain('<a class="anchor" href="#KEY-2">KEY-2</a>');
    expect(section).toContain('lib/constructs/encryption-key.ts');
    const proof = controlModule('KEY-2').provenBy[0];
    expect(section).toContain(`<code class="cmd">${testCommand(proof).replace(/'/g, '&#39;')}</code>`);
    expect(section).toMatch(/<th>Resources \(\d+\)<\/th>/);
    expect(section).toContain(
      '<a href="framework-nist-800-53.html#SC-12" title="Cryptographic Key Establishment and Management">SC-12</a>',
    );
    expect(section).toContain('<a href="framework-gdpr.html#Art-32"');
    const markdown = fs.readFileSync(path.join(outDir, 'prod.md'), 'utf8');
    expect(markdown).toMatch(
      /### KEY-2 [^]*?\*\*Trail\*\*[^]*?- Implemented by: `EncryptionKey` \(lib\/constructs\/encryption-key\.ts\)/,
    );
  });
});

describe('framework views (AUD-5)', () => {
  test('AUD-5: one view per framework in HTML, Markdown and JSON, each row naming its project controls and their status per environment', () => {
    expect(report.frameworks.map((f) => f.id)).toEqual(['nist-800-53', 'iso-27001', 'gdpr']);
    const nist = report.frameworks[0];
    const sc7 = nist.rows.find((r) => r.id === 'SC-7')!;
    expect(sc7.controls).toEqual(
      expect.arrayContaining(['NET-1', 'NET-2', 'NET-3', 'NET-5', 'NET-6', 'MODEL-4']),
    );
    expect(Object.keys(sc7.byEnvironment)).toEqual(['Dev', 'Test', 'Prod']);
    const gdpr = report.frameworks[2];
    expect(gdpr.rows.map((r) => r.id)).toEqual([
      'Art. 5',
      'Art. 22',
      'Art. 25',
      'Art. 30',
      'Art. 32',
      'Art. 35',
    ]);
    const html = fs.readFileSync(path.join(outDir, 'framework-gdpr.html'), 'utf8');
    expect(html).toContain('id="Art-22"');
    expect(html).toContain('<a href="dev.html#DATA-5">DATA-5</a>');
    expect(html).toContain('not an official crosswalk');
    const json = JSON.parse(fs.readFileSync(path.join(outDir, 'framework-iso-27001.json'), 'utf8')) as {
      rows: Array<{ id: string; controls: string[] }>;
    };
    expect(json.rows.find((r) => r.id === 'A.8.24')!.controls).toEqual(
      expect.arrayContaining(['KEY-1', 'KEY-2', 'KEY-3', 'KEY-4']),
    );
    expect(fs.readFileSync(path.join(outDir, 'framework-nist-800-53.md'), 'utf8')).toMatch(
      /## SC-7\n\nBoundary Protection/,
    );
    const overview = fs.readFileSync(path.join(outDir, 'index.html'), 'utf8');
    expect(overview).toContain('<a href="framework-iso-27001.html">ISO/IEC 27001:2022 Annex A</a>');
  });

  test('AUD-5: a framework requirement is covered only while no project control mapped to it fails (AUD-1 failing uncovers AU-9)', () => {
    const au9 = report.frameworks[0].rows.find((r) => r.id === 'AU-9')!;
    expect(au9.controls).toEqual(['AUD-1']);
    expect(au9.covered).toBe(true);
    const broken = generate(
      mutatedAssembly('no-trail-validation', 'Prod', 'Audit', (t) => {
        for (const r of Object.values(t.Resources ?? {}))
          if (r.Type === 'AWS::CloudTrail::Trail')
            delete (r.Properties as Record<string, unknown>).EnableLogFileValidation;
      }),
      path.join(work, 'no-trail-validation-report'),
    );
    const row = broken.frameworks[0].rows.find((r) => r.id === 'AU-9')!;
    expect(row).toEqual(
      expect.objectContaining({
        covered: false,
        byEnvironment: expect.objectContaining({ Prod: 'failing', Test: au9.byEnvironment.Test }),
      }),
    );
  });
});

describe('DPIA draft (AUD-5)', () => {
  test('AUD-5: each environment has a draft written from its configuration, the feature specification and the templates, with the parts only people can complete marked', () => {
    for (const env of report.environments) {
      const configured = exampleConfig().environments.find((e) => stageName(e.name) === env.name)!;
      const spec = featureSpecs[env.name];
      const dpia = env.dpia!;
      expect(dpia.status).toBe('documented');
      expect(dpia.region).toBe(configured.region);
      expect(dpia.dataCategories.map((d) => d.field)).toEqual([
        'customerId',
        ...spec.fields.map((f) => f.name),
      ]);
      expect(dpia.dataCategories[0]).toEqual(
        expect.objectContaining({
          kind: 'direct identifier',
          treatment: expect.stringMatching(/^pseudonymised with a keyed HMAC/),
        }),
      );
      expect(dpia.retention).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            days: configured.dataBucket.captureRetentionDays,
            source: 'dataBucket.captureRetentionDays',
          }),
          expect.objectContaining({ days: configured.logRetentionDays, source: 'logRetentionDays' }),
          expect.objectContaining({
            days: configured.audit.trailRetentionDays,
            source: 'audit.trailRetentionDays',
          }),
        ]),
      );
      expect(dpia.recipients.map((r) => r.service)).toEqual(
        expect.arrayContaining([
          'Amazon API Gateway',
          'AWS Lambda',
          'Amazon S3',
          'AWS KMS',
          'Amazon CloudWatch Logs',
        ]),
      );
      expect(
        dpia.recipients.some((r) => r.service === 'Amazon SageMaker' && /^scores the features/.test(r.role)),
      ).toBe(configured.serving.mode === 'sagemaker');
      expect(dpia.transfers.assessment).toMatch(/inside the EEA/);
      // Safeguards: the controls mapped to GDPR, with this environment's status.
      for (const g of dpia.safeguards) expect(g.status).toBe(control(env, g.control).status);
      expect(dpia.safeguards.map((g) => g.control)).toEqual(
        expect.arrayContaining(['DATA-1', 'DATA-3', 'DATA-4', 'DATA-5', 'KEY-1']),
      );
      expect(dpia.needsAPerson.map((h) => h.title)).toEqual(
        expect.arrayContaining([
          'Lawful basis, necessity and proportionality',
          'Consultation',
          'Residual risk and sign-off',
        ]),
      );
      expect(control(env, 'AUD-5').status).toBe('documented');
    }
    const html = fs.readFileSync(path.join(outDir, 'dpia-prod.html'), 'utf8');
    expect(html).toContain('Data protection impact assessment — Prod (DRAFT)');
    expect(html.match(/<span class="chip documented">needs a person<\/span>/g)?.length).toBe(
      envNamed(report, 'Prod').dpia!.needsAPerson.length,
    );
    expect(html).toContain('<a href="prod.html#DATA-1">DATA-1</a>');
    expect(html).not.toMatch(/<script|<link|src=|url\(|@import|https?:\/\//);
    expect(fs.readFileSync(path.join(outDir, 'dpia-prod.md'), 'utf8')).toMatch(
      /### Residual risk and sign-off — NEEDS A PERSON/,
    );
    expect(fs.readFileSync(path.join(outDir, 'prod.html'), 'utf8')).toContain(
      '<a href="dpia-prod.html">DPIA draft</a>',
    );
  });

  test('AUD-5: without the configuration there is no draft, and AUD-5 says FAILING why', () => {
    const bare = buildReport(readCloudAssembly(assemblyDir), {
      servingModes,
      rulePacks: RULE_PACK_NAMES,
      featureSpecs,
    });
    for (const env of bare.environments) {
      expect(env.dpia).toBeUndefined();
      expect(control(env, 'AUD-5').status).toBe('failing');
    }
  });
});

describe('break one control: exactly that control turns FAILING (AUD-3)', () => {
  const options: ReportOptions = {
    servingModes,
    configuration: exampleConfig(),
    featureSpecs,
    rulePacks: RULE_PACK_NAMES,
    repository: readRepositoryFacts(ROOT),
    sboms: sbomIndex,
    now: new Date('2026-01-01T00:00:00Z'),
  };
  const assembly = readCloudAssembly(assemblyDir);
  const baseline = buildReport(assembly, options);
  const statuses = (r: ComplianceReport) =>
    Object.fromEntries(
      r.environments.map((e) => [e.name, Object.fromEntries(e.controls.map((c) => [c.id, c.status]))]),
    );
  const before = statuses(baseline);

  test.each(Object.keys(BREAK_CASES) as ControlId[])(
    'AUD-3: breaking %s in one environment turns exactly that control FAILING there',
    (id) => {
      const c = BREAK_CASES[id];
      if ('pending' in c) {
        // Once its issue builds the control, this test asks for a real case.
        expect({ id, pending: controlModule(id).pending?.issue }).toEqual({ id, pending: c.pending });
        return;
      }
      const env = c.environment ?? 'Prod';
      expect({ id, env, before: before[env][id] }).not.toEqual({ id, env, before: 'failing' });
      const { assembly: copy, target } = breakable(assembly, env, options);
      c.mutate(target);
      const broken = buildReport(copy, target.options);
      const after = statuses(broken);
      const newlyFailing = Object.entries(after).flatMap(([e, byId]) =>
        Object.entries(byId)
          .filter(([control, s]) => s === 'failing' && before[e][control] !== 'failing')
          .map(([control]) => `${e}/${control}`),
      );
      expect({ id, change: c.change, newlyFailing: newlyFailing.sort() }).toEqual({
        id,
        change: c.change,
        newlyFailing: (c.everyEnvironment ? Object.keys(before) : [env])
          .flatMap((e) => [id, ...Object.keys(c.alsoFails ?? {})].map((x) => `${e}/${x}`))
          .sort(),
      });
      expect(summarize(broken)).toMatch(new RegExp(`✗ ${id} +\\[[^\\]]*${env}`));
    },
  );
});

describe('a removed control turns its entry FAILING', () => {
  const noFlowLogs = generate(
    mutatedAssembly('no-flow-logs', 'Dev', 'Network', (t) => removeResources(t, 'AWS::EC2::FlowLog')),
    path.join(work, 'no-flow-logs-report'),
  );

  test('without flow logs NET-4 fails in that environment only, loudly', () => {
    const net4 = control(envNamed(noFlowLogs, 'Dev'), 'NET-4');
    expect(net4.status).toBe('failing');
    expect(net4.problems.map((p) => p.text)).toEqual(['VPC has no flow log']);
    expect(net4.problems[0].path).toMatch(/^Dev\/Network\/.*Vpc/);
    expect(control(envNamed(noFlowLogs, 'Test'), 'NET-4').status).toBe('enforced');
    expect(noFlowLogs.overview.find((o) => o.id === 'NET-4')!.status).toBe('failing');
    // Failing controls come first, on the page and in the summary printed after synth.
    expect(envNamed(noFlowLogs, 'Dev').controls[0].status).toBe('failing');
    expect(summarize(noFlowLogs)).toMatch(/✗ NET-4 +\[Dev\] VPC has no flow log/);
    const html = fs.readFileSync(path.join(work, 'no-flow-logs-report', 'dev.html'), 'utf8');
    expect(html).toMatch(
      /<div class="banner fail" role="alert">.*<strong>NET-4<\/strong>: VPC has no flow log/s,
    );
  });

  test('without log file validation AUD-1 fails; without the MFA deny statement MODEL-1 fails', () => {
    const aud = generate(
      mutatedAssembly('no-validation', 'Prod', 'Audit', (t) => {
        for (const r of Object.values(t.Resources ?? {})) {
          if (r.Type === 'AWS::CloudTrail::Trail')
            delete (r.Properties as Record<string, unknown>).EnableLogFileValidation;
        }
      }),
      path.join(work, 'no-validation-report'),
    );
    expect(control(envNamed(aud, 'Prod'), 'AUD-1').problems.map((p) => p.text)).toContain(
      'log file validation off',
    );
    expect(control(envNamed(aud, 'Test'), 'AUD-1').problems.map((p) => p.text)).not.toContain(
      'log file validation off',
    );

    const mfa = generate(
      mutatedAssembly('no-mfa-guard', 'Prod', 'Data', (t) => {
        for (const r of Object.values(t.Resources ?? {})) {
          if (r.Type !== 'AWS::S3::BucketPolicy') continue;
          const doc = (r.Properties as { PolicyDocument: { Statement: Array<{ Sid?: string }> } })
            .PolicyDocument;
          doc.Statement = doc.Statement.filter((s) => s.Sid !== 'DenyDestructiveChangesWithoutMfa');
        }
      }),
      path.join(work, 'no-mfa-report'),
    );
    expect(control(envNamed(mfa, 'Prod'), 'MODEL-1').problems.map((p) => p.text)).toEqual([
      'no policy statement denies version deletion and versioning changes without MFA',
    ]);
  });

  test('an unacknowledged rule-pack finding in validation-report.json turns AUD-2 FAILING where it is', () => {
    const dir = mutatedAssembly('pack-finding', 'Dev', 'Data', () => undefined);
    fs.writeFileSync(
      path.join(dir, 'validation-report.json'),
      JSON.stringify({
        version: '55.0.0',
        pluginReports: [
          {
            pluginName: 'AwsSolutions',
            conclusion: 'failure',
            violations: [
              {
                ruleName: 'AwsSolutions-IAM5[Resource::*]',
                severity: 'error',
                violatingConstructs: [{ constructPath: 'Dev/Data/Some/Policy/Resource' }],
              },
            ],
          },
        ],
      }),
    );
    const withFinding = generate(dir, path.join(work, 'pack-finding-report'));
    const dev = envNamed(withFinding, 'Dev');
    expect(control(dev, 'AUD-2').problems.map((p) => p.text)).toEqual([
      'unacknowledged error AwsSolutions-IAM5[Resource::*] on Dev/Data/Some/Policy/Resource',
    ]);
    expect(dev.packCounts.find((p) => p.pack === 'AwsSolutions')!.unacknowledged).toBe(1);
    expect(control(envNamed(withFinding, 'Prod'), 'AUD-2').status).not.toBe('failing');
  });

  test('an unpinned action, a missing gate step or a long-lived key in a workflow fails AUD-4 / SEC-3', () => {
    const weak = buildReport(readCloudAssembly(assemblyDir), {
      servingModes,
      rulePacks: RULE_PACK_NAMES,
      repository: {
        workflows: [
          {
            file: '.github/workflows/ci.yml',
            text: 'on: push\njobs:\n  b:\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci\n',
          },
          {
            file: '.github/workflows/deploy.yml',
            text: 'permissions:\n  contents: read\njobs:\n  p:\n    steps:\n      - with:\n          aws-access-key-id: x\n',
          },
        ],
      },
    });
    const prod = envNamed(weak, 'Prod');
    expect(control(prod, 'AUD-4').problems.map((p) => p.text)).toEqual(
      expect.arrayContaining([
        'CI does not run dependency audit (high)',
        'CI does not run synth with rule packs and report',
        '.github/workflows/ci.yml: actions/checkout@v4 is not pinned to a full commit SHA',
        '.github/workflows/ci.yml: no top-level permissions (defaults are broad)',
        'the deployment workflow does not run the CI gate',
      ]),
    );
    expect(control(prod, 'SEC-3').problems.map((p) => p.text)).toEqual([
      '.github/workflows/deploy.yml passes long-lived AWS keys',
    ]);
  });

  test('the CLI exits 0 with a loud summary, and 1 under COMPLIANCE_STRICT=1', () => {
    const assembly = path.join(work, 'no-flow-logs');
    const run = (strict: string) =>
      spawnSync(
        process.execPath,
        [
          path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          path.join(ROOT, 'bin', 'compliance-report.ts'),
          '--assembly',
          assembly,
          '--out',
          path.join(work, `cli-${strict}`),
        ],
        {
          cwd: ROOT,
          env: { ...process.env, COMPLIANCE_STRICT: strict },
          encoding: 'utf8',
        },
      );
    const relaxed = run('0');
    expect(relaxed.status).toBe(0);
    expect(relaxed.stderr).toMatch(
      new RegExp(`COMPLIANCE REPORT: ${CONTROLS.length} controls x 3 environments`),
    );
    expect(relaxed.stderr).toMatch(/✗ NET-4 +\[Dev\] VPC has no flow log/);
    const strict = run('1');
    expect(strict.status).toBe(1);
    expect(strict.stderr).toMatch(/COMPLIANCE_STRICT=1: failing because \d+ control\(s\) are failing/);
    expect(() =>
      execFileSync(
        process.execPath,
        [
          path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          path.join(ROOT, 'bin', 'compliance-report.ts'),
          '--bogus',
        ],
        { cwd: ROOT, stdio: 'pipe' },
      ),
    ).toThrow(/unexpected argument '--bogus'/);
  });
});

// Chromium stays out of the default toolchain: the test runs where Debian's chromium is installed.
const chromiumTest = fs.existsSync('/usr/bin/chromium') ? test : test.skip;

describe('rendering in headless Chromium', () => {
  chromiumTest(
    'AUD-5: the overview, an environment page with its control trails, a framework view and a DPIA draft render without console errors and a screenshot is written',
    () => {
      for (const page of ['index.html', 'prod.html', 'framework-gdpr.html', 'dpia-prod.html']) {
        const png = path.join(work, `${page}.png`);
        const run = spawnSync(
          path.join(ROOT, 'scripts', 'screenshot-report.sh'),
          [path.join(outDir, page), png],
          {
            cwd: ROOT,
            encoding: 'utf8',
          },
        );
        expect({ page, status: run.status, stderr: run.stderr }).toEqual({ page, status: 0, stderr: '' });
        const bytes = fs.readFileSync(png);
        expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
        expect(bytes.length).toBeGreaterThan(20_000);
      }
    },
  );
});

describe('SARIF 2.1.0', () => {
  const sarif = JSON.parse(fs.readFileSync(path.join(outDir, 'compliance.sarif'), 'utf8')) as ReturnType<
    typeof toSarif
  >;

  test('has the schema, version, one run with a driver and unique rules', () => {
    expect(sarif.$schema).toBe(SARIF_SCHEMA);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    const { driver } = sarif.runs[0].tool;
    expect(driver.name).toBe('churn-compliance-report');
    const ids = driver.rules.map((r) => r.id as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(CONTROLS.map((c) => c.id)));
    for (const r of driver.rules)
      expect(r).toEqual(expect.objectContaining({ shortDescription: { text: expect.any(String) } }));
  });

  test('AUD-5: every control rule carries its mapped framework ids as tags, and every control result names them', () => {
    const { rules } = sarif.runs[0].tool.driver;
    const key1 = rules.find((r) => r.id === 'KEY-1')!;
    expect(key1.properties).toEqual({
      tags: [
        'nist-800-53:SC-28',
        'nist-800-53:SC-12',
        'nist-800-53:SC-13',
        'iso-27001:A.8.24',
        'gdpr:Art. 32',
      ],
      'nist-800-53': ['SC-28', 'SC-12', 'SC-13'],
      'iso-27001': ['A.8.24'],
      gdpr: ['Art. 32'],
    });
    for (const c of CONTROLS) {
      const rule = rules.find((r) => r.id === c.id)!;
      expect((rule.properties as { tags: string[] }).tags.some((t) => t.startsWith('nist-800-53:'))).toBe(
        true,
      );
    }
    const results = sarif.runs[0].results.filter((r) => CONTROLS.some((c) => c.id === r.ruleId));
    for (const r of results)
      expect((r.properties as { frameworks: string[] }).frameworks.length).toBeGreaterThan(1);
  });

  test('every result names a known rule, a valid level, a message and template locations that exist', () => {
    const { results, tool, originalUriBaseIds } = sarif.runs[0];
    expect(originalUriBaseIds!.CDKOUT.uri).toBe(`${pathToFileURL(assemblyDir).href}/`);
    expect(results.length).toBeGreaterThanOrEqual(CONTROLS.length * 3);
    for (const result of results) {
      const r = result as {
        ruleId: string;
        ruleIndex: number;
        level: string;
        kind: string;
        message: { text: string };
        locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string } } }>;
      };
      expect(tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
      expect(['error', 'warning', 'note', 'none']).toContain(r.level);
      expect(['fail', 'pass', 'review', 'notApplicable', 'open', 'informational']).toContain(r.kind);
      expect(r.message.text.length).toBeGreaterThan(0);
      expect(r.locations.length).toBeGreaterThan(0);
      for (const l of r.locations) {
        expect(l.physicalLocation.artifactLocation.uriBaseId).toBe('CDKOUT');
        expect(fs.existsSync(path.join(assemblyDir, l.physicalLocation.artifactLocation.uri))).toBe(true);
      }
    }
    const failing = results.filter((r) => (r as { level: string }).level === 'error');
    expect(failing.length).toBe(report.environments.reduce((n, e) => n + e.counts.failing, 0));
    const suppressed = results.filter((r) => 'suppressions' in r);
    expect(suppressed.length).toBe(report.environments.reduce((n, e) => n + e.acknowledgments.length, 0));
  });
});
