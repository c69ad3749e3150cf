/**
 * The index of the bills of materials written at synth (`cdk.out/sbom/index.json`): what the compliance
 * report lists (SEC-5). Types and a reader only, so the report does not load the CycloneDX library.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Inside the cloud assembly directory. */
export const SBOM_DIRECTORY = 'sbom';
export const SBOM_INDEX_FILE = 'index.json';
/**
 * Where esbuild metafiles are moved after bundling (outside the asset, so they are not deployed), each
 * named by {@link metafileName} after the SHA-256 of the bundle it describes: identical bundles (the same
 * handler in dev, test and prod) share one, and a metafile can never be taken for another bundle.
 */
export const METAFILE_DIRECTORY = 'sbom-metafiles';

/** The file a bundle is written to (`SecureFunction` bundles ESM). */
export const BUNDLE_FILE = 'index.mjs';

/** The metafile's file name for a bundle, by the hex SHA-256 of the bundle file. */
export function metafileName(bundleSha256: string): string {
  return `${bundleSha256}.meta.json`;
}

export interface SbomEntry {
  /** Relative to the SBOM directory. */
  readonly file: string;
  readonly kind: 'lambda-asset' | 'package';
  /** The asset directory (`asset.<hash>`) for a Lambda asset; the package name for a package. */
  readonly subject: string;
  /** Construct paths of the functions that run this asset (Lambda assets). */
  readonly functions: readonly string[];
  /** Third-party packages listed in the bill of materials. */
  readonly packages: number;
  /**
   * How the packages were found: the esbuild metafile of the bundle (what was actually bundled), the
   * package a prebuilt asset ships in, or the lockfile's production closure (a package).
   */
  readonly source: 'esbuild-metafile' | 'prebuilt-package' | 'lockfile-production-closure';
  /** What the bill of materials cannot show, in words a reviewer reads. */
  readonly note?: string;
}

/** A Lambda asset the generator could not describe, and why. */
export interface MissingSbom {
  readonly subject: string;
  readonly functions: readonly string[];
  readonly reason: string;
}

export interface SbomIndex {
  readonly specVersion: string;
  /** `@cyclonedx/cyclonedx-library@<version>`. */
  readonly generator: string;
  readonly sboms: readonly SbomEntry[];
  readonly missing: readonly MissingSbom[];
}

/** The index of an assembly directory, or `undefined` when no bills of materials were written. */
export function readSbomIndex(assemblyDirectory: string): SbomIndex | undefined {
  const file = path.join(assemblyDirectory, SBOM_DIRECTORY, SBOM_INDEX_FILE);
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as SbomIndex;
}
