import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parseState, RollbackState, StateStore } from './state';

/** Rollback state as one JSON object; the bucket's default KMS encryption protects it at rest. */
export class S3StateStore implements StateStore {
  constructor(
    private readonly s3: Pick<S3Client, 'send'>,
    private readonly bucket: string,
    private readonly key: string,
    private readonly endpointName: string,
  ) {}

  async load(): Promise<RollbackState | undefined> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      const text = await object.Body?.transformToString('utf-8');
      return text === undefined ? undefined : parseState(text, this.endpointName);
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async save(state: RollbackState): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key,
        Body: JSON.stringify(state, null, 2),
        ContentType: 'application/json',
      }),
    );
  }
}
