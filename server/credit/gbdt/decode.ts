import { FEATURE_IDS } from "../scorecard/features.ts";
import type { NodeTuple } from "./artifact.ts";
import type { Tree } from "./trees.ts";

/**
 * Rebuilds a tree from its depth-first node list, or says what is wrong with it: a node list that does not
 * form exactly one tree, a tree deeper than `maxDepth`, a feature out of range, a threshold or value that is
 * not a finite number. An internal node's cover is the sum of its children's.
 */
export function decodeTree(nodes: readonly NodeTuple[], maxDepth: number): Tree | string {
  const size = nodes.length;
  const tree: Tree = {
    feature: new Int32Array(size).fill(-1),
    threshold: new Float64Array(size),
    missingLeft: new Uint8Array(size),
    left: new Int32Array(size).fill(-1),
    right: new Int32Array(size).fill(-1),
    value: new Float64Array(size),
    cover: new Float64Array(size),
  };
  let next = 0;
  const visit = (depth: number): string | null => {
    const id = next++;
    const node = nodes[id];
    if (node === undefined) return "the node list ends inside the tree";
    if (node.length === 2) {
      const [value, cover] = node;
      if (!Number.isFinite(value)) return `node ${id}: leaf value is not a finite number`;
      if (!Number.isInteger(cover) || cover <= 0)
        return `node ${id}: leaf cover is not a positive whole number`;
      tree.value[id] = value;
      tree.cover[id] = cover;
      return null;
    }
    const [feature, threshold, missingLeft] = node;
    if (depth >= maxDepth) return `node ${id}: deeper than ${maxDepth}`;
    if (!Number.isInteger(feature) || feature < 0 || feature >= FEATURE_IDS.length)
      return `node ${id}: no feature ${feature}`;
    if (missingLeft !== 0 && missingLeft !== 1) return `node ${id}: missingLeft must be 0 or 1`;
    if (!Number.isFinite(threshold)) return `node ${id}: threshold is not a finite number`;
    tree.feature[id] = feature;
    tree.threshold[id] = threshold;
    tree.missingLeft[id] = missingLeft;
    tree.left[id] = next;
    const left = visit(depth + 1);
    if (left) return left;
    tree.right[id] = next;
    const right = visit(depth + 1);
    if (right) return right;
    tree.cover[id] =
      (tree.cover[tree.left[id] as number] as number) + (tree.cover[tree.right[id] as number] as number);
    return null;
  };
  const problem = visit(0);
  if (problem) return problem;
  if (next !== size) return `${size - next} nodes after the end of the tree`;
  return tree;
}

/** The depth-first node list of a tree (the inverse of `decodeTree`). */
export function encodeTree(tree: Tree): NodeTuple[] {
  const nodes: NodeTuple[] = [];
  const visit = (node: number) => {
    const feature = tree.feature[node] as number;
    if (feature < 0) {
      nodes.push([tree.value[node] as number, tree.cover[node] as number]);
      return;
    }
    nodes.push([feature, tree.threshold[node] as number, tree.missingLeft[node] === 1 ? 1 : 0]);
    visit(tree.left[node] as number);
    visit(tree.right[node] as number);
  };
  visit(0);
  return nodes;
}
