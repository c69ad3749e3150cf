import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundledPackages, EsbuildMetafile, writeAssemblySboms } from '../../../lib/sbom/assembly-sboms';
import { buildBom, serializeBom, validateBom } from '../../../lib/sbom/cyclonedx';
import { Lockfile } from '../../../lib/sbom/lockfile';
import { METAFILE_DIRECTORY, metafileName, readSbomIndex } from '../../../lib/sbom/sbom-index';

const ROOT = path.join(__dirname, '..', '..', '..');
const lockfile = Lockfile.read(path.join(ROOT, 'package-lock.json'));
const lockedVersion = (name: string) =>
  (
    JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string; integrity: string }>;
    }
  ).packages[`node_modules/${name}`];

/** A real esbuild bundle of a handler that uses zod (and nothing else), with its metafile. */
async function bundle(outdir: string): Promise<EsbuildMetafile> {
  const result = await build({
    stdin: {
      contents:
        "import { z } from 'zod';\nexport const handler = async (e: unknown) => z.string().parse(e);\n",
      resolveDir: ROOT,
      loader: 'ts',
      sourcefile: 'lambda/sbom-fixture/handler.ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: path.join(outdir, 'index.mjs'),
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile as EsbuildMetafile;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sbom-'));

describe('CycloneDX bills of materials (SEC-5)', () => {
  test('a bundled package appears with its lockfile version, purl and hash; a package not bundled does not', async () => {
    const metafile = await bundle(path.join(work, 'bundle'));
    const found = bundledPackages(metafile, lockfile);
    expect(found.packages.map((p) => p.name)).toEqual(['zod']);
    const bom = JSON.parse(
      serializeBom(
        buildBom(
          { type: 'application', name: 'fixture', version: '1', description: 'fixture' },
          found.packages,
          {
            name: 'test',
            version: '1',
          },
        ),
      ),
    ) as {
      components: Array<{
        name: string;
        version: string;
        purl: string;
        hashes: Array<{ alg: string; content: string }>;
      }>;
    };
    const zod = lockedVersion('zod');
    expect(bom.components).toEqual([
      expect.objectContaining({
        name: 'zod',
        version: zod.version,
        purl: `pkg:npm/zod@${zod.version}`,
        hashes: [
          {
            alg: 'SHA-512',
            content: Buffer.from(zod.integrity.replace(/^sha512-/, ''), 'base64').toString('hex'),
          },
        ],
      }),
    ]);
    // yaml is a production dependency of the project, but this bundle does not contain it.
    expect(lockfile.productionClosure().map((p) => p.name)).toContain('yaml');
    expect(bom.components.map((c) => c.name)).not.toContain('yaml');
  });

  test('a scoped package gets a purl with an encoded namespace and its group', async () => {
    const pkg = lockfile.packageAt('node_modules/@smithy/core')!;
    const json = serializeBom(
      buildBom({ type: 'application', name: 'x', version: '1', description: 'x' }, [pkg], {
        name: 't',
        version: '1',
      }),
    );
    await validateBom(json, 'scoped');
    const [c] = (JSON.parse(json) as { components: Array<Record<string, unknown>> }).components;
    expect(c).toMatchObject({
      group: '@smithy',
      name: 'core',
      purl: `pkg:npm/%40smithy/core@${pkg.version}`,
    });
  });

  test('an invalid document is refused by the CycloneDX schema validator', async () => {
    await expect(
      validateBom('{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{}]}', 'bad'),
    ).rejects.toThrow(/bad is not valid CycloneDX 1\.6/);
  });

  test("the package's bill of materials is the lockfile's production closure: no dev dependency", () => {
    const names = lockfile.productionClosure().map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['aws-cdk-lib', 'zod', '@cyclonedx/cyclonedx-library']));
    for (const dev of ['jest', 'eslint', 'typescript', 'prettier']) expect(names).not.toContain(dev);
  });

  describe('at synth: one SBOM per Lambda asset of the assembly, listed in the index', () => {
    let outdir: string;
    beforeAll(async () => {
      const code = path.join(work, 'code');
      const metafile = await bundle(code);
      outdir = path.join(work, 'cdk.out');
      // As `cdk synth` runs an app: construct paths and asset paths in the template metadata.
      const app = new App({
        outdir,
        context: { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true },
      });
      const stack = new Stack(app, 'Fixture', { env: { account: '111111111111', region: 'eu-west-1' } });
      new lambda.Function(stack, 'Handler', {
        code: lambda.Code.fromAsset(code),
        handler: 'index.handler',
        runtime: lambda.Runtime.NODEJS_24_X,
      });
      app.synth();
      fs.mkdirSync(path.join(outdir, METAFILE_DIRECTORY), { recursive: true });
      fs.writeFileSync(
        path.join(
          outdir,
          METAFILE_DIRECTORY,
          metafileName(
            createHash('sha256')
              .update(fs.readFileSync(path.join(code, 'index.mjs')))
              .digest('hex'),
          ),
        ),
        JSON.stringify(metafile),
      );
    });

    test('the asset has an SBOM with its packages; the package has one too; the files validate', async () => {
      const index = await writeAssemblySboms({ outdir, projectRoot: ROOT });
      expect(readSbomIndex(outdir)).toEqual(index);
      expect(index.missing).toEqual([]);
      const [asset, pkg] = index.sboms;
      expect(asset).toMatchObject({
        kind: 'lambda-asset',
        functions: ['Fixture/Handler'],
        packages: 1,
        source: 'esbuild-metafile',
      });
      expect(pkg).toMatchObject({ kind: 'package', subject: 'secure-churn-deploy' });
      expect(pkg.packages).toBe(lockfile.productionClosure().length);
      const doc = JSON.parse(fs.readFileSync(path.join(outdir, 'sbom', asset.file), 'utf8')) as {
        metadata: { component: { hashes: Array<{ alg: string }> } };
      };
      expect(doc.metadata.component.hashes.map((h) => h.alg)).toEqual(['SHA-256']);
    });

    test('a metafile that does not describe the staged bundle is reported missing, not trusted', async () => {
      const file = fs.readdirSync(path.join(outdir, METAFILE_DIRECTORY))[0];
      const metafile = JSON.parse(
        fs.readFileSync(path.join(outdir, METAFILE_DIRECTORY, file), 'utf8'),
      ) as EsbuildMetafile;
      for (const output of Object.values(metafile.outputs)) (output as { bytes: number }).bytes += 1;
      fs.writeFileSync(path.join(outdir, METAFILE_DIRECTORY, file), JSON.stringify(metafile));
      const index = await writeAssemblySboms({ outdir, projectRoot: ROOT });
      expect(index.sboms.map((s) => s.kind)).toEqual(['package']);
      expect(index.missing).toEqual([
        expect.objectContaining({ functions: ['Fixture/Handler'], reason: expect.stringMatching(/stale/) }),
      ]);
    });
  });
});
