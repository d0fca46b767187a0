/**
 * One regression tree of the boosting, grown depth-first to a fixed depth on gradient histograms
 * (second-order, as XGBoost and LightGBM do). Monotone constraints: a split on a constrained feature must
 * order its children's weights the right way; its left subtree is then bounded by the right child's weight,
 * and its right subtree by the left subtree's extreme leaf, so every leaf on the safer side is worth no more
 * risk than every leaf on the riskier side and the tree moves one way in that feature. (Bounding both sides
 * at the children's midpoint, as XGBoost does, is simpler and gives up more fit.)
 */

/** A grown tree, nodes in depth-first order; node 0 is the root. */
export type GrownTree = {
  /** Feature index of an internal node, −1 for a leaf. */
  feature: number[];
  /** Internal node: rows whose value bin is below `bin` go left (value < the bin's lower edge). */
  bin: number[];
  /** Internal node: where a missing value goes. */
  missingLeft: boolean[];
  left: number[];
  right: number[];
  /** Leaf value, in log-odds of bad (learning rate applied); 0 on internal nodes. */
  value: number[];
  /** Training rows that reached the node (the path-dependent TreeSHAP weights). */
  cover: number[];
  /** Loss reduction of each internal node's split; 0 on leaves. */
  gain: number[];
};

export type TreeParams = {
  maxDepth: number;
  learningRate: number;
  /** L2 penalty on leaf weights. */
  lambda: number;
  /** Each child of a split holds at least this many rows and this much hessian. */
  minChildRows: number;
  minChildHessian: number;
  /** A split must reduce the loss by more than this. */
  minGain: number;
  /** A node learns where missing values go only when it holds at least this many; else they go to the riskier child. */
  minMissingRows: number;
  /** Leaf values are rounded to this many decimals, so training and scoring add the same numbers. */
  valueDecimals: number;
};

/** The binned training data a tree is grown on. */
export type BinnedData = {
  /** codes[f · rows + row]: the value bin of feature f on a row; `missingBin[f]` when missing. */
  codes: Uint8Array;
  rows: number;
  /** Per feature: the missing bin's index (= the number of value bins). */
  missingBin: Int32Array;
  /** Per feature: +1 when the risk may only rise with the value, −1 only fall, 0 free. */
  monotone: Int8Array;
};

type Candidate = {
  feature: number;
  bin: number;
  missingLeft: boolean;
  gain: number;
  weightLeft: number;
  weightRight: number;
};

type Node = {
  id: number;
  start: number;
  end: number;
  depth: number;
  low: number;
  high: number;
  histogram: Float64Array;
  sumG: number;
  sumH: number;
};

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** Histogram offsets: feature f's bins start at offsets[f] · 3 (sum of g, sum of h, rows per bin). */
function histogramOffsets(data: BinnedData): Int32Array {
  const offsets = new Int32Array(data.missingBin.length + 1);
  for (let f = 0; f < data.missingBin.length; f++)
    offsets[f + 1] = (offsets[f] as number) + (data.missingBin[f] as number) + 1;
  return offsets;
}

export class TreeGrower {
  private readonly offsets: Int32Array;
  private readonly scratch: Uint32Array;

  constructor(
    private readonly data: BinnedData,
    private readonly params: TreeParams,
  ) {
    this.offsets = histogramOffsets(data);
    this.scratch = new Uint32Array(data.rows);
  }

  /**
   * Grows a tree on the rows in `index[0..count)` (row numbers, reordered in place) with the given gradients
   * and hessians of the logistic loss.
   */
  grow(index: Uint32Array, count: number, gradient: Float64Array, hessian: Float64Array): GrownTree {
    const tree: GrownTree = {
      feature: [],
      bin: [],
      missingLeft: [],
      left: [],
      right: [],
      value: [],
      cover: [],
      gain: [],
    };
    const histogram = this.histogram(index, 0, count, gradient, hessian);
    let sumG = 0;
    let sumH = 0;
    for (let i = 0; i < count; i++) {
      const row = index[i] as number;
      sumG += gradient[row] as number;
      sumH += hessian[row] as number;
    }
    this.growNode(tree, index, gradient, hessian, {
      id: this.addNode(tree, count),
      start: 0,
      end: count,
      depth: 0,
      low: Number.NEGATIVE_INFINITY,
      high: Number.POSITIVE_INFINITY,
      histogram,
      sumG,
      sumH,
    });
    return tree;
  }

  private addNode(tree: GrownTree, cover: number): number {
    tree.feature.push(-1);
    tree.bin.push(0);
    tree.missingLeft.push(false);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(0);
    tree.cover.push(cover);
    tree.gain.push(0);
    return tree.feature.length - 1;
  }

  private growNode(
    tree: GrownTree,
    index: Uint32Array,
    gradient: Float64Array,
    hessian: Float64Array,
    node: Node,
  ): readonly [number, number] {
    const { params } = this;
    const split = node.depth < params.maxDepth ? this.bestSplit(node) : null;
    if (!split) {
      const weight = clamp(-node.sumG / (node.sumH + params.lambda), node.low, node.high);
      tree.value[node.id] = round(weight * params.learningRate, params.valueDecimals);
      return [weight, weight];
    }
    const middle = this.partition(index, node, split);
    tree.feature[node.id] = split.feature;
    tree.bin[node.id] = split.bin;
    tree.missingLeft[node.id] = split.missingLeft;
    tree.gain[node.id] = split.gain;

    const leftCount = middle - node.start;
    const rightCount = node.end - middle;
    const leftSmaller = leftCount <= rightCount;
    const small = leftSmaller
      ? this.histogram(index, node.start, middle, gradient, hessian)
      : this.histogram(index, middle, node.end, gradient, hessian);
    const large = node.histogram;
    for (let i = 0; i < large.length; i++) large[i] = (large[i] as number) - (small[i] as number);
    const leftHistogram = leftSmaller ? small : large;
    const rightHistogram = leftSmaller ? large : small;

    const sign = this.data.monotone[split.feature] as number;
    const sums = (histogram: Float64Array) => {
      // Any one feature's bins hold every row of the node.
      let g = 0;
      let h = 0;
      const end = (this.offsets[1] as number) * 3;
      for (let i = 0; i < end; i += 3) {
        g += histogram[i] as number;
        h += histogram[i + 1] as number;
      }
      return [g, h] as const;
    };
    const [leftG, leftH] = sums(leftHistogram);
    // A constrained split: the left subtree may reach the right child's weight, then the right subtree may go
    // as far as the left subtree's extreme leaf, so no left leaf crosses any right leaf.
    const leftId = this.addNode(tree, leftCount);
    tree.left[node.id] = leftId;
    const leftRange = this.growNode(tree, index, gradient, hessian, {
      id: leftId,
      start: node.start,
      end: middle,
      depth: node.depth + 1,
      low: sign < 0 ? Math.max(node.low, split.weightRight) : node.low,
      high: sign > 0 ? Math.min(node.high, split.weightRight) : node.high,
      histogram: leftHistogram,
      sumG: leftG,
      sumH: leftH,
    });
    const rightId = this.addNode(tree, rightCount);
    tree.right[node.id] = rightId;
    const rightRange = this.growNode(tree, index, gradient, hessian, {
      id: rightId,
      start: middle,
      end: node.end,
      depth: node.depth + 1,
      low: sign > 0 ? Math.max(node.low, leftRange[1]) : node.low,
      high: sign < 0 ? Math.min(node.high, leftRange[0]) : node.high,
      histogram: rightHistogram,
      sumG: node.sumG - leftG,
      sumH: node.sumH - leftH,
    });
    return [Math.min(leftRange[0], rightRange[0]), Math.max(leftRange[1], rightRange[1])];
  }

  private histogram(
    index: Uint32Array,
    start: number,
    end: number,
    gradient: Float64Array,
    hessian: Float64Array,
  ): Float64Array {
    const { codes, rows } = this.data;
    const features = this.data.missingBin.length;
    const histogram = new Float64Array((this.offsets[features] as number) * 3);
    for (let f = 0; f < features; f++) {
      const column = f * rows;
      const base = (this.offsets[f] as number) * 3;
      for (let i = start; i < end; i++) {
        const row = index[i] as number;
        const at = base + (codes[column + row] as number) * 3;
        histogram[at] = (histogram[at] as number) + (gradient[row] as number);
        histogram[at + 1] = (histogram[at + 1] as number) + (hessian[row] as number);
        histogram[at + 2] = (histogram[at + 2] as number) + 1;
      }
    }
    return histogram;
  }

  /** The split with the largest loss reduction that respects every constraint, or null. */
  private bestSplit(node: Node): Candidate | null {
    const { params, data } = this;
    const { lambda } = params;
    const count = node.end - node.start;
    if (count < 2 * params.minChildRows) return null;
    const objective = (g: number, h: number, w: number) => g * w + 0.5 * (h + lambda) * w * w;
    const parentWeight = clamp(-node.sumG / (node.sumH + lambda), node.low, node.high);
    const parentObjective = objective(node.sumG, node.sumH, parentWeight);
    let best: Candidate | null = null;
    const histogram = node.histogram;

    for (let f = 0; f < data.missingBin.length; f++) {
      const base = (this.offsets[f] as number) * 3;
      const missingBin = data.missingBin[f] as number;
      const sign = data.monotone[f] as number;
      const missingAt = base + missingBin * 3;
      const missingG = histogram[missingAt] as number;
      const missingH = histogram[missingAt + 1] as number;
      const missingRows = histogram[missingAt + 2] as number;
      const valueG = node.sumG - missingG;
      const valueH = node.sumH - missingH;
      const valueRows = count - missingRows;
      let leftG = 0;
      let leftH = 0;
      let leftRows = 0;
      for (let bin = 1; bin < missingBin; bin++) {
        const at = base + (bin - 1) * 3;
        leftG += histogram[at] as number;
        leftH += histogram[at + 1] as number;
        leftRows += histogram[at + 2] as number;
        if (leftRows === 0) continue;
        if (leftRows === valueRows) break;
        const rightG = valueG - leftG;
        const rightH = valueH - leftH;
        // Where missing values go: the riskier side for a constrained feature (so leaving it out never
        // helps); learnt from the node's missing rows when there are enough; else decided below.
        const learnt = sign === 0 && missingRows >= params.minMissingRows;
        const options = sign > 0 ? [false] : sign < 0 ? [true] : learnt ? [false, true] : [null];
        for (const option of options) {
          let missingLeft: boolean;
          if (option === null) {
            const wl = clamp(-leftG / (leftH + lambda), node.low, node.high);
            const wr = clamp(-rightG / (rightH + lambda), node.low, node.high);
            missingLeft = wl > wr;
          } else missingLeft = option;
          const gl = missingLeft ? leftG + missingG : leftG;
          const hl = missingLeft ? leftH + missingH : leftH;
          const cl = missingLeft ? leftRows + missingRows : leftRows;
          const gr = node.sumG - gl;
          const hr = node.sumH - hl;
          const cr = count - cl;
          if (cl < params.minChildRows || cr < params.minChildRows) continue;
          if (hl < params.minChildHessian || hr < params.minChildHessian) continue;
          const wl = clamp(-gl / (hl + lambda), node.low, node.high);
          const wr = clamp(-gr / (hr + lambda), node.low, node.high);
          if ((sign > 0 && wl > wr) || (sign < 0 && wl < wr)) continue;
          const gain = parentObjective - objective(gl, hl, wl) - objective(gr, hr, wr);
          if (gain > params.minGain && (best === null || gain > best.gain)) {
            best = { feature: f, bin, missingLeft, gain, weightLeft: wl, weightRight: wr };
          }
        }
      }
    }
    return best;
  }

  /** Moves the node's rows going left before those going right, keeping each side's order; returns the cut. */
  private partition(index: Uint32Array, node: Node, split: Candidate): number {
    const { codes, rows, missingBin } = this.data;
    const column = split.feature * rows;
    const missing = missingBin[split.feature] as number;
    let left = node.start;
    let right = 0;
    for (let i = node.start; i < node.end; i++) {
      const row = index[i] as number;
      const code = codes[column + row] as number;
      const goesLeft = code === missing ? split.missingLeft : code < split.bin;
      if (goesLeft) index[left++] = row;
      else this.scratch[right++] = row;
    }
    index.set(this.scratch.subarray(0, right), left);
    return left;
  }
}

export function round(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}
