/**
 * CycloneDX bills of materials built, serialised and validated by OWASP's @cyclonedx/cyclonedx-library
 * (CycloneDX 1.6 JSON): this module only maps lockfile packages onto its model.
 */
import { Contrib, Enums, Models, Serialize, Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { PackageURL } from 'packageurl-js';
import type { LockedPackage } from './lockfile';

export const SBOM_SPEC_VERSION = Spec.Version.v1dot6;

/** What the bill of materials describes: a Lambda asset or a package. */
export interface BomSubject {
  readonly type: 'application' | 'library';
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** SHA-256 of the artifact itself (the bundle a Lambda runs), hex. */
  readonly sha256?: string;
  readonly purl?: string;
}

/** The package URL of an npm package (`pkg:npm/%40scope/name@1.2.3`). */
export function npmPurl(pkg: Pick<LockedPackage, 'name' | 'version'>): string {
  const scoped = /^(@[^/]+)\/(.+)$/.exec(pkg.name);
  return new PackageURL(
    'npm',
    scoped ? scoped[1] : undefined,
    scoped ? scoped[2] : pkg.name,
    pkg.version,
    undefined,
    undefined,
  ).toString();
}

// Expressions (`MIT OR Apache-2.0`) are kept as the package declares them; single ids become SPDX
// licences when the library knows the id, named licences otherwise.
const licenseFactory = new Contrib.License.Factories.LicenseFactory(() => {
  throw new Error('expressions are handled before the factory');
});
const EXPRESSION = /\s(AND|OR|WITH)\s/;

function license(value: string): Models.License {
  return EXPRESSION.test(value) ? new Models.LicenseExpression(value) : licenseFactory.makeDisjunctive(value);
}

function component(pkg: LockedPackage): Models.Component {
  const scoped = /^(@[^/]+)\/(.+)$/.exec(pkg.name);
  const purl = npmPurl(pkg);
  const c = new Models.Component(Enums.ComponentType.Library, scoped ? scoped[2] : pkg.name, {
    bomRef: purl,
    version: pkg.version,
    purl,
    ...(scoped ? { group: scoped[1] } : {}),
  });
  if (pkg.integrity) {
    try {
      const [algorithm, content] = Contrib.FromNodePackageJson.Utils.parsePackageIntegrity(pkg.integrity);
      c.hashes.set(algorithm, content);
    } catch {
      // An integrity the library cannot parse (an unknown algorithm) is left out rather than guessed.
    }
  }
  if (pkg.license) c.licenses.add(license(pkg.license));
  return c;
}

/** A bill of materials: the subject, and every package it contains as a dependency of it. */
export function buildBom(
  subject: BomSubject,
  packages: readonly LockedPackage[],
  tool: { name: string; version: string },
): Models.Bom {
  const main = new Models.Component(
    subject.type === 'application' ? Enums.ComponentType.Application : Enums.ComponentType.Library,
    subject.name,
    {
      bomRef: subject.purl ?? `subject:${subject.name}@${subject.version}`,
      version: subject.version,
      description: subject.description,
      ...(subject.purl ? { purl: subject.purl } : {}),
    },
  );
  if (subject.sha256) main.hashes.set(Enums.HashAlgorithm['SHA-256'], subject.sha256);
  const bom = new Models.Bom();
  bom.metadata.component = main;
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, tool.name, { version: tool.version }),
  );
  const unique = new Map(packages.map((p) => [npmPurl(p), p]));
  for (const pkg of unique.values()) {
    const c = component(pkg);
    bom.components.add(c);
    main.dependencies.add(c.bomRef);
  }
  return bom;
}

const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));

/** CycloneDX 1.6 JSON, sorted so the same inputs give the same bytes. */
export function serializeBom(bom: Models.Bom): string {
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}

// One validator: it compiles the schema on first use (about 0.8 s) and reuses it.
const validator = new Validation.JsonStrictValidator(SBOM_SPEC_VERSION);

/**
 * Validates a serialised bill of materials against the CycloneDX 1.6 JSON schema the library ships
 * (offline: the schemas are files of the package). Throws with the schema errors.
 */
export async function validateBom(json: string, what: string): Promise<void> {
  const errors = await validator.validate(json);
  if (errors !== null) {
    throw new Error(`${what} is not valid CycloneDX ${SBOM_SPEC_VERSION}: ${JSON.stringify(errors)}`);
  }
}
