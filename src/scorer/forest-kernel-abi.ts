/**
 * What the WebAssembly forest walk (scripts/forest-kernel.ts, which assembles it) and its host
 * (flat-forest.ts, which lays out its memory) agree on. Changing a value here means rebuilding the
 * kernel with `npm run kernel:build`.
 */

/**
 * Rows walked in lock-step through one tree: LANES independent chains of loads that the CPU overlaps.
 * Eight measured faster than 4, 12 or 16 (docs/decisions/0010-webassembly-forest-walk.md).
 */
export const LANES = 8;

/** Bytes of one entry of the flat layout: slot offset, threshold, and with masks the mask and padding. */
export const RECORD_BYTES = { numeric: 8, withMasks: 16 } as const;

/** The kernel's walks (scripts/forest-kernel.ts), each (trees, numTrees, x, groupStride, groups, margins). */
export const FOREST_KERNEL_EXPORTS = [
  'addMargins',
  'addMarginsWithMasks',
  'addMarginsOneLane',
  'addMarginsOneLaneWithMasks',
] as const;
export type ForestKernelExport = (typeof FOREST_KERNEL_EXPORTS)[number];
