/**
 * Builds the Macie custom data identifier for the project's customer id format (DATA-2). Pure and free of
 * SDK imports so the CDK side can call it at synth time and pass the result to
 * `new macie.CfnCustomDataIdentifier(scope, id, definition)`; a bad pattern then fails `cdk synth` with a
 * message instead of a deployment or, worse, a job that flags every object.
 */

export interface CustomerIdIdentifierOptions {
  /** The configured customer id pattern, e.g. `CUST-[0-9]{8}`. Unanchored: Macie finds it inside text. */
  readonly regex: string;
  /** @default 'customer-id' */
  readonly name?: string;
  /** @default a sentence naming the pattern's purpose (never the pattern's sample values) */
  readonly description?: string;
  /**
   * Words of which one must appear within `maximumMatchDistance` characters before a match (for CSV and
   * JSON, the column or field name). Case-insensitive in Macie. Pass `[]` to match anywhere.
   * @default DEFAULT_CUSTOMER_ID_KEYWORDS
   */
  readonly keywords?: readonly string[];
  /** Matches containing one of these (case-sensitive) are ignored, e.g. a documented test id. @default none */
  readonly ignoreWords?: readonly string[];
  /** @default 50 */
  readonly maximumMatchDistance?: number;
  /** Real-looking ids that must match the whole pattern; a cheap guard against a mistyped pattern. */
  readonly examples?: readonly string[];
  /** Strings in which the pattern must find nothing (e.g. an order id with a similar shape). */
  readonly nonExamples?: readonly string[];
}

/** Field names follow AWS::Macie::CustomDataIdentifier / CfnCustomDataIdentifierProps. */
export interface CustomDataIdentifierDefinition {
  readonly name: string;
  readonly description: string;
  readonly regex: string;
  /** Omitted when empty, because CloudFormation rejects an empty list. */
  readonly keywords?: string[];
  readonly ignoreWords?: string[];
  readonly maximumMatchDistance: number;
}

export const DEFAULT_CUSTOMER_ID_KEYWORDS: readonly string[] = [
  'customer_id',
  'customerid',
  'customer id',
  'customer-id',
  'cust_id',
];

export class InvalidIdentifierError extends Error {
  constructor(message: string) {
    super(`invalid customer id data identifier: ${message}`);
    this.name = 'InvalidIdentifierError';
  }
}

// Limits documented for AWS::Macie::CustomDataIdentifier.
const REGEX_MAX = 512;
const NAME_MAX = 128;
const DESCRIPTION_MAX = 512;
const KEYWORDS_MAX = 50;
const KEYWORD_LENGTH = { min: 3, max: 90 } as const;
const IGNORE_WORDS_MAX = 10;
const IGNORE_WORD_LENGTH = { min: 4, max: 90 } as const;
const DISTANCE = { min: 1, max: 300 } as const;

// Every printable ASCII character: a pattern that finds any one of them alone would flag nearly every object.
const SINGLE_CHARACTER_PROBES = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));

export function buildCustomerIdIdentifier(
  options: CustomerIdIdentifierOptions,
): CustomDataIdentifierDefinition {
  const regex = validateRegex(options.regex);
  const compiled = new RegExp(regex);
  const whole = new RegExp(`^(?:${regex})$`);

  (options.examples ?? []).forEach((example, i) => {
    if (!whole.test(example)) {
      throw new InvalidIdentifierError(`examples[${i}] '${example}' does not match regex /${regex}/ in full`);
    }
  });
  (options.nonExamples ?? []).forEach((text, i) => {
    const found = compiled.exec(text);
    if (found !== null) {
      throw new InvalidIdentifierError(`regex /${regex}/ finds '${found[0]}' in nonExamples[${i}] '${text}'`);
    }
  });

  const name = (options.name ?? 'customer-id').trim();
  if (name.length === 0 || name.length > NAME_MAX) {
    throw new InvalidIdentifierError(`name must be 1-${NAME_MAX} characters, got ${name.length}`);
  }
  const description = (
    options.description ?? 'Customer identifiers in the project format (DATA-2); a match means customer data.'
  ).trim();
  if (description.length === 0 || description.length > DESCRIPTION_MAX) {
    throw new InvalidIdentifierError(
      `description must be 1-${DESCRIPTION_MAX} characters, got ${description.length}`,
    );
  }

  const keywords = wordList(
    'keywords',
    options.keywords ?? DEFAULT_CUSTOMER_ID_KEYWORDS,
    KEYWORDS_MAX,
    KEYWORD_LENGTH,
  );
  const ignoreWords = wordList(
    'ignoreWords',
    options.ignoreWords ?? [],
    IGNORE_WORDS_MAX,
    IGNORE_WORD_LENGTH,
  );

  const maximumMatchDistance = options.maximumMatchDistance ?? 50;
  if (
    !Number.isInteger(maximumMatchDistance) ||
    maximumMatchDistance < DISTANCE.min ||
    maximumMatchDistance > DISTANCE.max
  ) {
    throw new InvalidIdentifierError(
      `maximumMatchDistance must be an integer from ${DISTANCE.min} to ${DISTANCE.max}, got ${maximumMatchDistance}`,
    );
  }

  return {
    name,
    description,
    regex,
    ...(keywords.length > 0 ? { keywords } : {}),
    ...(ignoreWords.length > 0 ? { ignoreWords } : {}),
    maximumMatchDistance,
  };
}

/**
 * Checks that the pattern compiles and is selective. Macie runs its own (PCRE-subset) engine, so compiling
 * with JavaScript is a proxy that catches typos, not a guarantee Macie accepts every construct.
 */
export function validateRegex(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new InvalidIdentifierError('regex is required (a non-empty string)');
  }
  const regex = raw.trim();
  if (regex.length > REGEX_MAX) {
    throw new InvalidIdentifierError(`regex must be at most ${REGEX_MAX} characters, got ${regex.length}`);
  }
  let compiled: RegExp;
  try {
    compiled = new RegExp(regex);
  } catch (err) {
    throw new InvalidIdentifierError(
      `regex /${regex}/ does not compile: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (compiled.test('')) {
    throw new InvalidIdentifierError(
      `regex /${regex}/ matches the empty string, so it matches every object; require at least one character`,
    );
  }
  const single = SINGLE_CHARACTER_PROBES.find((probe) => compiled.test(probe));
  if (single !== undefined) {
    throw new InvalidIdentifierError(
      `regex /${regex}/ matches the single character '${single}', so it would flag nearly every object; ` +
        'make it describe the whole customer id format',
    );
  }
  return regex;
}

function wordList(
  field: string,
  words: readonly string[],
  maxCount: number,
  length: { readonly min: number; readonly max: number },
): string[] {
  if (words.length > maxCount) {
    throw new InvalidIdentifierError(`${field} may list at most ${maxCount} entries, got ${words.length}`);
  }
  const cleaned = words.map((word, i) => {
    const trimmed = word.trim();
    if (trimmed.length < length.min || trimmed.length > length.max) {
      throw new InvalidIdentifierError(
        `${field}[${i}] '${word}' must be ${length.min}-${length.max} characters after trimming`,
      );
    }
    return trimmed;
  });
  return [...new Set(cleaned)];
}
