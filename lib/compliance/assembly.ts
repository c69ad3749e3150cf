import * as fs from 'node:fs';
import * as path from 'node:path';

/** A CloudFormation resource as it appears in a synthesized template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly DependsOn?: string | string[];
}

export interface CfnTemplate {
  readonly Description?: string;
  readonly Resources?: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  readonly Parameters?: Record<string, { Type: string; Default?: string }>;
}

/** One stack of the cloud assembly with its parsed template. */
export interface StackArtifact {
  /** The artifact id in the manifest, e.g. `DevNetwork50E7350E`. */
  readonly artifactId: string;
  /** The construct path, e.g. `Dev/Network`. */
  readonly displayName: string;
  /** The CloudFormation stack name, e.g. `Dev-Network`. */
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly terminationProtection: boolean;
  /** Path of the template relative to the assembly root, for SARIF locations. */
  readonly templatePath: string;
  readonly template: CfnTemplate;
}

/** The stacks of one stage (one environment, one account). */
export interface EnvironmentAssembly {
  /** The stage name, e.g. `Dev`. */
  readonly name: string;
  readonly stacks: readonly StackArtifact[];
}

export interface ValidationViolation {
  readonly ruleName: string;
  readonly description?: string;
  readonly severity?: string;
  readonly violatingResources?: ReadonlyArray<{
    readonly resourceLogicalId?: string;
    readonly templatePath?: string;
    readonly constructPath?: string;
    readonly locations?: readonly string[];
  }>;
  readonly violatingConstructs?: ReadonlyArray<{ readonly constructPath?: string }>;
}

export interface ValidationPluginReport {
  readonly pluginName: string;
  readonly conclusion?: string;
  readonly violations: readonly ValidationViolation[];
}

/** `validation-report.json`, which CDK writes when a validation plugin reports something. */
export interface ValidationReport {
  readonly pluginReports: readonly ValidationPluginReport[];
}

export interface CloudAssemblyView {
  readonly outdir: string;
  readonly environments: readonly EnvironmentAssembly[];
  /** Stacks at the top level of the assembly, outside any stage (none in this project today). */
  readonly topLevelStacks: readonly StackArtifact[];
  readonly validationReport?: ValidationReport;
}

interface ManifestArtifact {
  readonly type: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: {
    readonly templateFile?: string;
    readonly directoryName?: string;
    readonly displayName?: string;
    readonly stackName?: string;
    readonly terminationProtection?: boolean;
  };
}

interface Manifest {
  readonly artifacts?: Record<string, ManifestArtifact>;
}

function readJson<T>(file: string, what: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${what} at ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${what} at ${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function parseEnvironment(env: string | undefined, artifactId: string): { account: string; region: string } {
  const match = /^aws:\/\/([^/]+)\/(.+)$/.exec(env ?? '');
  if (!match) throw new Error(`stack ${artifactId} has no environment of the form aws://<account>/<region>`);
  return { account: match[1], region: match[2] };
}

function readStacks(root: string, directory: string): StackArtifact[] {
  const manifest = readJson<Manifest>(path.join(directory, 'manifest.json'), 'assembly manifest');
  const stacks: StackArtifact[] = [];
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = artifact.properties?.templateFile;
    if (!templateFile)
      throw new Error(`stack ${artifactId} in ${directory}/manifest.json names no templateFile`);
    const file = path.join(directory, templateFile);
    stacks.push({
      artifactId,
      displayName: artifact.displayName ?? artifactId,
      stackName: artifact.properties?.stackName ?? artifactId,
      ...parseEnvironment(artifact.environment, artifactId),
      terminationProtection: artifact.properties?.terminationProtection === true,
      templatePath: path.relative(root, file),
      template: readJson<CfnTemplate>(file, `template of ${artifactId}`),
    });
  }
  return stacks;
}

/**
 * Reads a synthesized cloud assembly (`cdk.out`): one environment per nested stage assembly, each
 * stack's template, and the validation report when CDK wrote one.
 */
export function readCloudAssembly(outdir: string): CloudAssemblyView {
  const manifest = readJson<Manifest>(path.join(outdir, 'manifest.json'), 'cloud assembly manifest');
  const environments: EnvironmentAssembly[] = [];
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'cdk:cloud-assembly') continue;
    const directoryName = artifact.properties?.directoryName;
    if (!directoryName) throw new Error(`nested assembly ${artifactId} names no directoryName`);
    environments.push({
      name: artifact.properties?.displayName ?? artifactId.replace(/^assembly-/, ''),
      stacks: readStacks(outdir, path.join(outdir, directoryName)),
    });
  }
  const reportFile = path.join(outdir, 'validation-report.json');
  return {
    outdir,
    environments,
    topLevelStacks: readStacks(outdir, outdir),
    validationReport: fs.existsSync(reportFile)
      ? readJson<ValidationReport>(reportFile, 'validation report')
      : undefined,
  };
}
