import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';

import {
  AnswersDifferError,
  checkEndpointAnswers,
  goldenRowsFromModel,
  parseAnswers,
} from '../../../lambda/answer-check/core';
import { sha256Hex } from '../../../src/integrity/digest';
import { loadModel } from '../../../src/scorer';

const SAMPLE = readFileSync(join(__dirname, '../../../models/sample-churn/model.json'), 'utf8');

function artifact(model: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'answer-check-'));
  writeFileSync(join(dir, 'xgboost-model'), model);
  create({ gzip: true, cwd: dir, file: join(dir, 'model.tar.gz'), sync: true, portable: true }, [
    'xgboost-model',
  ]);
  return readFileSync(join(dir, 'model.tar.gz'));
}

const bytes = artifact(SAMPLE);
const props = {
  EndpointName: 'churn-prod',
  ModelDataUrl: 's3://models/models/sha256/x/model.tar.gz',
  ArtifactSha256: sha256Hex(bytes),
};
const model = loadModel(SAMPLE);

/** An endpoint that scores the CSV it receives with `scorer` and prints 9 significant digits, as containers do. */
function endpoint(scorer: ReturnType<typeof loadModel>, tamper: (answers: number[]) => number[] = (a) => a) {
  const calls: string[] = [];
  return {
    calls,
    invokeEndpoint: (_name: string, csv: string) => {
      calls.push(csv);
      const rows = csv.split('\n').map((line) => line.split(',').map((c) => (c === '' ? NaN : Number(c))));
      const answers = tamper(rows.map((r) => scorer.predict(r)));
      return Promise.resolve(answers.map((a) => a.toPrecision(9)).join('\n'));
    },
  };
}

describe('served-answer check (MODEL-6): the endpoint just deployed must answer like the exact scorer', () => {
  it('passes when the endpoint answers the golden rows as the model should', async () => {
    const served = endpoint(model);
    const result = await checkEndpointAnswers(
      { readArtifact: () => Promise.resolve(bytes), ...served },
      props,
    );
    expect(result.rows).toBe(200);
    expect(result.worstDifference).toBeLessThan(1e-7);
    // The rows take the model's split points, missing values and unseen codes.
    expect(served.calls[0].split('\n')).toHaveLength(200);
    expect(served.calls[0]).toMatch(/(^|,),|,$/m);
  });

  it('fails the deployment on a deliberately wrong answer, naming the first differing row', async () => {
    const served = endpoint(model, (a) => a.map((v, i) => (i === 6 ? v + 0.01 : v)));
    const error = await checkEndpointAnswers(
      { readArtifact: () => Promise.resolve(bytes), ...served },
      props,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AnswersDifferError);
    expect((error as Error).message).toMatch(
      /^served-answer check failed: endpoint churn-prod answered 200 values for 200 golden rows, and row 7 differs: expected 0\.\d+ \(the exact scorer on s3:\/\/models\/models\/sha256\/x\/model\.tar\.gz\), got 0\.\d+ \(tolerance 0\.00001\); row 7 = \[/,
    );
    expect((error as Error).message).toContain('rolls the endpoint back to its last good configuration');
  });

  it('catches an image that ignores the model intercept (a 3.1 model read by XGBoost 1.7 keeps base_score 0.5)', async () => {
    const doc = JSON.parse(SAMPLE);
    doc.learner.learner_model_param.base_score = '4.3175E-1';
    const deployed = JSON.stringify(doc);
    const misread = loadModel(SAMPLE); // base_score 0.5, as 1.7 reads it
    const bytes31 = artifact(deployed);
    const served = endpoint(misread);
    await expect(
      checkEndpointAnswers(
        { readArtifact: () => Promise.resolve(bytes31), ...served },
        { ...props, ArtifactSha256: sha256Hex(bytes31) },
      ),
    ).rejects.toThrow(/row 1 differs/);
  });

  it('fails on a short answer, a non-number, or an artifact that is not the verified one', async () => {
    const short = endpoint(model, (a) => a.slice(0, 150));
    await expect(
      checkEndpointAnswers({ readArtifact: () => Promise.resolve(bytes), ...short }, props),
    ).rejects.toThrow(
      /answered 150 values for 200 golden rows, and row 151 differs: expected [\d.]+ .*got no number/,
    );
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 5] ^= 1;
    await expect(
      checkEndpointAnswers({ readArtifact: () => Promise.resolve(tampered), ...endpoint(model) }, props),
    ).rejects.toThrow(/SHA-256/);
    expect(parseAnswers('0.5\n0.25,\n')).toEqual([0.5, 0.25]);
  });

  it('draws the same golden rows for the same model', () => {
    expect(goldenRowsFromModel(model)).toEqual(goldenRowsFromModel(loadModel(SAMPLE)));
  });
});
