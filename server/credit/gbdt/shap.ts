import type { Tree } from "./trees.ts";

/**
 * Exact path-dependent TreeSHAP (Lundberg et al., 2018) in the precomputed form of Fast TreeSHAP v2
 * (Yang, 2021). Each leaf's share of a feature's Shapley value depends on the instance only through which of
 * the features on the leaf's path the instance satisfies (all the path's conditions on that feature) — one
 * bit per feature, at most `depth` of them — so every leaf gets a table of the contribution to each of its
 * path features for each of the 2^d patterns.
 *
 * Scoring then folds the leaves further: the leaves under one node two levels above the bottom depend only on
 * the directions taken at that node's ancestors and inside its small subtree (at most depth + 1 nodes, five
 * for depth 4), so each such group of leaves gets one table indexed by those directions, holding the group's
 * summed contributions and its output. Explaining a score is then, per tree, one comparison per split and
 * one table row per group.
 *
 * For a leaf of value v whose path holds the distinct features U (|U| = d), with z_j the product of the cover
 * ratios along the path's nodes on j and o_j ∈ {0, 1} whether the instance satisfies them:
 *   φ_i += v · (o_i − z_i) · Σ_{S ⊆ U∖{i}} |S|!(d−|S|−1)!/d! · Π_{j∈S} o_j · Π_{j∈U∖S∖{i}} z_j
 * which is the Shapley value of i in the leaf's term of E[f(x) | x_S] = Σ_leaves v · Π_{j∈U} (j ∈ S ? o_j : z_j).
 */

function factorial(n: number): number {
  let result = 1;
  for (let i = 2; i <= n; i++) result *= i;
  return result;
}

/** The table of one leaf: table[pattern · d + k], the contribution to the path's k-th feature. */
export function leafTable(value: number, zero: readonly number[]): Float64Array {
  const d = zero.length;
  const weights = Array.from({ length: d }, (_, s) => (factorial(s) * factorial(d - s - 1)) / factorial(d));
  const table = new Float64Array((1 << d) * d);
  for (let pattern = 0; pattern < 1 << d; pattern++) {
    for (let k = 0; k < d; k++) {
      const one = (pattern >> k) & 1;
      const others = pattern & ~(1 << k);
      let sum = 0;
      // Every S ⊆ (satisfied features ∖ {k}): submask enumeration, the empty set included.
      for (let subset = others; ; subset = (subset - 1) & others) {
        let size = 0;
        let product = 1;
        for (let j = 0; j < d; j++) {
          if (j === k) continue;
          if ((subset >> j) & 1) size++;
          else product *= zero[j] as number;
        }
        sum += (weights[size] as number) * product;
        if (subset === 0) break;
      }
      table[pattern * d + k] = value * (one - (zero[k] as number)) * sum;
    }
  }
  return table;
}

/** The ensemble as explaining reads it: per tree its splits, per group of leaves its table (see above). */
export type ExplainedEnsemble = {
  /** Tree t's splits are [splitStart[t], splitStart[t + 1]) and its groups [groupStart[t], groupStart[t + 1]). */
  splitStart: Int32Array;
  groupStart: Int32Array;
  splitFeature: Int32Array;
  splitThreshold: Float64Array;
  splitMissingLeft: Uint8Array;
  /** Group g's direction bits come from splits [nodeStart[g], nodeStart[g + 1]) of `nodes` (tree-local). */
  nodeStart: Int32Array;
  nodes: Int32Array;
  /** Group g's features are [featureStart[g], featureStart[g + 1]) of `features`. */
  featureStart: Int32Array;
  features: Int32Array;
  /** Group g's row for directions i: tables[tableStart[g] + i · (features + 1)]: output, then each φ. */
  tableStart: Int32Array;
  tables: Float64Array;
  /** The most splits in one tree (scratch size). */
  maxSplits: number;
};

/** Groups the leaves of a tree under the nodes `levels` above its deepest leaves' parents. */
function groupRoots(tree: Tree, depthOf: Int32Array): number[] {
  let deepest = 0;
  for (let node = 0; node < tree.feature.length; node++) deepest = Math.max(deepest, depthOf[node] as number);
  const rootDepth = Math.max(0, deepest - 2);
  const roots: number[] = [];
  for (let node = 0; node < tree.feature.length; node++) {
    const depth = depthOf[node] as number;
    if (depth === rootDepth || (depth < rootDepth && (tree.feature[node] as number) < 0)) roots.push(node);
  }
  return roots;
}

function concat(parts: readonly Float64Array[], length: number): Float64Array {
  const all = new Float64Array(length);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}

/** Flattens the trees and builds every group's table. */
export function explainEnsemble(trees: readonly Tree[]): ExplainedEnsemble {
  const splitStart = [0];
  const groupStart = [0];
  const splitFeature: number[] = [];
  const splitThreshold: number[] = [];
  const splitMissingLeft: number[] = [];
  const nodeStart = [0];
  const nodes: number[] = [];
  const featureStart = [0];
  const features: number[] = [];
  const tableStart = [0];
  const tables: Float64Array[] = [];
  let tableLength = 0;
  let maxSplits = 0;

  for (const tree of trees) {
    const size = tree.feature.length;
    // Splits are numbered in node order; parents and depths for the paths.
    const splitOf = new Int32Array(size).fill(-1);
    const parent = new Int32Array(size).fill(-1);
    const depthOf = new Int32Array(size);
    let splits = 0;
    for (let node = 0; node < size; node++) {
      if ((tree.feature[node] as number) < 0) continue;
      splitOf[node] = splits++;
      splitFeature.push(tree.feature[node] as number);
      splitThreshold.push(tree.threshold[node] as number);
      splitMissingLeft.push(tree.missingLeft[node] as number);
      for (const child of [tree.left[node] as number, tree.right[node] as number]) parent[child] = node;
    }
    for (let node = 0; node < size; node++) {
      // Parents come before children in depth-first order.
      const up = parent[node] as number;
      depthOf[node] = up < 0 ? 0 : (depthOf[up] as number) + 1;
    }
    maxSplits = Math.max(maxSplits, splits);
    splitStart.push(splitFeature.length);

    for (const root of groupRoots(tree, depthOf)) {
      // The group's leaves with their paths (node, went left) from the tree's root.
      const leaves: { leaf: number; path: { node: number; left: boolean }[] }[] = [];
      const collect = (node: number) => {
        if ((tree.feature[node] as number) < 0) {
          const path: { node: number; left: boolean }[] = [];
          for (let at = node; (parent[at] as number) >= 0; at = parent[at] as number) {
            const up = parent[at] as number;
            path.unshift({ node: up, left: tree.left[up] === at });
          }
          leaves.push({ leaf: node, path });
          return;
        }
        collect(tree.left[node] as number);
        collect(tree.right[node] as number);
      };
      collect(root);
      const groupNodes = [...new Set(leaves.flatMap(({ path }) => path.map((step) => step.node)))];
      const groupFeatures = [...new Set(groupNodes.map((node) => tree.feature[node] as number))];
      const width = groupFeatures.length + 1;
      const table = new Float64Array((1 << groupNodes.length) * width);
      for (const { leaf, path } of leaves) {
        const distinct: number[] = [];
        const zero: number[] = [];
        const bitOfStep: number[] = [];
        for (const step of path) {
          const f = tree.feature[step.node] as number;
          let bit = distinct.indexOf(f);
          if (bit < 0) {
            bit = distinct.length;
            distinct.push(f);
            zero.push(1);
          }
          const child = (step.left ? tree.left[step.node] : tree.right[step.node]) as number;
          zero[bit] =
            (zero[bit] as number) * ((tree.cover[child] as number) / (tree.cover[step.node] as number));
          bitOfStep.push(bit);
        }
        const leafRows = leafTable(tree.value[leaf] as number, zero);
        const d = distinct.length;
        const full = (1 << d) - 1;
        const stepBit = path.map((step) => groupNodes.indexOf(step.node));
        const stepLeft = path.map((step) => (step.left ? 1 : 0));
        const column = distinct.map((f) => 1 + groupFeatures.indexOf(f));
        for (let directions = 0; directions < 1 << groupNodes.length; directions++) {
          let pattern = full;
          for (let i = 0; i < path.length; i++) {
            if (((directions >> (stepBit[i] as number)) & 1) !== stepLeft[i]) {
              pattern &= ~(1 << (bitOfStep[i] as number));
            }
          }
          const row = directions * width;
          if (pattern === full) table[row] = (table[row] as number) + (tree.value[leaf] as number);
          for (let k = 0; k < d; k++) {
            const at = row + (column[k] as number);
            table[at] = (table[at] as number) + (leafRows[pattern * d + k] as number);
          }
        }
      }
      nodes.push(...groupNodes.map((node) => splitOf[node] as number));
      nodeStart.push(nodes.length);
      features.push(...groupFeatures);
      featureStart.push(features.length);
      tables.push(table);
      tableLength += table.length;
      tableStart.push(tableLength);
    }
    groupStart.push(nodeStart.length - 1);
  }
  return {
    splitStart: Int32Array.from(splitStart),
    groupStart: Int32Array.from(groupStart),
    splitFeature: Int32Array.from(splitFeature),
    splitThreshold: Float64Array.from(splitThreshold),
    splitMissingLeft: Uint8Array.from(splitMissingLeft),
    nodeStart: Int32Array.from(nodeStart),
    nodes: Int32Array.from(nodes),
    featureStart: Int32Array.from(featureStart),
    features: Int32Array.from(features),
    tableStart: Int32Array.from(tableStart),
    tables: concat(tables, tableLength),
    maxSplits,
  };
}

/**
 * Adds the ensemble's SHAP values for the feature values `x` (NaN = missing) into `phi` and returns the sum of
 * the trees' outputs. `goes` is scratch space of `maxSplits` entries.
 */
export function accumulate(
  ensemble: ExplainedEnsemble,
  x: Float64Array,
  phi: Float64Array,
  goes: Int32Array,
): number {
  const { splitStart, groupStart, splitFeature, splitThreshold, splitMissingLeft } = ensemble;
  const { nodeStart, nodes, featureStart, features, tableStart, tables } = ensemble;
  let output = 0;
  const trees = splitStart.length - 1;
  for (let t = 0; t < trees; t++) {
    const first = splitStart[t] as number;
    const end = splitStart[t + 1] as number;
    for (let s = first; s < end; s++) {
      const v = x[splitFeature[s] as number] as number;
      // biome-ignore lint/suspicious/noSelfCompare: a NaN test without a call, on the hot path
      goes[s - first] = v !== v ? (splitMissingLeft[s] as number) : v < (splitThreshold[s] as number) ? 1 : 0;
    }
    for (let g = groupStart[t] as number, last = groupStart[t + 1] as number; g < last; g++) {
      let directions = 0;
      for (let i = nodeStart[g] as number, bit = 0, stop = nodeStart[g + 1] as number; i < stop; i++, bit++) {
        directions |= (goes[nodes[i] as number] as number) << bit;
      }
      const from = featureStart[g] as number;
      const width = (featureStart[g + 1] as number) - from;
      const row = (tableStart[g] as number) + directions * (width + 1);
      output += tables[row] as number;
      for (let k = 0; k < width; k++) {
        const target = features[from + k] as number;
        phi[target] = (phi[target] as number) + (tables[row + 1 + k] as number);
      }
    }
  }
  return output;
}
