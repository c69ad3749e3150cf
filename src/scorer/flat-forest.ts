import { MASK_CATEGORIES, OUT_OF_RANGE_CATEGORY, type CompiledForest } from './compiled';
import { LANES, RECORD_BYTES, type ForestKernelExport } from './forest-kernel-abi';
import { FOREST_KERNEL_WASM } from './forest-kernel-wasm';

export { LANES } from './forest-kernel-abi';

/**
 * Rows scored per block: each tree is walked by all rows of a block before the next tree, so the tree
 * (a few KiB) stays in the L1 cache while the block's prepared rows (LANES * 2 * numFeatures float32
 * per lane group) stay there too.
 */
export const BLOCK_ROWS = 128;

/** Deepest tree the flat layout takes (2^21 entries for that tree alone); deeper models walk links. */
const MAX_FLAT_DEPTH = 20;

type Walk = (
  trees: number,
  numTrees: number,
  x: number,
  groupStride: number,
  groups: number,
  margins: number,
) => void;

/** The part of the WebAssembly API used here; absent when Node runs with --jitless. */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
}

const WASM_PAGE_BYTES = 65_536;

let kernel: object | undefined;

/** Entries a model of these tree depths needs in the flat layout. */
export function flatEntries(forest: CompiledForest): number {
  let entries = 0;
  for (let t = 0; t < forest.numTrees; t++) entries += 2 ** (forest.treeDepth[t] + 1) - 1;
  return entries;
}

/**
 * The forest of a CompiledForest as complete binary trees in implicit layout (entry i has children
 * 2i + 1 and 2i + 2, within the tree), for scoring only, walked by a WebAssembly kernel
 * (scripts/forest-kernel.ts) in the kernel's own memory, which also holds a block of prepared rows
 * and their margins. Compared with the linked layout a step loads no child index, and the walk of
 * LANES rows through one tree needs no per-row offset.
 *
 * Every tree is padded to its own depth d: 2^(d+1) - 1 entries, the last 2^d of them leaves. A leaf of
 * the original tree above the bottom level becomes a node that always goes left (threshold NaN, mask
 * 0), and its value sits at the bottom entry its leftmost descendant reaches, so a walk of exactly d
 * steps ends on the right value with no leaf test. Decisions are CompiledForest's, unchanged:
 *
 *     right = (x[slot] >= threshold) | ((mask >>> x[slot]) & 1)
 *
 * Memory is RECORD_BYTES per entry (8, 16 with categorical masks), 2^(d+1) - 1 entries per tree
 * whatever its real size, so a model of deep sparse trees could need much more than its linked form:
 * `build` returns undefined when the records would exceed the budget, and such models keep the linked
 * walk, as do all models where WebAssembly is unavailable (node --jitless).
 */
export class FlatForest {
  /**
   * The flat layout of a forest, or undefined when its records would take more than `maxBytes`, when
   * a tree is deeper than MAX_FLAT_DEPTH, when categorical sets too wide for a mask need the generic
   * decision, or when this runtime has no WebAssembly or refuses its memory.
   */
  static build(forest: CompiledForest, maxBytes: number): FlatForest | undefined {
    const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (api === undefined || forest.generic !== undefined || forest.maxDepth > MAX_FLAT_DEPTH)
      return undefined;
    const masks = forest.mask.some((m) => m !== 0);
    const recordBytes = masks ? RECORD_BYTES.withMasks : RECORD_BYTES.numeric;
    const entries = flatEntries(forest);
    if (entries * recordBytes > maxBytes) return undefined;
    try {
      return new FlatForest(api, forest, masks, recordBytes * entries);
    } catch (error) {
      // The runtime refused the memory (past WebAssembly's 4 GiB, or no address space left): the
      // linked walk needs none.
      if (error instanceof RangeError) return undefined;
      throw error;
    }
  }

  /** BLOCK_ROWS rows prepared lane-interleaved (prepareBlock), or one row in lane 0 (slot s at LANES * s). */
  readonly block: Float32Array;
  /** `block` as integers: categorical codes are prepared as integers, so the mask test shifts by them. */
  readonly blockCodes: Int32Array;
  /** One margin per row of the block, which `addBlockMargins` and `margin` add the trees to. */
  readonly blockMargins: Float64Array;
  /** Distance between lane groups in `block`, in float32 values. */
  readonly groupStride: number;

  private readonly numTrees: number;
  private readonly blockAt: number;
  private readonly marginsAt: number;
  private readonly walkBlock: Walk;
  private readonly walkRow: Walk;

  private constructor(api: WebAssemblyApi, forest: CompiledForest, masks: boolean, recordsBytes: number) {
    const numTrees = forest.numTrees;
    const recordWords = (masks ? RECORD_BYTES.withMasks : RECORD_BYTES.numeric) / 4;
    const recordsAt = 8 * numTrees;
    this.groupStride = LANES * 2 * forest.numFeatures;
    this.blockAt = recordsAt + recordsBytes;
    this.marginsAt = this.blockAt + 4 * BLOCK_ROWS * 2 * forest.numFeatures;
    const pages = Math.ceil((this.marginsAt + 8 * BLOCK_ROWS) / WASM_PAGE_BYTES);
    const memory = new api.Memory({ initial: pages, maximum: pages });
    kernel ??= new api.Module(Buffer.from(FOREST_KERNEL_WASM, 'base64'));
    const { exports } = new api.Instance(kernel, { env: { memory } });
    const blockWalk: ForestKernelExport = masks ? 'addMarginsWithMasks' : 'addMargins';
    const rowWalk: ForestKernelExport = masks ? 'addMarginsOneLaneWithMasks' : 'addMarginsOneLane';
    this.walkBlock = exports[blockWalk] as Walk;
    this.walkRow = exports[rowWalk] as Walk;
    this.numTrees = numTrees;

    const words = new Int32Array(memory.buffer);
    const floats = new Float32Array(memory.buffer);
    // A new memory is zeroed: slot offsets and masks start at 0, thresholds at NaN (padding goes left).
    for (let threshold = recordsAt / 4 + 1; threshold < this.blockAt / 4; threshold += recordWords)
      floats[threshold] = NaN;
    let root = recordsAt / 4;
    for (let t = 0; t < numTrees; t++) {
      const depth = forest.treeDepth[t];
      words[2 * t] = 4 * root;
      words[2 * t + 1] = depth;
      const place = (node: number, entry: number, level: number): void => {
        if (forest.feature[node] < 0) {
          // Padding below a shallow leaf goes left: the leftmost bottom entry holds the value.
          let bottom = entry;
          for (let l = level; l < depth; l++) bottom = 2 * bottom + 1;
          floats[root + recordWords * bottom + 1] = forest.leafValue[node];
          return;
        }
        const at = root + recordWords * entry;
        words[at] = 4 * LANES * forest.slot[node];
        floats[at + 1] = forest.threshold[node];
        if (masks) words[at + 2] = forest.mask[node];
        place(forest.leftChild[node], 2 * entry + 1, level + 1);
        place(forest.leftChild[node] + 1, 2 * entry + 2, level + 1);
      };
      place(forest.treeRoot[t], 0, 0);
      // Bottom entries below padding other than the leftmost stay NaN: no walk reaches them.
      root += recordWords * (2 ** (depth + 1) - 1);
    }
    this.block = new Float32Array(memory.buffer, this.blockAt, BLOCK_ROWS * 2 * forest.numFeatures);
    this.blockCodes = new Int32Array(memory.buffer, this.blockAt, this.block.length);
    this.blockMargins = new Float64Array(memory.buffer, this.marginsAt, BLOCK_ROWS);
  }

  /**
   * Adds every tree's leaf to blockMargins[0 .. groups * LANES) for the lane groups prepared in
   * `block`: trees outer, groups inner, the LANES rows of a group in lock-step. Lanes past the last
   * row of a partial group walk whatever an earlier block left there; their margins are not read.
   */
  addBlockMargins(groups: number): void {
    this.walkBlock(0, this.numTrees, this.blockAt, 4 * this.groupStride, groups, this.marginsAt);
  }

  /** Margin, from `base`, of the one row prepared in lane 0 of `block`. */
  margin(base: number): number {
    this.blockMargins[0] = base;
    this.walkRow(0, this.numTrees, this.blockAt, 0, 1, this.marginsAt);
    return this.blockMargins[0];
  }
}

/**
 * Prepares rows first .. first + count - 1 of a row-major Float32Array batch for `FlatForest.addBlockMargins`, as
 * `prepareRow` with step LANES and `codesAsInt` would one by one (same values: the batch is float32
 * already, so no rounding is needed), but feature by feature: the feature's kind is tested once, and
 * the writes of consecutive rows are adjacent.
 */
export function prepareBlock(
  forest: CompiledForest,
  rows: Float32Array,
  first: number,
  count: number,
  out: Float32Array,
  codes: Int32Array,
  groupStride: number,
): void {
  const n = forest.numFeatures;
  const categorical = forest.categorical;
  for (let f = 0; f < n; f++) {
    const slot = 2 * f * LANES;
    if (categorical[f] === 0) {
      let group = slot;
      let lane = 0;
      for (let i = 0; i < count; i++) {
        const v = rows[(first + i) * n + f];
        const o = group + lane;
        if (v !== v) {
          out[o] = -Infinity;
          out[o + LANES] = Infinity;
        } else {
          out[o] = v;
          out[o + LANES] = v;
        }
        if (++lane === LANES) {
          lane = 0;
          group += groupStride;
        }
      }
    } else {
      let group = slot;
      let lane = 0;
      for (let i = 0; i < count; i++) {
        const v = rows[(first + i) * n + f];
        const o = group + lane;
        if (v !== v) {
          out[o] = -Infinity;
          out[o + LANES] = Infinity;
        } else {
          const code = v >= 0 && v < OUT_OF_RANGE_CATEGORY && v < MASK_CATEGORIES ? Math.trunc(v) + 1 : 0;
          codes[o] = code;
          codes[o + LANES] = code;
        }
        if (++lane === LANES) {
          lane = 0;
          group += groupStride;
        }
      }
    }
  }
}
