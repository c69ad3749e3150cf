import { readFile } from 'node:fs/promises';
import { readRecords, formatFromPath } from '../cli/records';
import { parseFeatureSpec, type RawRecord } from '../features';
import { sha256Hex } from '../integrity/digest';
import { modelFromArtifact } from '../scorer';
import { assessRobustness, type AssessmentInput, type RobustnessAssessment } from './assess';
import { AssessmentInputError } from './context';

export interface AssessFilesInput {
  /** The artifact to be published: model.tar.gz, or a plain XGBoost JSON model. */
  readonly artifactPath: string;
  readonly specPath: string;
  /** Golden or holdout rows: CSV with a header naming the specification's fields, or JSON Lines. */
  readonly rowsPath: string;
  readonly settings?: AssessmentInput['settings'];
  readonly assessedAt?: string;
}

async function bytesOf(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AssessmentInputError(
      code === 'ENOENT' ? `${what} '${path}' does not exist` : `${what} '${path}' cannot be read (${code})`,
    );
  }
}

/** Reads the artifact, specification and rows, hashing the exact bytes used, and assesses the model. */
export async function assessFiles(input: AssessFilesInput): Promise<RobustnessAssessment> {
  const artifact = await bytesOf(input.artifactPath, 'artifact');
  const artifactSha256 = sha256Hex(artifact);
  const model = await modelFromArtifact(artifact, artifactSha256, input.artifactPath);
  const specBytes = await bytesOf(input.specPath, 'feature specification');
  let specDocument: unknown;
  try {
    specDocument = JSON.parse(specBytes.toString('utf8'));
  } catch (error) {
    throw new AssessmentInputError(`${input.specPath} is not valid JSON: ${(error as Error).message}`);
  }
  const spec = parseFeatureSpec(specDocument, input.specPath);
  const format = formatFromPath(input.rowsPath);
  if (!format) throw new AssessmentInputError(`rows file '${input.rowsPath}' must end in .csv or .jsonl`);
  const rowBytes = await bytesOf(input.rowsPath, 'rows file');
  const records: RawRecord[] = [];
  for await (const item of readRecords(input.rowsPath, format)) {
    if ('error' in item)
      throw new AssessmentInputError(`${input.rowsPath} row ${item.row} (line ${item.line}) ${item.error}`);
    records.push(item.record);
  }
  return assessRobustness({
    model,
    spec,
    records,
    artifactSha256,
    sources: {
      artifact: input.artifactPath,
      spec: input.specPath,
      specSha256: sha256Hex(specBytes),
      rows: input.rowsPath,
      rowsSha256: sha256Hex(rowBytes),
    },
    settings: input.settings,
    assessedAt: input.assessedAt,
  });
}
