#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { CONFIG_CONTEXT_KEY, loadConfig, resolveConfigPath } from '../lib/config';
import { buildChurnApp } from '../lib/churn-app';
import { resolveSourceCommit } from '../lib/source-commit';

const app = new App();
const configPath = resolveConfigPath(app.node.tryGetContext(CONFIG_CONTEXT_KEY));
const config = loadConfig(configPath);
buildChurnApp(app, { config, sourceCommit: resolveSourceCommit() });
app.synth();
