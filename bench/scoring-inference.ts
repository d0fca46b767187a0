/**
 * Scoring inference alone, no HTTP or database: `bun bench/scoring-inference.ts [calls]`.
 * Times each call of the scorecard and of the rules engine over varied seeded profiles (after a
 * warm-up), prints median and p99 latency, and ops/s from an untimed-per-call loop.
 */
import type { ScoreInputs, ScoreResult } from "../server/credit/inputs.ts";
import { scoreWithRules } from "../server/credit/rules.ts";
import { loadScorecard } from "../server/credit/scorecard/load.ts";
import { scoreWithScorecard } from "../server/credit/scorecard/score.ts";
import { mulberry32 } from "../server/credit/scorecard/split.ts";
import { formatInteger, timedSync, us } from "./lib/stats";

const CALLS = Number(process.argv[2] ?? 200_000);
const WARMUP = 20_000;

function profiles(count: number): ScoreInputs[] {
  const random = mulberry32(1);
  const int = (max: number) => Math.floor(random() * (max + 1));
  const maybe = <T>(value: T): T | null => (random() < 0.1 ? null : value);
  return Array.from({ length: count }, () => ({
    age: maybe(18 + int(80)),
    monthlyIncome: maybe(Math.round(random() * 15_000)),
    monthlyDebtPayments: maybe(Math.round(random() * 4000)),
    revolvingUtilization: random() * 1.2,
    openCreditLines: maybe(int(20)),
    realEstateLoans: maybe(int(4)),
    dependants: maybe(int(5)),
    pastDue30to59: random() < 0.8 ? 0 : int(4),
    pastDue60to89: random() < 0.9 ? 0 : int(3),
    pastDue90Plus: random() < 0.9 ? 0 : int(3),
    creditHistoryYears: maybe(random() * 30),
    recentInquiries: maybe(int(8)),
    walletAgeDays: maybe(int(1500)),
    walletTxCount: maybe(int(3000)),
  }));
}

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

const scorecard = await loadScorecard();
if (!scorecard) throw new Error("no scorecard artifact: run bun run model:train first");
const inputs = profiles(10_000);
console.log(
  `scoring inference, ${CALLS.toLocaleString("en-US")} calls each after ${WARMUP.toLocaleString("en-US")} warm-up calls, Bun ${Bun.version}`,
);
measure(`scorecard`, (i) => scoreWithScorecard(scorecard, i), inputs);
measure("rules", scoreWithRules, inputs);
console.log(`model ${scorecard.version}`);
