/**
 * The extraction figure's "simple surrogate": a binary classification tree (CART, Gini impurity) grown on
 * per-feature histograms (at most `maxBins` quantile bins plus one bin for missing values), the way
 * histogram boosting libraries grow trees. Written here rather than taken from npm because the maintained
 * JavaScript CART (ml-cart 2.1.1) took 32 s for 4,096 rows of 31 features and grows quadratically, while
 * the figure needs up to 65,536 queries; see docs/decisions/0004-extraction-surrogate-tree.md.
 */

export interface SurrogateTreeOptions {
  /** Deepest level a split may be made at. @default 12 */
  readonly maxDepth?: number;
  /** Fewest training rows on each side of a split. @default 3 */
  readonly minLeaf?: number;
  /** Quantile bins per feature (missing values get one more). @default 32 */
  readonly maxBins?: number;
}

interface Node {
  /** -1 for a leaf. */
  feature: number;
  /** Rows with value <= edge go left. */
  edge: number;
  missingLeft: boolean;
  left: number;
  right: number;
  label: 0 | 1;
}

/** Bin edges of one feature: sorted thresholds; a value goes to the first bin whose edge is >= it. */
function binEdges(values: Float64Array, maxBins: number): Float64Array {
  const finite = Array.from(values)
    .filter((v) => Number.isFinite(v))
    .sort((a, b) => a - b);
  const distinct: number[] = [];
  for (const v of finite) if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
  if (distinct.length <= 1) return new Float64Array(0);
  if (distinct.length <= maxBins) {
    return Float64Array.from(distinct.slice(0, -1), (v, i) => (v + distinct[i + 1]) / 2);
  }
  const edges: number[] = [];
  for (let k = 1; k < maxBins; k++) {
    const v = finite[Math.floor((k * finite.length) / maxBins)];
    if (v !== finite[finite.length - 1] && (edges.length === 0 || edges[edges.length - 1] < v)) edges.push(v);
  }
  return Float64Array.from(edges);
}

function binOf(edges: Float64Array, value: number): number {
  if (Number.isNaN(value)) return edges.length + 1;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function gini(positives: number, total: number): number {
  if (total === 0) return 0;
  const p = positives / total;
  return total * 2 * p * (1 - p);
}

/** A trained surrogate; `predict` answers 0 or 1 for one encoded row (NaN = missing). */
export class SurrogateTree {
  private constructor(
    private readonly nodes: readonly Node[],
    private readonly edges: readonly Float64Array[],
  ) {}

  get size(): number {
    return this.nodes.length;
  }

  predict(row: ArrayLike<number>): 0 | 1 {
    let node = this.nodes[0];
    while (node.feature >= 0) {
      const value = row[node.feature];
      const left = Number.isNaN(value) ? node.missingLeft : value <= this.edges[node.feature][node.edge];
      node = this.nodes[left ? node.left : node.right];
    }
    return node.label;
  }

  /** Grows a tree on `rows` (one encoded vector each) labelled 0/1 by `labels`. */
  static train(
    rows: readonly ArrayLike<number>[],
    labels: Uint8Array,
    options: SurrogateTreeOptions = {},
  ): SurrogateTree {
    const maxDepth = options.maxDepth ?? 12;
    const minLeaf = Math.max(1, options.minLeaf ?? 3);
    const maxBins = options.maxBins ?? 32;
    if (rows.length === 0) throw new RangeError('a surrogate needs at least one training row');
    if (labels.length !== rows.length) throw new RangeError('one label per row is needed');
    const width = rows[0].length;
    const edges: Float64Array[] = [];
    const bins: Uint16Array[] = [];
    const column = new Float64Array(rows.length);
    for (let f = 0; f < width; f++) {
      for (let i = 0; i < rows.length; i++) column[i] = rows[i][f];
      const e = binEdges(column, maxBins);
      edges.push(e);
      bins.push(Uint16Array.from(column, (v) => binOf(e, v)));
    }
    const nodes: Node[] = [];
    const grow = (index: Uint32Array, depth: number): number => {
      let positives = 0;
      for (let i = 0; i < index.length; i++) positives += labels[index[i]];
      const id = nodes.length;
      const label: 0 | 1 = positives * 2 > index.length ? 1 : 0;
      nodes.push({ feature: -1, edge: 0, missingLeft: true, left: -1, right: -1, label });
      if (depth >= maxDepth || positives === 0 || positives === index.length || index.length < 2 * minLeaf) {
        return id;
      }
      const parentImpurity = gini(positives, index.length);
      let best = { gain: 1e-12, feature: -1, edge: 0, missingLeft: true };
      for (let f = 0; f < width; f++) {
        const nb = edges[f].length + 1;
        if (nb < 2) continue;
        const total = new Uint32Array(nb + 1);
        const pos = new Uint32Array(nb + 1);
        const b = bins[f];
        for (let i = 0; i < index.length; i++) {
          const bin = b[index[i]];
          total[bin]++;
          pos[bin] += labels[index[i]];
        }
        const missingTotal = total[nb];
        const missingPos = pos[nb];
        let leftTotal = 0;
        let leftPos = 0;
        for (let k = 0; k < nb - 1; k++) {
          leftTotal += total[k];
          leftPos += pos[k];
          for (const missingLeft of [true, false]) {
            const lt = leftTotal + (missingLeft ? missingTotal : 0);
            const lp = leftPos + (missingLeft ? missingPos : 0);
            const rt = index.length - lt;
            const rp = positives - lp;
            if (lt < minLeaf || rt < minLeaf) continue;
            const gain = parentImpurity - gini(lp, lt) - gini(rp, rt);
            if (gain > best.gain) best = { gain, feature: f, edge: k, missingLeft };
          }
        }
      }
      if (best.feature < 0) return id;
      const goesLeft = (row: number): boolean => {
        const bin = bins[best.feature][row];
        return bin === edges[best.feature].length + 1 ? best.missingLeft : bin <= best.edge;
      };
      const leftRows = index.filter(goesLeft);
      const rightRows = index.filter((row) => !goesLeft(row));
      const node = nodes[id];
      node.feature = best.feature;
      node.edge = best.edge;
      node.missingLeft = best.missingLeft;
      node.left = grow(leftRows, depth + 1);
      node.right = grow(rightRows, depth + 1);
      return id;
    };
    grow(Uint32Array.from(rows.keys()), 0);
    return new SurrogateTree(nodes, edges);
  }
}
