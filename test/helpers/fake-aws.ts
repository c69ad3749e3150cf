import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake AWS on loopback for chaos tests: KMS GenerateMac, S3 GetObject/PutObject and SageMaker runtime
 * InvokeEndpoint, spoken over HTTP to the real SDK clients (AWS_ENDPOINT_URL_*). Each service can be told
 * to answer, answer slowly, hang (accept and never answer), throttle, fail with a 5xx or answer garbage.
 */

export type Behaviour =
  | { readonly kind: 'ok' }
  | { readonly kind: 'slow'; readonly ms: number }
  | { readonly kind: 'hang' }
  | { readonly kind: 'throttle' }
  | { readonly kind: 'error5xx' }
  | { readonly kind: 'garbage' };

export type Service = 'kms' | 's3get' | 's3put' | 'sagemaker';

export const OK: Behaviour = { kind: 'ok' };

export interface FakeAwsOptions {
  /** HMAC secret standing in for the KMS key. */
  readonly macSecret: string;
  /** Bytes S3 GetObject answers (the model artifact). */
  readonly object: Uint8Array;
  /** What InvokeEndpoint answers for a CSV body of n rows. */
  readonly scores?: (rows: number) => string;
}

export interface FakeAws {
  readonly url: string;
  /** Requests received per service (including ones left hanging). */
  readonly calls: Record<Service, number>;
  /** Bodies of PutObject requests that were answered 200 (what S3 stored). */
  readonly stored: string[];
  /** Request paths (bucket and key) of those PutObject requests, in the same order. */
  readonly storedPaths: string[];
  set(service: Service, behaviour: Behaviour): void;
  reset(): void;
  close(): Promise<void>;
}

function serviceOf(req: IncomingMessage): Service {
  if (String(req.headers['x-amz-target'] ?? '').startsWith('TrentService.')) return 'kms';
  if ((req.url ?? '').includes('/invocations')) return 'sagemaker';
  return req.method === 'GET' ? 's3get' : 's3put';
}

function throttle(res: ServerResponse, service: Service): void {
  if (service === 'kms') {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
  } else if (service === 'sagemaker') {
    res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottlingException' });
    res.end(JSON.stringify({ message: 'Rate exceeded' }));
  } else {
    res.writeHead(503, { 'content-type': 'application/xml' });
    res.end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
  }
}

function serverError(res: ServerResponse, service: Service): void {
  if (service === 'kms') {
    res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ __type: 'KMSInternalException', message: 'internal' }));
  } else if (service === 'sagemaker') {
    res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailure' });
    res.end(JSON.stringify({ message: 'internal' }));
  } else {
    res.writeHead(500, { 'content-type': 'application/xml' });
    res.end('<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>');
  }
}

export function startFakeAws(options: FakeAwsOptions): Promise<FakeAws> {
  const behaviours = new Map<Service, Behaviour>();
  const calls: Record<Service, number> = { kms: 0, s3get: 0, s3put: 0, sagemaker: 0 };
  const stored: string[] = [];
  const storedPaths: string[] = [];
  const answer = (service: Service, res: ServerResponse, body: Buffer, path: string) => {
    if (service === 'kms') {
      const input = JSON.parse(body.toString()) as { Message: string; KeyId: string };
      const mac = createHmac('sha256', options.macSecret)
        .update(Buffer.from(input.Message, 'base64'))
        .digest('base64');
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ Mac: mac, KeyId: input.KeyId, MacAlgorithm: 'HMAC_SHA_256' }));
    } else if (service === 's3get') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': options.object.length });
      res.end(options.object);
    } else if (service === 's3put') {
      stored.push(body.toString());
      storedPaths.push(path);
      res.writeHead(200, { etag: '"fake"' });
      res.end();
    } else {
      const rows = body.toString().split('\n').length;
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end(options.scores ? options.scores(rows) : Array(rows).fill('0.5').join('\n'));
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    // Decided when the request arrives: a request that hung stays hung if the behaviour changes later.
    const service = serviceOf(req);
    calls[service]++;
    const behaviour = behaviours.get(service) ?? OK;
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      switch (behaviour.kind) {
        case 'hang':
          return; // accepted, never answered
        case 'slow': {
          const timer = setTimeout(() => answer(service, res, body, req.url ?? ''), behaviour.ms);
          res.on('close', () => clearTimeout(timer));
          return;
        }
        case 'throttle':
          return throttle(res, service);
        case 'error5xx':
          return serverError(res, service);
        case 'garbage':
          res.writeHead(200, { 'content-type': service === 'sagemaker' ? 'text/csv' : 'application/json' });
          return void res.end('<html>upstream proxy error</html>');
        default:
          return answer(service, res, body, req.url ?? '');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        calls,
        stored,
        storedPaths,
        set: (service, behaviour) => behaviours.set(service, behaviour),
        reset: () => {
          behaviours.clear();
          for (const k of Object.keys(calls) as Service[]) calls[k] = 0;
          stored.length = 0;
          storedPaths.length = 0;
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    }),
  );
}
