import type { Tree } from "./trees.ts";

/**
 * Shapley values by their definition, for checking the fast tables (tests) and as the benchmark's peer:
 * every coalition S of the features, with the path-dependent expectation E[f(x) | x_S] of Lundberg et al.
 * (2018), Algorithm 1 (a node on a feature in S follows x; any other averages its children by cover).
 * Exponential in the number of features; never used to score.
 */
export function conditionalExpectation(tree: Tree, x: ArrayLike<number>, coalition: number): number {
  const walk = (node: number): number => {
    const f = tree.feature[node] as number;
    if (f < 0) return tree.value[node] as number;
    const left = tree.left[node] as number;
    const right = tree.right[node] as number;
    if ((coalition >> f) & 1) {
      const value = x[f] as number;
      const goLeft = Number.isNaN(value)
        ? tree.missingLeft[node] === 1
        : value < (tree.threshold[node] as number);
      return walk(goLeft ? left : right);
    }
    const cover = tree.cover[node] as number;
    return ((tree.cover[left] as number) * walk(left) + (tree.cover[right] as number) * walk(right)) / cover;
  };
  return walk(0);
}

/** φ of every feature for the ensemble Σ trees, by enumerating all 2^features coalitions. */
export function shapleyByEnumeration(
  trees: readonly Tree[],
  x: ArrayLike<number>,
  features: number,
): Float64Array {
  const value = new Float64Array(1 << features);
  for (let coalition = 0; coalition < 1 << features; coalition++) {
    let sum = 0;
    for (const tree of trees) sum += conditionalExpectation(tree, x, coalition);
    value[coalition] = sum;
  }
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const phi = new Float64Array(features);
  for (let i = 0; i < features; i++) {
    for (let coalition = 0; coalition < 1 << features; coalition++) {
      if ((coalition >> i) & 1) continue;
      let size = 0;
      for (let j = 0; j < features; j++) size += (coalition >> j) & 1;
      const weight = (factorial(size) * factorial(features - size - 1)) / factorial(features);
      phi[i] =
        (phi[i] as number) +
        weight * ((value[coalition | (1 << i)] as number) - (value[coalition] as number));
    }
  }
  return phi;
}
