#!/usr/bin/env node
/**
 * Writes the compliance report (AUD-3) from a synthesized cloud assembly. Runs after `cdk synth` in
 * `npm run synth`; exits non-zero only when COMPLIANCE_STRICT=1 and a control is failing.
 *
 *   tsx bin/compliance-report.ts [--assembly cdk.out] [--out <dir>] [--config <file>]
 */
import * as path from 'node:path';
import { loadConfig, resolveConfigPath, stageName } from '../lib/config';
import { RULE_PACK_NAMES } from '../lib/nag/pack-names';
import { generateComplianceReport, summarize } from '../lib/compliance/write';
import { loadFeatureSpec } from '../lib/stacks/api-stack';

const USAGE = `usage: compliance-report [--assembly <cdk.out>] [--out <directory>] [--config <file>]

Reads the synthesized templates in <cdk.out> and writes the compliance report to
<cdk.out>/compliance (HTML, Markdown, JSON, SARIF). Set COMPLIANCE_STRICT=1 to exit 1
when any control is failing.`;

function parseArgs(argv: readonly string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const name = /^--(assembly|out|config)$/.exec(flag)?.[1];
    const value = argv[i + 1];
    if (!name || value === undefined || value.startsWith('--')) {
      throw new Error(`unexpected argument '${flag}'\n${USAGE}`);
    }
    args[name] = value;
    i++;
  }
  return args;
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  // Kept as given (relative to the working directory) so the report names it the way the reader ran it.
  const assemblyDirectory = args.assembly ?? 'cdk.out';
  // The configuration says which environments serve from SageMaker; without it, a missing endpoint
  // counts as failing everywhere rather than as not applicable.
  const config = loadConfig(resolveConfigPath(args.config));
  const servingModes = Object.fromEntries(
    config.environments.map((e) => [stageName(e.name), e.serving.mode] as const),
  );
  const { report, files } = generateComplianceReport({
    assemblyDirectory,
    outputDirectory: args.out ? path.resolve(args.out) : undefined,
    servingModes,
    configuration: config,
    // The specification each environment serves: its DPIA draft lists the personal data it carries.
    featureSpecs: Object.fromEntries(
      config.environments.map(
        (e) => [stageName(e.name), loadFeatureSpec(e.serving.featureSpecFile)] as const,
      ),
    ),
    rulePacks: RULE_PACK_NAMES,
  });
  process.stderr.write(`${summarize(report)}\n`);
  process.stderr.write(`report: ${path.relative(process.cwd(), files[0])} (+${files.length - 1} files)\n`);
  const failing = report.counts.failing;
  if (failing > 0 && process.env.COMPLIANCE_STRICT === '1') {
    process.stderr.write(`COMPLIANCE_STRICT=1: failing because ${failing} control(s) are failing\n`);
    return 1;
  }
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  process.stderr.write(`compliance-report: ${(error as Error).message}\n`);
  process.exitCode = 2;
}
