/**
 * SEC-5: a CycloneDX bill of materials for every Lambda asset of a synthesized cloud assembly and for
 * the npm package itself, written to `<cdk.out>/sbom/` with an index the compliance report lists.
 *
 * - A bundled asset (SecureFunction): the packages esbuild put into the bundle, from the metafile of that
 *   bundle (only inputs with bytes in the output: tree-shaken modules are not there), versions, hashes
 *   and licences from package-lock.json.
 * - A prebuilt asset (a handler CDK ships, such as the provider framework): the package it was copied
 *   from, found by where its staging read it.
 * - The package: the lockfile's production dependency closure.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetStaging, CustomResourceProviderBase } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { readCloudAssembly } from '../compliance/assembly';
import { buildBom, npmPurl, SBOM_SPEC_VERSION, serializeBom, validateBom } from './cyclonedx';
import { LockedPackage, Lockfile } from './lockfile';
import {
  BUNDLE_FILE,
  METAFILE_DIRECTORY,
  MissingSbom,
  metafileName,
  SBOM_DIRECTORY,
  SBOM_INDEX_FILE,
  SbomEntry,
  SbomIndex,
} from './sbom-index';

/** The slice of esbuild's metafile this reads. */
export interface EsbuildMetafile {
  readonly outputs: Record<
    string,
    {
      readonly bytes: number;
      readonly entryPoint?: string;
      readonly inputs: Record<string, { readonly bytesInOutput: number }>;
    }
  >;
}

/** Where an asset's files were staged from (CDK's AssetStaging), for assets that were not bundled. */
export interface AssetSource {
  /** Absolute path of the staged directory (`<cdk.out>/asset.<hash>`). */
  readonly stagedPath: string;
  readonly sourcePath: string;
  /**
   * The npm package whose code the asset is, when the source path cannot tell (a CDK custom-resource
   * provider copies its handler to a temporary directory before staging it).
   */
  readonly providedBy?: string;
}

/**
 * Where every asset of an app was staged from; call after `app.synth()`. Handlers of CDK's own
 * custom-resource providers are aws-cdk-lib's code.
 */
export function assetSourcesOf(root: IConstruct): AssetSource[] {
  return root.node
    .findAll()
    .filter((c): c is AssetStaging => c instanceof AssetStaging)
    .map((s) => ({
      stagedPath: s.absoluteStagedPath,
      sourcePath: s.sourcePath,
      ...(s.node.scope instanceof CustomResourceProviderBase ? { providedBy: 'aws-cdk-lib' } : {}),
    }));
}

export interface SbomOptions {
  /** The cloud assembly directory. */
  readonly outdir: string;
  /** Holds package.json and package-lock.json. */
  readonly projectRoot: string;
  readonly assetSources?: readonly AssetSource[];
}

/** The bundle's main output and the third-party packages in it, from an esbuild metafile. */
export function bundledPackages(
  metafile: EsbuildMetafile,
  lockfile: Lockfile,
): { entryPoint?: string; bytes: number; output: string; packages: LockedPackage[]; ownFiles: number } {
  const outputs = Object.entries(metafile.outputs).filter(([file]) => !file.endsWith('.map'));
  const main = outputs.find(([, o]) => o.entryPoint !== undefined) ?? outputs[0];
  if (!main) throw new Error('the metafile names no output');
  const [output, { bytes, entryPoint, inputs }] = main;
  const packages = new Map<string, LockedPackage>();
  let ownFiles = 0;
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    if (bytesInOutput <= 0) continue;
    const pkg = lockfile.packageOfFile(input);
    if (pkg) packages.set(pkg.key, pkg);
    else if (!input.includes('node_modules/')) ownFiles++;
    else throw new Error(`${input} is bundled but package-lock.json has no package for it`);
  }
  return {
    ...(entryPoint ? { entryPoint } : {}),
    bytes,
    output: path.basename(output),
    packages: [...packages.values()].sort((a, b) => a.key.localeCompare(b.key)),
    ownFiles,
  };
}

interface LambdaAsset {
  readonly directory: string;
  readonly functions: string[];
}

/** Every Lambda function of the assembly with a file asset, grouped by asset directory. */
function lambdaAssets(outdir: string): Map<string, LambdaAsset> {
  const assembly = readCloudAssembly(outdir);
  const stacks = [...assembly.environments.flatMap((e) => e.stacks), ...assembly.topLevelStacks];
  const assets = new Map<string, LambdaAsset>();
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (typeof assetPath !== 'string') continue;
      const directory = path.resolve(outdir, path.dirname(stack.templatePath), assetPath);
      const cdkPath = resource.Metadata?.['aws:cdk:path'];
      const functionPath =
        typeof cdkPath === 'string'
          ? cdkPath.replace(/\/Resource$/, '')
          : `${stack.displayName}/${logicalId}`;
      const entry = assets.get(directory) ?? { directory, functions: [] };
      entry.functions.push(functionPath);
      assets.set(directory, entry);
    }
  }
  return assets;
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/**
 * Writes one bill of materials per Lambda asset and one for the package, validated against the
 * CycloneDX schema, plus the index. An asset it cannot describe is listed as missing (SEC-5 then fails
 * for the environments that run it), never silently skipped.
 */
export async function writeAssemblySboms(options: SbomOptions): Promise<SbomIndex> {
  const lockfile = Lockfile.read(path.join(options.projectRoot, 'package-lock.json'));
  const generatorVersion = (
    JSON.parse(fs.readFileSync(require.resolve('@cyclonedx/cyclonedx-library/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const tool = { name: '@cyclonedx/cyclonedx-library', version: generatorVersion };
  const directory = path.join(options.outdir, SBOM_DIRECTORY);
  fs.rmSync(directory, { recursive: true, force: true });
  fs.mkdirSync(directory, { recursive: true });

  const sboms: SbomEntry[] = [];
  const missing: MissingSbom[] = [];
  const write = async (file: string, json: string) => {
    await validateBom(json, file);
    fs.writeFileSync(path.join(directory, file), json);
  };

  for (const asset of [...lambdaAssets(options.outdir).values()].sort((a, b) =>
    a.directory.localeCompare(b.directory),
  )) {
    const subject = path.basename(asset.directory);
    const functions = [...asset.functions].sort();
    const file = `${subject}.cdx.json`;
    const bundled = path.join(asset.directory, BUNDLE_FILE);
    const metafile = fs.existsSync(bundled)
      ? path.join(options.outdir, METAFILE_DIRECTORY, metafileName(sha256(bundled)))
      : undefined;
    const source = options.assetSources?.find((s) => path.basename(s.stagedPath) === subject);
    const ownerOfSource = source?.providedBy
      ? lockfile.packageAt(`node_modules/${source.providedBy}`)
      : source
        ? lockfile.packageOfFile(path.relative(options.projectRoot, source.sourcePath))
        : undefined;

    if (metafile && fs.existsSync(metafile)) {
      const bundle = bundledPackages(
        JSON.parse(fs.readFileSync(metafile, 'utf8')) as EsbuildMetafile,
        lockfile,
      );
      const bundleFile = path.join(asset.directory, bundle.output);
      // Found by the bundle's hash, so it is this bundle's; the output it names must agree all the same.
      if (!fs.existsSync(bundleFile) || fs.statSync(bundleFile).size !== bundle.bytes) {
        missing.push({
          subject,
          functions,
          reason: `the esbuild metafile does not describe ${subject}/${bundle.output} (stale or altered)`,
        });
        continue;
      }
      const bom = buildBom(
        {
          type: 'application',
          name: bundle.entryPoint ?? subject,
          version: subject.replace(/^asset\./, ''),
          description: `Lambda asset ${subject} (${bundle.output}, bundled by esbuild) of ${functions.join(', ')}`,
          sha256: sha256(bundleFile),
        },
        bundle.packages,
        tool,
      );
      await write(file, serializeBom(bom));
      sboms.push({
        file,
        kind: 'lambda-asset',
        subject,
        functions,
        packages: bundle.packages.length,
        source: 'esbuild-metafile',
        note: `${bundle.ownFiles} of the project's own source files are bundled with the packages.`,
      });
    } else if (ownerOfSource) {
      const bom = buildBom(
        {
          type: 'application',
          name: source?.providedBy
            ? `${ownerOfSource.name} custom-resource provider`
            : `${ownerOfSource.name}/${path.relative(path.join(options.projectRoot, ownerOfSource.key), source!.sourcePath)}`,
          version: subject.replace(/^asset\./, ''),
          description: `Lambda asset ${subject}: a handler prebuilt in ${ownerOfSource.name}@${ownerOfSource.version}, copied as is`,
        },
        [ownerOfSource],
        tool,
      );
      await write(file, serializeBom(bom));
      sboms.push({
        file,
        kind: 'lambda-asset',
        subject,
        functions,
        packages: 1,
        source: 'prebuilt-package',
        note: `Prebuilt by ${ownerOfSource.name}@${ownerOfSource.version}; it uses the AWS SDK the Lambda runtime provides, whose version this project does not pin.`,
      });
    } else {
      missing.push({
        subject,
        functions,
        reason: `no esbuild metafile for its ${BUNDLE_FILE} (bundling skipped, or not bundled by SecureFunction) and not staged from a package of the lockfile`,
      });
    }
  }

  const pkg: LockedPackage = { key: '', name: lockfile.name, version: lockfile.version };
  const closure = lockfile.productionClosure();
  const packageFile = `package-${lockfile.name.replace(/[^A-Za-z0-9-]+/g, '_')}.cdx.json`;
  await write(
    packageFile,
    serializeBom(
      buildBom(
        {
          type: 'library',
          name: lockfile.name,
          version: lockfile.version,
          description: `The npm package (bin churn-score): its production dependency closure from package-lock.json`,
          purl: npmPurl(pkg),
        },
        closure,
        tool,
      ),
    ),
  );
  sboms.push({
    file: packageFile,
    kind: 'package',
    subject: lockfile.name,
    functions: [],
    packages: closure.length,
    source: 'lockfile-production-closure',
    note: 'What `npm ci --omit=dev` installs; dev dependencies are left out.',
  });

  const index: SbomIndex = {
    specVersion: SBOM_SPEC_VERSION,
    generator: `${tool.name}@${tool.version}`,
    sboms,
    missing,
  };
  fs.writeFileSync(path.join(directory, SBOM_INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
  return index;
}
