import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';

/**
 * moto_server, the stateful AWS emulator of python3's `moto` package, started by a test on a free loopback
 * port and stopped afterwards. No AWS account or network beyond loopback is involved.
 */
export interface MotoServer {
  readonly endpoint: string;
  readonly region: string;
  /** Credentials moto accepts (any); never real ones. */
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

export const MOTO_MISSING =
  "moto_server is not on PATH: this test needs python3's moto with its server extra (pip install 'moto[server]')";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function answers(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${endpoint}/moto-api/`, { method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/**
 * Starts moto_server; rejects with MOTO_MISSING when it is not installed, or with its output if it dies.
 * `command` exists for the test of that message.
 */
export async function startMoto(
  region = 'eu-west-1',
  { command = 'moto_server', readyWithinMs = 30_000 } = {},
): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let missing = false;
  child.once('error', (error: NodeJS.ErrnoException) => {
    missing = error.code === 'ENOENT';
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && !missing) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  const deadline = Date.now() + readyWithinMs;
  while (!(await answers(endpoint))) {
    if (missing) throw new Error(MOTO_MISSING);
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not start on ${endpoint}: ${output || '(no output)'}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    region,
    credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' },
    stop,
  };
}
