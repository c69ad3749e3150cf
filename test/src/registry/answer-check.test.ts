import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { create } from 'tar';

import { sha256Hex } from '../../../src/integrity/digest';
import {
  AnswersDifferError,
  buildProvenance,
  checkEndpointAnswers,
  goldenRowsFromModel,
  parseAnswers,
  provenanceLocation,
  type AnswerCheckDeps,
} from '../../../src/registry';
import { ANSWER_CHECK_INFERENCE_ID, answerCheckDeps } from '../../../src/registry/answer-check-aws';
import { loadModel } from '../../../src/scorer';
import { s3Error } from './aws-fakes';

const SAMPLE = readFileSync(join(__dirname, '../../../models/sample-churn/model.json'), 'utf8');
const URL = 's3://models/models/sha256/x/model.tar.gz';

function artifact(model: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'answer-check-'));
  writeFileSync(join(dir, 'xgboost-model'), model);
  create({ gzip: true, cwd: dir, file: join(dir, 'model.tar.gz'), sync: true, portable: true }, [
    'xgboost-model',
  ]);
  return readFileSync(join(dir, 'model.tar.gz'));
}

const bytes = artifact(SAMPLE);
const props = { EndpointName: 'churn-prod', ModelDataUrl: URL, ArtifactSha256: sha256Hex(bytes) };
const model = loadModel(SAMPLE);

/** The provenance `publish` stores: 30 golden rows drawn the way publish draws them, scored exactly. */
function provenanceOf(artifactBytes: Buffer, forModel = model, source = 'baseline baseline.json'): Buffer {
  const doc = buildProvenance({
    model: forModel,
    modelFile: { name: 'xgboost-model', bytes: Buffer.from(SAMPLE) },
    artifactSha256: sha256Hex(artifactBytes),
    goldenRows: goldenRowsFromModel(forModel, 30).map((r) => r.map((v, i) => (i === 0 ? v + 1 : v))),
    goldenSource: source,
  });
  return Buffer.from(JSON.stringify(doc));
}

function store(objects: Record<string, Buffer>): AnswerCheckDeps['readObject'] {
  return (url) => Promise.resolve(objects[url]);
}

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

const withProvenance = store({ [URL]: bytes, [provenanceLocation(URL)]: provenanceOf(bytes) });

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('served-answer check (MODEL-6): what was just deployed must answer the golden rows as recorded', () => {
  it('MODEL-6 passes when the endpoint answers the recorded golden rows and the split-point rows as the model should', async () => {
    const served = endpoint(model);
    const result = await checkEndpointAnswers({ readObject: withProvenance, ...served }, props);
    expect(result).toEqual({
      checked: true,
      rows: 230,
      goldenSource: '30 golden rows from baseline baseline.json and 200 split-point rows',
      worstDifference: expect.any(Number),
    });
    expect(result.checked && result.worstDifference).toBeLessThan(1e-7);
    // The split-point rows take missing values and unseen codes too.
    expect(served.calls[0].split('\n')).toHaveLength(230);
    expect(served.calls[0]).toMatch(/(^|,),|,$/m);
  });

  it('MODEL-6 fails the deployment on a deliberately wrong endpoint answer, naming the first differing row', async () => {
    const served = endpoint(model, (a) => a.map((v, i) => (i === 6 ? v + 0.01 : v)));
    const error = await failure(checkEndpointAnswers({ readObject: withProvenance, ...served }, props));
    expect(error).toBeInstanceOf(AnswersDifferError);
    expect(error.message).toMatch(
      /^served-answer check failed: endpoint churn-prod answered 230 values for 230 rows, and row 7 \(golden row 7 \(recorded at publish from baseline baseline\.json\)\) differs: expected 0\.\d+ \(the exact scorer on s3:\/\/models\/models\/sha256\/x\/model\.tar\.gz\), got 0\.\d+ \(tolerance 0\.00001\); row 7 = \[/,
    );
    expect(error.message).toContain('rolls the endpoint back to its last good configuration');
    const late = endpoint(model, (a) => a.map((v, i) => (i === 40 ? v - 0.5 : v)));
    expect(
      (await failure(checkEndpointAnswers({ readObject: withProvenance, ...late }, props))).message,
    ).toContain('row 41 (split-point row 11) differs');
  });

  it('MODEL-6 catches an image that ignores the model intercept (a 3.1 model read by XGBoost 1.7 keeps base_score 0.5)', async () => {
    const doc = JSON.parse(SAMPLE);
    doc.learner.learner_model_param.base_score = '4.3175E-1';
    const deployed = JSON.stringify(doc);
    const bytes31 = artifact(deployed);
    const misread = loadModel(SAMPLE); // base_score 0.5, as 1.7 reads it
    const error = await failure(
      checkEndpointAnswers(
        { readObject: store({ [URL]: bytes31 }), ...endpoint(misread) },
        { ...props, ArtifactSha256: sha256Hex(bytes31) },
      ),
    );
    expect(error.message).toMatch(/row 1 \(split-point row 1\) differs/);
  });

  it('MODEL-6 fails on a short answer, a tampered artifact, or a provenance document that is not this model', async () => {
    const short = endpoint(model, (a) => a.slice(0, 150));
    expect(
      (await failure(checkEndpointAnswers({ readObject: withProvenance, ...short }, props))).message,
    ).toMatch(
      /answered 150 values for 230 rows, and row 151 \(split-point row 121\) differs: expected [\d.]+ .*got no number/,
    );
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 5] ^= 1;
    expect(
      (
        await failure(
          checkEndpointAnswers({ readObject: store({ [URL]: tampered }), ...endpoint(model) }, props),
        )
      ).message,
    ).toMatch(/SHA-256/);
    const forged = JSON.parse(provenanceOf(bytes).toString());
    forged.golden.predictions[3] += 0.2;
    const forgedStore = store({
      [URL]: bytes,
      [provenanceLocation(URL)]: Buffer.from(JSON.stringify(forged)),
    });
    expect(
      (await failure(checkEndpointAnswers({ readObject: forgedStore, ...endpoint(model) }, props))).message,
    ).toMatch(
      /golden row 4 records prediction .* but the exact scorer answers .* the document or the scorer changed since publish/,
    );
    const other = store({ [URL]: bytes, [provenanceLocation(URL)]: provenanceOf(Buffer.from('other')) });
    expect(
      (await failure(checkEndpointAnswers({ readObject: other, ...endpoint(model) }, props))).message,
    ).toMatch(/records artifact [0-9a-f]{64}, not [0-9a-f]{64}; it is not this version's provenance/);
    expect(parseAnswers('0.5\n0.25,\n')).toEqual([0.5, 0.25]);
  });

  it('MODEL-6 checks a version published before provenance existed on the split-point rows alone', async () => {
    const served = endpoint(model);
    const result = await checkEndpointAnswers({ readObject: store({ [URL]: bytes }), ...served }, props);
    expect(result).toMatchObject({ checked: true, rows: 200 });
    expect(result.checked && result.goldenSource).toContain(
      'no provenance document at ' + provenanceLocation(URL),
    );
  });

  it('MODEL-6 skips the check when CloudFormation rolls it back while the endpoint runs another configuration', async () => {
    const served = endpoint(model, () => []);
    const result = await checkEndpointAnswers(
      { readObject: withProvenance, ...served, currentEndpointConfig: () => Promise.resolve('config-new') },
      { ...props, EndpointConfigName: 'config-old' },
    );
    expect(result).toEqual({
      checked: false,
      reason: expect.stringContaining('runs configuration config-new, not config-old'),
    });
    expect(served.calls).toHaveLength(0);
    // On its own configuration the check runs (and here fails: the endpoint answers nothing).
    await failure(
      checkEndpointAnswers(
        { readObject: withProvenance, ...served, currentEndpointConfig: () => Promise.resolve('config-old') },
        { ...props, EndpointConfigName: 'config-old' },
      ),
    );
  });

  it('draws the same split-point rows for the same model', () => {
    expect(goldenRowsFromModel(model)).toEqual(goldenRowsFromModel(loadModel(SAMPLE)));
  });
});

describe('served-answer check AWS calls', () => {
  const s3 = mockClient(S3Client);
  const runtime = mockClient(SageMakerRuntimeClient);
  const sagemaker = mockClient(SageMakerClient);
  afterAll(() => {
    s3.restore();
    runtime.restore();
    sagemaker.restore();
  });

  it('reads objects (a missing one is undefined), invokes the endpoint with CSV marked as the check, and reads its configuration', async () => {
    const deps = answerCheckDeps({
      s3: new S3Client({}),
      runtime: new SageMakerRuntimeClient({}),
      sagemaker: new SageMakerClient({}),
    });
    s3.on(GetObjectCommand, { Key: 'a/model.tar.gz' }).resolves({
      Body: { transformToByteArray: () => Promise.resolve(new Uint8Array([1, 2])) } as never,
    });
    s3.on(GetObjectCommand, { Key: 'a/model.tar.gz.provenance.json' }).rejects(
      s3Error('NoSuchKey', 'The specified key does not exist.', 404),
    );
    s3.on(GetObjectCommand, { Key: 'denied' }).rejects(s3Error('AccessDenied', 'Access Denied', 403));
    runtime.on(InvokeEndpointCommand).resolves({ Body: new TextEncoder().encode('0.5\n') as never });
    sagemaker.on(DescribeEndpointCommand).resolves({ EndpointConfigName: 'cfg-1' } as never);

    expect(await deps.readObject('s3://b/a/model.tar.gz')).toEqual(Buffer.from([1, 2]));
    expect(await deps.readObject('s3://b/a/model.tar.gz.provenance.json')).toBeUndefined();
    await expect(deps.readObject('s3://b/denied')).rejects.toThrow('Access Denied');
    expect(await deps.invokeEndpoint('churn-prod', '1,2\n3,')).toBe('0.5\n');
    expect(runtime.commandCalls(InvokeEndpointCommand)[0].args[0].input).toEqual({
      EndpointName: 'churn-prod',
      ContentType: 'text/csv',
      Accept: 'text/csv',
      InferenceId: ANSWER_CHECK_INFERENCE_ID,
      Body: '1,2\n3,',
    });
    expect(await deps.currentEndpointConfig?.('churn-prod')).toBe('cfg-1');
    expect(sagemaker.commandCalls(DescribeEndpointCommand)[0].args[0].input).toEqual({
      EndpointName: 'churn-prod',
    });
  });
});
