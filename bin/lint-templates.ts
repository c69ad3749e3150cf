#!/usr/bin/env node
/**
 * Runs cfn-lint (AWS's CloudFormation linter) over every synthesized template of the cloud assembly, in one
 * process, and fails on any error and on any warning not accepted in `cfn-lint-accepted.json` (each with
 * its reason). Part of `npm run synth`.
 *
 *   tsx bin/lint-templates.ts [--assembly cdk.out] [--accepted cfn-lint-accepted.json]
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import {
  findRegions,
  findTemplates,
  judgeFindings,
  loadAccepted,
  parseCfnLintJson,
  formatJudgement,
} from '../src/cfn-lint/judge';

function main(argv: readonly string[]): number {
  const option = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
  };
  const assembly = option('assembly', 'cdk.out');
  const acceptedFile = option('accepted', 'cfn-lint-accepted.json');
  const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    process.stderr.write(
      'cfn-lint is not installed (or not on PATH): the synthesized templates cannot be checked.\n' +
        'Install it with: pip install cfn-lint\n',
    );
    return 1;
  }
  const templates = findTemplates(assembly);
  if (templates.length === 0) {
    process.stderr.write(`no templates under ${assembly}: run cdk synth first\n`);
    return 1;
  }
  const started = Date.now();
  // One process for every template: cfn-lint loads its schemas once, which dominates its run time.
  // Checked against the resource schemas of the regions the stacks deploy to (cfn-lint's default is us-east-1).
  const regions = findRegions(assembly);
  const regionArgs = regions.length > 0 ? ['--regions', ...regions] : [];
  const run = spawnSync('cfn-lint', ['--format', 'json', ...regionArgs, '--', ...templates], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (run.error || (run.status !== 0 && run.stdout.trim() === '')) {
    process.stderr.write(`cfn-lint failed to run: ${run.error?.message ?? run.stderr}\n`);
    return 1;
  }
  const judgement = judgeFindings(parseCfnLintJson(run.stdout), loadAccepted(path.resolve(acceptedFile)));
  process.stderr.write(
    `${formatJudgement(judgement, { templates: templates.length, seconds, version: version.stdout.trim() })}\n`,
  );
  return judgement.failing.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
