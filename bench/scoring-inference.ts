/**
 * Scoring inference alone, no HTTP or database: `bun bench/scoring-inference.ts [calls]`.
 * Times each call of the three engines (the boosted trees with their TreeSHAP reasons, the scorecard, the
 * rules) over varied seeded profiles (after a warm-up), prints median and p99 latency, and ops/s from an
 * untimed-per-call loop. bench/model-inference.ts looks at the trees more closely.
 */
import { loadModel } from "../server/credit/gbdt/load.ts";
import { scoreWithModel } from "../server/credit/gbdt/score.ts";
import type { ScoreInputs, ScoreResult } from "../server/credit/inputs.ts";
import { scoreWithRules } from "../server/credit/rules.ts";
import { loadScorecard } from "../server/credit/scorecard/load.ts";
import { scoreWithScorecard } from "../server/credit/scorecard/score.ts";
import { profiles } from "./lib/profiles.ts";
import { formatInteger, timedSync, us } from "./lib/stats";

const CALLS = Number(process.argv[2] ?? 200_000);
const WARMUP = 20_000;

function measure(name: string, score: (inputs: ScoreInputs) => ScoreResult, inputs: ScoreInputs[]): void {
  const scoreAt = (index: number) => score(inputs[index % inputs.length] as ScoreInputs).score;
  const timing = timedSync(CALLS, scoreAt, { warmup: WARMUP });
  // ops/s from a second loop without a clock read per call, which would be a large part of a sub-µs call.
  let checksum = timing.checksum;
  const started = Bun.nanoseconds();
  for (let i = 0; i < CALLS; i++) checksum += scoreAt(i);
  const opsPerSecond = CALLS / ((Bun.nanoseconds() - started) / 1e9);
  console.log(
    `${name.padEnd(20)} median ${us(timing.median).padStart(9)}   p99 ${us(timing.p99).padStart(9)}   ` +
      `${formatInteger(opsPerSecond).padStart(11)} ops/s   (checksum ${checksum % 997})`,
  );
}

const model = await loadModel();
const scorecard = await loadScorecard();
if (!model || !scorecard) throw new Error("an artifact is missing: run bun run model:train first");
const inputs = profiles(10_000);
console.log(
  `scoring inference, ${CALLS.toLocaleString("en-US")} calls each after ${WARMUP.toLocaleString("en-US")} warm-up calls, Bun ${Bun.version}`,
);
measure("trees (model)", (i) => scoreWithModel(model, i), inputs);
measure("scorecard", (i) => scoreWithScorecard(scorecard, i), inputs);
measure("rules", scoreWithRules, inputs);
console.log(`${model.version}, ${scorecard.version}`);
