import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The XGBoost 3.x reference fixtures beside the repository (`../shared/fixtures/xgboost`, see its
 * README): models saved by XGBoost itself, the rows they were evaluated on and XGBoost's own answers.
 * XGBOOST_FIXTURES overrides the location.
 */
export const XGBOOST_FIXTURES =
  process.env.XGBOOST_FIXTURES ?? resolve(__dirname, '..', '..', '..', 'shared', 'fixtures', 'xgboost');

export interface FixtureCase {
  /** `xgboost-3.4.1/native-categorical` */
  readonly id: string;
  readonly dir: string;
  readonly xgboost: string;
  readonly name: string;
  readonly modelFile: string;
  readonly objective: string;
  readonly booster: string;
  readonly baseScore: string;
  readonly tolerance: { readonly prediction: number; readonly contribution: number };
  /** Column names of rows.csv (the model's feature names). */
  readonly header: readonly string[];
  /** Cells of rows.csv as text; '' is a missing value. */
  readonly cells: readonly (readonly string[])[];
  readonly prediction: readonly number[];
  readonly margin: readonly number[];
  /** Per row: one contribution per feature, then the bias. */
  readonly contributions: readonly (readonly number[])[];
}

export function fixturesPresent(): boolean {
  return existsSync(XGBOOST_FIXTURES);
}

function csv(path: string): { header: string[]; rows: string[][] } {
  const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  // The fixture CSVs quote nothing: category names hold no commas.
  return { header: head.split(','), rows: lines.map((l) => l.split(',')) };
}

export function fixtureCases(): FixtureCase[] {
  if (!fixturesPresent()) return [];
  const cases: FixtureCase[] = [];
  for (const version of readdirSync(XGBOOST_FIXTURES)
    .filter((d) => d.startsWith('xgboost-'))
    .sort()) {
    for (const name of readdirSync(join(XGBOOST_FIXTURES, version)).sort()) {
      const dir = join(XGBOOST_FIXTURES, version, name);
      const meta = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Record<string, unknown>;
      const rows = csv(join(dir, 'rows.csv'));
      const expected = csv(join(dir, 'expected.csv'));
      const numbers = expected.rows.map((r) => r.map(Number));
      const tolerance = meta.tolerance as { prediction_abs: number; contribution_abs: number };
      cases.push({
        id: `${version}/${name}`,
        dir,
        xgboost: String(meta.xgboost),
        name,
        modelFile: join(dir, String(meta.model_file)),
        objective: String(meta.objective),
        booster: String(meta.booster),
        baseScore: String(meta.base_score),
        tolerance: { prediction: tolerance.prediction_abs, contribution: tolerance.contribution_abs },
        header: rows.header,
        cells: rows.rows,
        prediction: numbers.map((r) => r[0]),
        margin: numbers.map((r) => r[1]),
        contributions: numbers.map((r) => r.slice(2)),
      });
    }
  }
  return cases;
}
