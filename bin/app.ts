#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { CONFIG_CONTEXT_KEY, loadConfig, resolveConfigPath } from '../lib/config';
import { buildChurnApp } from '../lib/churn-app';
import { PROJECT_ROOT } from '../lib/constructs/secure-function';
import { assetSourcesOf, writeAssemblySboms } from '../lib/sbom/assembly-sboms';
import { resolveSourceCommit } from '../lib/source-commit';

async function main(): Promise<void> {
  const app = new App();
  const configPath = resolveConfigPath(app.node.tryGetContext(CONFIG_CONTEXT_KEY));
  const config = loadConfig(configPath);
  buildChurnApp(app, { config, sourceCommit: resolveSourceCommit() });
  const assembly = app.synth();
  // SEC-5: a CycloneDX bill of materials for every Lambda asset just staged, and for the package.
  const index = await writeAssemblySboms({
    outdir: assembly.directory,
    projectRoot: PROJECT_ROOT,
    assetSources: assetSourcesOf(app),
  });
  for (const m of index.missing)
    process.stderr.write(`SBOM missing for ${m.subject} (${m.functions.join(', ')}): ${m.reason}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
