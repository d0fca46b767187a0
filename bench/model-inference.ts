/**
 * The boosted trees' score with its reasons, no HTTP or database: `bun bench/model-inference.ts [calls]`.
 * Times each call of `scoreWithModel` (score, probability of default, exact TreeSHAP contributions, reason
 * codes) over varied seeded profiles after a warm-up, next to its peers: the trees' prediction alone (no
 * explanation), the scorecard and the rules engine, and Shapley values by enumerating every coalition of the
 * ten features (the definition the fast tables reproduce). Also times loading the artifact (read, schema,
 * monotone and Regulation B checks, TreeSHAP tables), which start-up pays once. The target: 100 µs at the
 * median for a score with its reasons.
 */

import { decodeTree } from "../server/credit/gbdt/decode.ts";
import { MODEL_FEATURES } from "../server/credit/gbdt/features.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../server/credit/gbdt/load.ts";
import { scoreWithModel } from "../server/credit/gbdt/score.ts";
import { shapleyByEnumeration } from "../server/credit/gbdt/shap-reference.ts";
import { leafFor, type Tree } from "../server/credit/gbdt/trees.ts";
import type { ScoreInputs } from "../server/credit/inputs.ts";
import { scoreWithRules } from "../server/credit/rules.ts";
import { loadScorecard } from "../server/credit/scorecard/load.ts";
import { scoreWithScorecard } from "../server/credit/scorecard/score.ts";
import { profiles } from "./lib/profiles.ts";
import { formatInteger, timedSync, us } from "./lib/stats.ts";

const CALLS = Number(process.argv[2] ?? 100_000);
const WARMUP = 20_000;
const ENUMERATION_CALLS = 20;

const loadStarted = Bun.nanoseconds();
const model = await loadModel();
const loadNs = Bun.nanoseconds() - loadStarted;
if (!model) throw new Error(`no model at ${DEFAULT_MODEL_PATH}: run bun run model:train first`);
const scorecard = await loadScorecard();
if (!scorecard) throw new Error("no scorecard artifact: run bun run model:train first");
const trees = model.trees.map((nodes) => decodeTree(nodes, model.method.boosting.maxDepth) as Tree);
const inputs = profiles(10_000);
const features = inputs.map((profile) => Float64Array.from(MODEL_FEATURES, (spec) => spec.value(profile)));

function measure(name: string, calls: number, work: (index: number) => number): void {
  const timing = timedSync(calls, work, { warmup: Math.min(WARMUP, calls) });
  console.log(
    `${name.padEnd(44)} median ${us(timing.median).padStart(11)}   p99 ${us(timing.p99).padStart(11)}   ` +
      `${formatInteger(timing.perSecond).padStart(10)} calls/s   (checksum ${Math.abs(Math.round(timing.checksum)) % 997})`,
  );
}

const at = (index: number) => inputs[index % inputs.length] as ScoreInputs;
console.log(
  `model ${model.version}: ${model.trees.length} trees of depth ≤ ${model.method.boosting.maxDepth}; ` +
    `${CALLS.toLocaleString("en-US")} calls each after a warm-up, Bun ${Bun.version}`,
);
console.log(`load, check and compile the artifact: ${(loadNs / 1e6).toFixed(1)} ms (once, at start)`);
measure("trees: score + probability + reasons", CALLS, (i) => scoreWithModel(model, at(i)).reasons.length);
measure("trees: prediction alone (no explanation)", CALLS, (i) => {
  const x = features[i % features.length] as Float64Array;
  let margin = model.baseMargin;
  for (const tree of trees) margin += tree.value[leafFor(tree, x)] as number;
  return margin;
});
measure("scorecard: score + reasons", CALLS, (i) => scoreWithScorecard(scorecard, at(i)).score);
measure("rules: score + reasons", CALLS, (i) => scoreWithRules(at(i)).score);
measure(`Shapley by enumeration (2^${MODEL_FEATURES.length} coalitions)`, ENUMERATION_CALLS, (i) => {
  const phi = shapleyByEnumeration(
    trees,
    features[i % features.length] as Float64Array,
    MODEL_FEATURES.length,
  );
  return phi[0] as number;
});
