import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ModelArtifactError, modelFromArtifact } from '../../src/scorer/artifact';
import type { TreeEnsembleModel } from '../../src/scorer';

export { ModelArtifactError, modelFromArtifact } from '../../src/scorer/artifact';

export function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(url);
  if (!match) throw new ModelArtifactError(`model data URL '${url}' is not an s3://bucket/key URL`);
  return { bucket: match[1], key: match[2] };
}

/** Reads the artifact the model gate resolved (its ModelDataUrl) and loads it with `modelFromArtifact`. */
export async function loadServedModel(
  s3: Pick<S3Client, 'send'>,
  modelDataUrl: string,
  expectedSha256: string,
  abortSignal?: AbortSignal,
): Promise<TreeEnsembleModel> {
  const { bucket, key } = parseS3Url(modelDataUrl);
  const object = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: key }),
    abortSignal ? { abortSignal } : {},
  );
  if (!object.Body) throw new ModelArtifactError(`${modelDataUrl} has no body`);
  const bytes = await object.Body.transformToByteArray();
  return modelFromArtifact(bytes, expectedSha256, modelDataUrl);
}
