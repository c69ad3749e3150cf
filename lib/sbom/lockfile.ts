import * as fs from 'node:fs';

/** One installed package as npm's lockfile (v2/v3 `packages` map) records it. */
export interface LockedPackage {
  /** The lockfile key: its path under the project, e.g. `node_modules/@smithy/core`. */
  readonly key: string;
  /** The package name, scope included (`@smithy/core`). */
  readonly name: string;
  readonly version: string;
  /** Subresource-integrity string of the tarball (`sha512-...`), as npm verified it at install. */
  readonly integrity?: string;
  /** SPDX expression or licence name the package declares. */
  readonly license?: string;
}

interface LockEntry {
  readonly name?: string;
  readonly version?: string;
  readonly integrity?: string;
  readonly license?: string;
  readonly link?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

interface LockfileDocument {
  readonly name?: string;
  readonly version?: string;
  readonly lockfileVersion?: number;
  readonly packages?: Record<string, LockEntry>;
}

/** The last `node_modules/<name>` (or `node_modules/@scope/<name>`) of a path: the package owning the file. */
const OWNING_PACKAGE = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)(?:\/|$)/;

/** The package name at the end of a lockfile key. */
function nameOfKey(key: string): string {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(key)?.[1] ?? key;
}

/**
 * npm's lockfile, read for bills of materials: which package owns a bundled file, and which packages a
 * production install contains. Only lockfile versions 2 and 3 (the `packages` map) are understood.
 */
export class Lockfile {
  readonly name: string;
  readonly version: string;
  private readonly entries: Readonly<Record<string, LockEntry>>;

  constructor(document: LockfileDocument, source = 'package-lock.json') {
    if (!document.packages || (document.lockfileVersion ?? 0) < 2) {
      throw new Error(
        `${source}: lockfileVersion ${String(document.lockfileVersion)} has no 'packages' map; run npm install with npm 7 or later`,
      );
    }
    this.entries = document.packages;
    this.name = document.name ?? document.packages['']?.name ?? 'unnamed';
    this.version = document.version ?? document.packages['']?.version ?? '0.0.0';
  }

  static read(file: string): Lockfile {
    return new Lockfile(JSON.parse(fs.readFileSync(file, 'utf8')) as LockfileDocument, file);
  }

  /** The package at a lockfile key, when it is an installed package (not the root, not a link). */
  packageAt(key: string): LockedPackage | undefined {
    const entry = this.entries[key];
    if (!key || !entry || entry.link || !entry.version) return undefined;
    return {
      key,
      name: entry.name ?? nameOfKey(key),
      version: entry.version,
      ...(entry.integrity ? { integrity: entry.integrity } : {}),
      ...(entry.license ? { license: entry.license } : {}),
    };
  }

  /**
   * The package that owns a file, given its path relative to the project root (as esbuild's metafile
   * names inputs): the innermost `node_modules/<name>` directory. `undefined` for the project's own files.
   */
  packageOfFile(relativePath: string): LockedPackage | undefined {
    const key = OWNING_PACKAGE.exec(relativePath.split('\\').join('/'))?.[1];
    return key === undefined ? undefined : this.packageAt(key);
  }

  /** Where Node.js finds `dependency` when required from the package at `from` (its lockfile key). */
  resolve(from: string, dependency: string): string | undefined {
    let base = from;
    for (;;) {
      const candidate = base ? `${base}/node_modules/${dependency}` : `node_modules/${dependency}`;
      if (this.entries[candidate]) return candidate;
      if (!base) return undefined;
      const cut = base.lastIndexOf('/node_modules/');
      base = cut < 0 ? '' : base.slice(0, cut);
    }
  }

  /**
   * Every package a production install (`npm ci --omit=dev`) brings: the closure of the root's
   * dependencies and optional dependencies, through each package's dependencies, optional dependencies
   * and required peers, resolved the way Node.js resolves them.
   */
  productionClosure(): LockedPackage[] {
    const seen = new Set<string>();
    const visit = (key: string): void => {
      const entry = this.entries[key];
      if (!entry) return;
      const required = {
        ...entry.dependencies,
        ...entry.optionalDependencies,
        ...Object.fromEntries(
          Object.entries(entry.peerDependencies ?? {}).filter(
            ([name]) => !entry.peerDependenciesMeta?.[name]?.optional,
          ),
        ),
      };
      for (const dependency of Object.keys(required)) {
        const found = this.resolve(key, dependency);
        if (found === undefined || seen.has(found)) continue;
        seen.add(found);
        visit(found);
      }
    };
    visit('');
    return [...seen]
      .map((key) => this.packageAt(key))
      .filter((p): p is LockedPackage => p !== undefined)
      .sort((a, b) => a.key.localeCompare(b.key));
  }
}
