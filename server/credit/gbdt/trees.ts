/**
 * A boosted tree as scoring reads it: nodes in depth-first order (node 0 the root), an internal node sending a
 * value below its threshold left and a missing value where `missingLeft` says, a leaf holding its value in
 * log-odds of bad and its cover (the training rows that reached it: the weights of path-dependent TreeSHAP).
 */
export type Tree = {
  feature: Int32Array;
  threshold: Float64Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  cover: Float64Array;
};

/** Where the node sends the feature values `x` (NaN = missing). */
export function goesLeft(tree: Tree, node: number, x: ArrayLike<number>): boolean {
  const value = x[tree.feature[node] as number] as number;
  return Number.isNaN(value) ? tree.missingLeft[node] === 1 : value < (tree.threshold[node] as number);
}

/** The leaf the feature values fall in. */
export function leafFor(tree: Tree, x: ArrayLike<number>): number {
  let node = 0;
  while ((tree.feature[node] as number) >= 0)
    node = (goesLeft(tree, node, x) ? tree.left[node] : tree.right[node]) as number;
  return node;
}

/** Leaves under a node, in depth-first order. */
export function leavesUnder(tree: Tree, node: number): number[] {
  if ((tree.feature[node] as number) < 0) return [node];
  return [...leavesUnder(tree, tree.left[node] as number), ...leavesUnder(tree, tree.right[node] as number)];
}

/** The expected value of the tree over its training rows: Σ leaf value × leaf cover / root cover. */
export function expectedValue(tree: Tree): number {
  let sum = 0;
  for (const leaf of leavesUnder(tree, 0)) sum += (tree.value[leaf] as number) * (tree.cover[leaf] as number);
  return sum / (tree.cover[0] as number);
}
