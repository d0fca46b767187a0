/**
 * Times `amortizationSchedule` for a 360-month loan (the longest term the config allows by default).
 * Run: bun bench/loan-schedule.ts [iterations]
 */
import os from "node:os";
import { amortizationSchedule, type ScheduleType } from "../server/loans/schedule";

const iterations = Number(process.argv[2] ?? 20_000);
const warmup = 2_000;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function run(scheduleType: ScheduleType) {
  const params = {
    principalCents: 20_000_000,
    aprBasisPoints: 600,
    termMonths: 360,
    scheduleType,
    startDate: new Date("2025-01-31T00:00:00Z"),
  };
  let sink = 0;
  for (let i = 0; i < warmup; i++) sink += amortizationSchedule(params).totalInterestCents;
  const samples = new Array<number>(iterations);
  const started = Bun.nanoseconds();
  for (let i = 0; i < iterations; i++) {
    const t0 = Bun.nanoseconds();
    sink += amortizationSchedule(params).totalInterestCents;
    samples[i] = Bun.nanoseconds() - t0;
  }
  const elapsed = Bun.nanoseconds() - started;
  samples.sort((a, b) => a - b);
  if (sink === 0) throw new Error("unreachable: keeps the work from being optimised away");
  return {
    scheduleType,
    iterations,
    "median µs": Number((quantile(samples, 0.5) / 1000).toFixed(1)),
    "p99 µs": Number((quantile(samples, 0.99) / 1000).toFixed(1)),
    "ops/s": Math.round(iterations / (elapsed / 1e9)),
  };
}

console.log(
  `amortizationSchedule, 200,000.00 at 6 % over 360 months — Bun ${Bun.version}, ${os.cpus()[0]?.model ?? "unknown CPU"}`,
);
console.table([run("equal_installments"), run("equal_principal")]);
