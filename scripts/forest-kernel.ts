/**
 * `npm run kernel:build`: writes the scorer's WebAssembly walk (src/scorer/forest-kernel-wasm.ts) from
 * the WebAssembly text below, compiled by wabt (the WebAssembly project's own assembler). Run it after
 * changing the text or src/scorer/forest-kernel-abi.ts (lanes, record sizes); a test fails while the
 * checked-in module is stale. An argument writes elsewhere instead. Why WebAssembly, and why text
 * assembled here rather than a compiler toolchain: docs/decisions/0010-webassembly-forest-walk.md.
 *
 * The functions walk the flat layout FlatForest lays out in the module's memory (all addresses in
 * bytes):
 *
 * - a tree table: per tree, the address of its root record (i32) and its depth (i32);
 * - records of RECORD_BYTES (8, or 16 for models with categorical masks): the byte offset within a
 *   prepared lane group of the slot the node reads (i32, slot s of lane 0 at 4 * LANES * s), the
 *   float32 threshold (a leaf's value at the bottom level), and the categorical mask (i32);
 * - prepared rows, lane-interleaved as prepareBlock writes them: group g at x + g * groupStride, and
 *   per group one float64 margin per lane at margins + 8 * (g * lanes + lane).
 *
 * Every function has the signature (trees, numTrees, x, groupStride, groups, margins) and adds each
 * tree's leaf to the margins, tree by tree, with the decision of CompiledForest:
 *
 *     right = (x[slot] >= threshold) | ((mask >>> x[slot]) & 1)
 *
 * and the rounding of XGBoost: the float64 sum of the margin and the leaf, rounded to float32 after
 * every tree. `i32.shr_u` takes its count modulo 32 as JavaScript's `>>>` does, `f32.ge` is false for a
 * NaN threshold (padding goes left), so the walk is the linked JavaScript walk's bit for bit.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import wabt from 'wabt';
import {
  FOREST_KERNEL_EXPORTS,
  LANES,
  RECORD_BYTES,
  type ForestKernelExport,
} from '../src/scorer/forest-kernel-abi';

export const FOREST_KERNEL_MODULE_PATH = path.join(__dirname, '..', 'src', 'scorer', 'forest-kernel-wasm.ts');

const KERNELS: Record<ForestKernelExport, { lanes: number; masks: boolean }> = {
  addMargins: { lanes: LANES, masks: false },
  addMarginsWithMasks: { lanes: LANES, masks: true },
  addMarginsOneLane: { lanes: 1, masks: false },
  addMarginsOneLaneWithMasks: { lanes: 1, masks: true },
};

function eachLane(lanes: number, text: (lane: number) => string): string {
  return Array.from({ length: lanes }, (_, lane) => text(lane)).join('\n');
}

/**
 * One walk, `lanes` rows of a group in lock-step: each lane is an independent chain of loads, so the
 * CPU overlaps them (the one-lane forms serve single rows).
 */
function walkFunction(name: string, lanes: number, masks: boolean): string {
  const recordBytes = masks ? RECORD_BYTES.withMasks : RECORD_BYTES.numeric;
  const recordShift = Math.log2(recordBytes);
  const goesRight = (lane: number): string => {
    const x = masks ? `(local.get $p${lane})` : `(i32.add (local.get $o) (i32.load (local.get $a${lane})))`;
    const above = `(f32.ge (f32.load offset=${4 * lane} ${x}) (f32.load offset=4 (local.get $a${lane})))`;
    if (!masks) return above;
    const inMask = `(i32.and (i32.shr_u (i32.load offset=8 (local.get $a${lane})) (i32.load offset=${4 * lane} ${x})) (i32.const 1))`;
    return `(i32.or ${above} ${inMask})`;
  };
  const step = (lane: number): string =>
    (masks ? `(local.set $p${lane} (i32.add (local.get $o) (i32.load (local.get $a${lane}))))\n` : '') +
    `(local.set $a${lane} (i32.add (i32.add (i32.shl (local.get $a${lane}) (i32.const 1)) (local.get $toChild)) (i32.shl ${goesRight(lane)} (i32.const ${recordShift}))))`;
  const addLeaf = (lane: number): string =>
    `(f64.store offset=${8 * lane} (local.get $m) (f64.promote_f32 (f32.demote_f64 (f64.add (f64.load offset=${8 * lane} (local.get $m)) (f64.promote_f32 (f32.load offset=4 (local.get $a${lane})))))))`;
  return `
(func (export "${name}")
  (param $trees i32) (param $numTrees i32) (param $x i32) (param $groupStride i32) (param $groups i32) (param $margins i32)
  (local $treesEnd i32) (local $root i32) (local $toChild i32) (local $depth i32) (local $steps i32)
  (local $o i32) (local $m i32) (local $g i32)
${eachLane(lanes, (lane) => `  (local $a${lane} i32)`)}
${masks ? eachLane(lanes, (lane) => `  (local $p${lane} i32)`) : ''}
  (local.set $treesEnd (i32.add (local.get $trees) (i32.shl (local.get $numTrees) (i32.const 3))))
  (block $done
    (loop $tree
      (br_if $done (i32.ge_u (local.get $trees) (local.get $treesEnd)))
      (local.set $root (i32.load (local.get $trees)))
      (local.set $depth (i32.load offset=4 (local.get $trees)))
      ;; The record of entry i is at root + ${recordBytes}i, its children at entries 2i + 1 and 2i + 2: from the
      ;; record at a, 2a + (${recordBytes} - root) + ${recordBytes} * right.
      (local.set $toChild (i32.sub (i32.const ${recordBytes}) (local.get $root)))
      (local.set $o (local.get $x))
      (local.set $m (local.get $margins))
      (local.set $g (local.get $groups))
      (loop $group
${eachLane(lanes, (lane) => `        (local.set $a${lane} (local.get $root))`)}
        (if (local.tee $steps (local.get $depth))
          (then
            (loop $step
${eachLane(lanes, step)}
              (br_if $step (local.tee $steps (i32.sub (local.get $steps) (i32.const 1)))))))
${eachLane(lanes, addLeaf)}
        (local.set $o (i32.add (local.get $o) (local.get $groupStride)))
        (local.set $m (i32.add (local.get $m) (i32.const ${8 * lanes})))
        (br_if $group (local.tee $g (i32.sub (local.get $g) (i32.const 1)))))
      (local.set $trees (i32.add (local.get $trees) (i32.const 8)))
      (br $tree))))`;
}

/** The kernel module in WebAssembly text: its memory is imported, so FlatForest sizes it per model. */
export function forestKernelWat(): string {
  const functions = FOREST_KERNEL_EXPORTS.map((name) =>
    walkFunction(name, KERNELS[name].lanes, KERNELS[name].masks),
  );
  return `(module\n(import "env" "memory" (memory 1))\n${functions.join('\n')}\n)\n`;
}

/** The TypeScript module that carries the assembled kernel (1.7 KB as base64 text: no file to ship beside a bundle). */
export async function forestKernelModuleText(): Promise<string> {
  const assembler = await wabt();
  const parsed = assembler.parseWat('forest-kernel.wat', forestKernelWat());
  try {
    parsed.validate();
    const { buffer } = parsed.toBinary({ write_debug_names: false });
    return [
      '// Generated by `npm run kernel:build` (scripts/forest-kernel.ts) from the WebAssembly text there: do not edit.',
      // As prettier lays out a string too long for a line.
      'export const FOREST_KERNEL_WASM =',
      `  '${Buffer.from(buffer).toString('base64')}';`,
      '',
    ].join('\n');
  } finally {
    parsed.destroy();
  }
}

if (require.main === module) {
  const target = process.argv[2] ? path.resolve(process.argv[2]) : FOREST_KERNEL_MODULE_PATH;
  void forestKernelModuleText().then((text) => {
    writeFileSync(target, text);
    console.log(`wrote ${path.relative(process.cwd(), target)}`);
  });
}
