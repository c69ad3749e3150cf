/**
 * SEC-1 guard for synthesized templates: finds values that look like secrets. Secrets belong in
 * Secrets Manager, read at run time; a template (stored by CloudFormation, readable with
 * cloudformation:GetTemplate) or a Lambda environment (readable with lambda:GetFunctionConfiguration)
 * must never contain one.
 */

export type SecretRule = 'aws-access-key' | 'private-key' | 'secret-named-literal' | 'high-entropy-env';

export interface SecretFinding {
  readonly rule: SecretRule;
  /** JSON path inside the template, prefixed by the template's label. */
  readonly where: string;
  /** What matched, with the value itself redacted to a prefix. */
  readonly detail: string;
}

const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/;
const PRIVATE_KEY_BLOCK = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
/** Names that announce a secret value: a literal string under such a key is a leak. */
export const SECRET_NAME =
  /password|passwd|passphrase|secret|token|api[_-]?key|private[_-]?key|credential|bearer/i;
/**
 * Names that match SECRET_NAME but never hold a secret value. Each entry says why; anything added here
 * is reviewed like an acknowledgment.
 */
const NOT_SECRET_NAMES: Readonly<Record<string, string>> = {
  // Custom-resource provider ARN, always an intrinsic, but a literal ARN would be as harmless.
  ServiceToken: 'the ARN of the custom-resource provider function',
  // Secrets Manager generation settings: numbers and booleans only, no value.
  PasswordLength: 'length of a value Secrets Manager generates',
};
/** A reference to a secret (its ARN or name path) is not the secret. */
const REFERENCE = /^(?:arn:aws[\w-]*:|\{\{resolve:secretsmanager:)/;
const TOKEN_CHARSET = /^[A-Za-z0-9+/=_-]+$/;
const HEX = /^[0-9a-f]+$/i;

/** Minimum length and Shannon entropy (bits per character) of a string treated as a random secret. */
export const HIGH_ENTROPY = { minLength: 20, minBitsPerChar: 3.7 } as const;

export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * A literal that looks machine-generated: long, one token of base64/url-safe characters mixing letters
 * and digits, and close to random. Hex strings are left out on purpose: digests pinned in configuration
 * (model SHA-256, commit ids) are hex, and a hex key would still be caught by its variable's name.
 */
export function looksRandom(value: string): boolean {
  return (
    value.length >= HIGH_ENTROPY.minLength &&
    TOKEN_CHARSET.test(value) &&
    !HEX.test(value) &&
    /[A-Za-z]/.test(value) &&
    /[0-9]/.test(value) &&
    shannonEntropy(value) >= HIGH_ENTROPY.minBitsPerChar
  );
}

const redact = (value: string) => `${value.slice(0, 4)}… (${value.length} chars)`;

/** Scans one template (a CloudFormation JSON object). */
export function scanTemplate(label: string, template: unknown): SecretFinding[] {
  const findings: SecretFinding[] = [];
  walk(template, label, undefined, findings);
  const resources = (template as { Resources?: Record<string, { Type?: string; Properties?: unknown }> })
    .Resources;
  for (const [id, resource] of Object.entries(resources ?? {})) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const variables =
      (resource.Properties as { Environment?: { Variables?: Record<string, unknown> } } | undefined)
        ?.Environment?.Variables ?? {};
    for (const [name, value] of Object.entries(variables)) {
      if (typeof value === 'string' && looksRandom(value)) {
        findings.push({
          rule: 'high-entropy-env',
          where: `${label}/Resources/${id}/Properties/Environment/Variables/${name}`,
          detail: `random-looking literal ${redact(value)}`,
        });
      }
    }
  }
  return findings;
}

function walk(value: unknown, path: string, key: string | undefined, findings: SecretFinding[]): void {
  if (typeof value === 'string') {
    if (ACCESS_KEY_ID.test(value)) {
      findings.push({
        rule: 'aws-access-key',
        where: path,
        detail: `AWS access key id ${redact(ACCESS_KEY_ID.exec(value)![0])}`,
      });
    }
    if (PRIVATE_KEY_BLOCK.test(value)) {
      findings.push({ rule: 'private-key', where: path, detail: 'PEM private key block' });
    }
    if (
      key !== undefined &&
      // IAM condition keys (`token.actions.githubusercontent.com:sub`) name request attributes.
      !key.includes(':') &&
      SECRET_NAME.test(key) &&
      NOT_SECRET_NAMES[key] === undefined &&
      value.trim() !== '' &&
      !REFERENCE.test(value)
    ) {
      findings.push({
        rule: 'secret-named-literal',
        where: path,
        detail: `literal under '${key}': ${redact(value)}`,
      });
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, `${path}[${i}]`, key, findings));
    return;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    // An intrinsic function (Ref, Fn::GetAtt, ...) is resolved by CloudFormation: not a literal.
    if (entries.length === 1 && (entries[0]![0] === 'Ref' || entries[0]![0].startsWith('Fn::'))) {
      walk(entries[0]![1], `${path}/${entries[0]![0]}`, undefined, findings);
      return;
    }
    for (const [childKey, child] of entries) walk(child, `${path}/${childKey}`, childKey, findings);
  }
}
