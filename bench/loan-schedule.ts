/**
 * Times `amortizationSchedule` for a 360-month loan (the longest term the config allows by default).
 * Run: bun bench/loan-schedule.ts [iterations]
 */
import os from "node:os";
import type { ScheduleType } from "../db/schema/loan-values";
import { amortizationSchedule } from "../server/loans/schedule";
import { timedSync } from "./lib/stats";

const iterations = Number(process.argv[2] ?? 20_000);
const warmup = 2_000;

function run(scheduleType: ScheduleType) {
  const params = {
    principalCents: 20_000_000,
    aprBasisPoints: 600,
    termMonths: 360,
    scheduleType,
    startDate: new Date("2025-01-31T00:00:00Z"),
  };
  const timing = timedSync(iterations, () => amortizationSchedule(params).totalInterestCents, { warmup });
  if (timing.checksum === 0) throw new Error("a 6 % loan over 360 months cannot be interest-free");
  return {
    scheduleType,
    iterations,
    "median µs": Number((timing.median / 1000).toFixed(1)),
    "p99 µs": Number((timing.p99 / 1000).toFixed(1)),
    "ops/s": Math.round(timing.perSecond),
  };
}

console.log(
  `amortizationSchedule, 200,000.00 at 6 % over 360 months — Bun ${Bun.version}, ${os.cpus()[0]?.model ?? "unknown CPU"}`,
);
console.table([run("equal_installments"), run("equal_principal")]);
