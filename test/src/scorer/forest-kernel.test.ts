import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { FOREST_KERNEL_MODULE_PATH, forestKernelModuleText } from '../../../scripts/forest-kernel';
import { FOREST_KERNEL_EXPORTS } from '../../../src/scorer/forest-kernel-abi';
import { FOREST_KERNEL_WASM } from '../../../src/scorer/forest-kernel-wasm';
import { loadModel, type TreeEnsembleModel } from '../../../src/scorer';
import { randomModelJson, randomRows } from '../../helpers/random-model';

const REPO_ROOT = path.join(__dirname, '..', '..', '..');

/** The reflection part of WebAssembly's API (the project's TypeScript lib declares no DOM globals). */
interface ModuleDescriptor {
  readonly module?: string;
  readonly name: string;
  readonly kind: string;
}
const WebAssemblyReflection = (
  globalThis as unknown as {
    WebAssembly: {
      Module: (new (bytes: Uint8Array) => object) & {
        exports(module: object): ModuleDescriptor[];
        imports(module: object): ModuleDescriptor[];
      };
    };
  }
).WebAssembly.Module;

describe('the WebAssembly forest walk (src/scorer/forest-kernel-wasm.ts)', () => {
  test('is what scripts/forest-kernel.ts assembles from its text today (run `npm run kernel:build` after changing it)', async () => {
    expect(readFileSync(FOREST_KERNEL_MODULE_PATH, 'utf8')).toBe(await forestKernelModuleText());
  });

  test('`npm run kernel:build` writes exactly that file', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'kernel-')), 'forest-kernel-wasm.ts');
    execFileSync('npm', ['run', '--silent', 'kernel:build', '--', out], { cwd: REPO_ROOT, stdio: 'pipe' });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(FOREST_KERNEL_MODULE_PATH, 'utf8'));
  });

  test('exports exactly the walks the host calls, and imports nothing but its memory', () => {
    const module = new WebAssemblyReflection(Buffer.from(FOREST_KERNEL_WASM, 'base64'));
    expect(WebAssemblyReflection.exports(module).map((e) => e.name)).toEqual([...FOREST_KERNEL_EXPORTS]);
    expect(WebAssemblyReflection.imports(module)).toEqual([
      { module: 'env', name: 'memory', kind: 'memory' },
    ]);
  });
});

describe('scoring where WebAssembly is unavailable (node --jitless)', () => {
  const options = { seed: 11, numTrees: 25, numFeatures: 9, maxDepth: 6, categorical: 2 };
  const json = randomModelJson(options);
  const rows = randomRows(options.seed, 150, options.numFeatures, options.categorical);

  /** Loads the model while globalThis.WebAssembly is `replacement` (absent when undefined). */
  function loadWithWebAssembly(replacement: object | undefined): TreeEnsembleModel {
    const webAssembly = Object.getOwnPropertyDescriptor(globalThis, 'WebAssembly') as PropertyDescriptor;
    try {
      Reflect.deleteProperty(globalThis, 'WebAssembly');
      if (replacement !== undefined)
        Object.defineProperty(globalThis, 'WebAssembly', { ...webAssembly, value: replacement });
      return loadModel(json);
    } finally {
      Object.defineProperty(globalThis, 'WebAssembly', webAssembly);
    }
  }

  test('walks the linked trees and scores every row as the WebAssembly walk does, bit for bit', () => {
    const withKernel = loadModel(json);
    expect(withKernel.scoringLayout).toBe('flat');
    const withoutKernel = loadWithWebAssembly(undefined);
    expect(withoutKernel.scoringLayout).toBe('linked');
    const batch = new Float32Array(rows.flat());
    expect(Array.from(withoutKernel.predictBatch(batch, undefined, true))).toEqual(
      Array.from(withKernel.predictBatch(batch, undefined, true)),
    );
    expect(rows.map((r) => withoutKernel.predict(r))).toEqual(rows.map((r) => withKernel.predict(r)));
  });

  test('walks the linked trees when the runtime refuses the kernel its memory', () => {
    const real = (globalThis as unknown as { WebAssembly: object }).WebAssembly;
    const refusing = Object.create(real, {
      Memory: {
        value: class {
          constructor() {
            throw new RangeError('WebAssembly.Memory(): could not allocate memory');
          }
        },
      },
    }) as object;
    const model = loadWithWebAssembly(refusing);
    expect(model.scoringLayout).toBe('linked');
    expect(model.predictMargin(rows[0])).toBe(loadModel(json).predictMargin(rows[0]));
  });
});
