import { FEATURE_IDS } from "../scorecard/features.ts";
import { REQUIRED_DIRECTIONS, riskSign } from "./features.ts";
import { leavesUnder, type Tree } from "./trees.ts";

/**
 * Checks the monotone constraints on trees as loaded, whatever produced them. A tree moves one way in a
 * feature when, at every split on it, every leaf on the safer side is worth no more risk than every leaf on
 * the riskier side: two applicants who differ only in that feature part ways at such a split and nowhere
 * else. A sum of such trees moves the same way. A constrained feature's missing value must go to the riskier
 * side, so leaving it out never scores better than the worst value — for age that is Regulation B's
 * condition: a missing age scores as the youngest, and no age below 62 outscores 62 and over.
 * Returns the violations found, empty when none.
 */
export function checkConstraints(trees: readonly Tree[]): string[] {
  const violations: string[] = [];
  trees.forEach((tree, t) => {
    for (let node = 0; node < tree.feature.length; node++) {
      const feature = tree.feature[node] as number;
      if (feature < 0) continue;
      const id = FEATURE_IDS[feature];
      if (id === undefined) continue;
      const sign = riskSign(REQUIRED_DIRECTIONS[id]);
      if (sign === 0) continue;
      const values = (root: number) => leavesUnder(tree, root).map((leaf) => tree.value[leaf] as number);
      const left = values(tree.left[node] as number);
      const right = values(tree.right[node] as number);
      // sign +1: risk may only rise with the value, so the left (lower values) must be the safer side.
      const [safer, riskier] = sign > 0 ? [left, right] : [right, left];
      if (Math.max(...safer) > Math.min(...riskier)) {
        violations.push(`tree ${t} node ${node}: the score ${sign > 0 ? "rises" : "falls"} with ${id}`);
      }
      const missingLeft = tree.missingLeft[node] === 1;
      if (missingLeft !== sign < 0) {
        violations.push(`tree ${t} node ${node}: a missing ${id} goes to the safer side`);
      }
    }
  });
  return violations;
}
