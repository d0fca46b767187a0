/**
 * `loans.calculate` for a 360-month schedule over HTTP, next to its peer: the pure `amortizationSchedule`.
 * Run: bun bench/loans-calculate.ts [sequential-requests] [concurrent-clients] [seconds]
 *
 * It starts the real app in this process on an in-memory PGlite (loopback, port chosen by the OS), registers a
 * user with a full profile and a score, then times, one request after another:
 *   - POST /api/loans/calculate with an apr   (session check, validation, schedule, disclosure, 360 rows of JSON)
 *   - POST /api/loans/calculate without one   (the same, plus reading the latest score to price it)
 *   - POST /trpc/loans.calculate with an apr  (the tRPC transport, superjson)
 * and the REST call's throughput with N clients for a bounded time. Then the pure schedule alone, in process.
 * As bench/scoring-http.ts explains, run it with NODE_ENV=production too: trpc-to-openapi's REST handler
 * does more work per request otherwise.
 */
import os from "node:os";
import { connectDatabase, migrateDatabase } from "../db/client";
import { createApp } from "../server/app";
import { loadConfig } from "../server/config";
import { loadScoringModel } from "../server/credit/model";
import { buildDeps } from "../server/deps";
import { aprDisclosure } from "../server/loans/disclosure";
import { amortizationSchedule } from "../server/loans/schedule";
import { toTermsView } from "../server/loans/views";
import { createLogger } from "../server/logger";

const SEQUENTIAL = Number(process.argv[2] ?? 1_000);
const CLIENTS = Number(process.argv[3] ?? 16);
const SECONDS = Number(process.argv[4] ?? 5);
const WARMUP = 100;
const PURE_RUNS = 20_000;

const PROFILE = {
  dateOfBirth: "1980-03-15",
  annualIncome: "72000.00",
  monthlyDebtPayments: "1500.00",
  openCreditLines: 8,
  realEstateLoans: 1,
  dependants: 1,
  revolvingUtilizationPercent: 20,
  pastDue30to59: 0,
  pastDue60to89: 0,
  pastDue90Plus: 0,
  creditHistoryYears: 12,
  recentInquiries: 1,
};
const WITH_APR = { amount: "50000.00", termMonths: 360, apr: "6.00" };
const PRICED = { amount: "50000.00", termMonths: 360 };

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}
const ms = (ns: number) => `${(ns / 1e6).toFixed(3)} ms`;
const us = (ns: number) => `${(ns / 1e3).toFixed(1)} µs`;

async function timed(
  runs: number,
  work: () => unknown,
): Promise<{ median: number; p99: number; perSecond: number }> {
  for (let i = 0; i < Math.min(WARMUP, runs); i++) await work();
  const samples = new Float64Array(runs);
  const started = Bun.nanoseconds();
  for (let i = 0; i < runs; i++) {
    const t0 = Bun.nanoseconds();
    await work();
    samples[i] = Bun.nanoseconds() - t0;
  }
  const elapsed = Bun.nanoseconds() - started;
  samples.sort();
  return { median: quantile(samples, 0.5), p99: quantile(samples, 0.99), perSecond: runs / (elapsed / 1e9) };
}

const config = loadConfig({
  NODE_ENV: "production",
  LOG_LEVEL: "silent",
  RATE_LIMIT_GENERAL: "100000000/60",
});
const connection = await connectDatabase({ memory: true });
await migrateDatabase(connection);
const deps = buildDeps({
  config,
  db: connection.db,
  logger: createLogger(config),
  scorecard: await loadScoringModel(config),
});
const app = createApp(deps).listen({ port: 0, hostname: "127.0.0.1" });
const url = `http://127.0.0.1:${app.server?.port}`;

async function call(path: string, token: string, body?: unknown): Promise<number> {
  const response = await fetch(`${url}${path.startsWith("/trpc/") ? "" : "/api"}${path}`, {
    method: path === "/profile" ? "PATCH" : "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${text}`);
  return text.length;
}

try {
  const registered = await fetch(`${url}/api/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      email: `bench-${Date.now()}@example.test`,
      password: "violet-harbour-lantern-42",
      name: "Bench",
    }),
  });
  const { token } = (await registered.json()) as { token: string };
  await call("/profile", token, PROFILE);
  await call("/credit/calculate-score", token);
  const bytes = await call("/loans/calculate", token, WITH_APR);

  console.log(
    `loans.calculate, 360 months: Bun ${Bun.version}, ${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, ` +
      `app in this process on in-memory PGlite, loopback, process NODE_ENV=${process.env.NODE_ENV ?? "(unset)"}, ` +
      `load average ${os.loadavg()[0]?.toFixed(2)}; response ${(bytes / 1024).toFixed(1)} KiB`,
  );
  const rest = await timed(SEQUENTIAL, () => call("/loans/calculate", token, WITH_APR));
  console.log(
    `POST /api/loans/calculate (apr given)      ${SEQUENTIAL} sequential   median ${ms(rest.median)}   p99 ${ms(rest.p99)}`,
  );
  const priced = await timed(SEQUENTIAL, () => call("/loans/calculate", token, PRICED));
  console.log(
    `POST /api/loans/calculate (priced by score) ${SEQUENTIAL} sequential  median ${ms(priced.median)}   p99 ${ms(priced.p99)}`,
  );
  const trpc = await timed(SEQUENTIAL, () => call("/trpc/loans.calculate", token, { json: WITH_APR }));
  console.log(
    `POST /trpc/loans.calculate (apr given)     ${SEQUENTIAL} sequential   median ${ms(trpc.median)}   p99 ${ms(trpc.p99)}`,
  );

  const deadline = performance.now() + SECONDS * 1000;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        await call("/loans/calculate", token, WITH_APR);
        done += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  console.log(
    `POST /api/loans/calculate (apr given)      ${CLIENTS} concurrent clients   ${Math.round(done / elapsed).toLocaleString("en-US")} req/s ` +
      `(${done.toLocaleString("en-US")} requests in ${elapsed.toFixed(1)} s)`,
  );

  const params = {
    principalCents: 5_000_000,
    aprBasisPoints: 600,
    termMonths: 360,
    scheduleType: "equal_installments" as const,
    startDate: new Date("2025-01-31T00:00:00Z"),
  };
  const pure = await timed(PURE_RUNS, () => amortizationSchedule(params));
  const formatted = await timed(PURE_RUNS, () => {
    const schedule = amortizationSchedule(params);
    const disclosure = aprDisclosure({
      principalCents: params.principalCents,
      aprBasisPoints: 600,
      schedule,
    });
    return toTermsView({
      ...params,
      amountCents: params.principalCents,
      schedule,
      disclosure,
      pricing: { source: "requested", band: null, score: null },
    });
  });
  console.log("\npeer comparison (median / p99 / per second, one at a time):");
  console.log(
    `  amortizationSchedule alone (as bench/loan-schedule.ts)    ${us(pure.median)} / ${us(pure.p99)} / ${Math.round(pure.perSecond).toLocaleString("en-US")}`,
  );
  console.log(
    `  + disclosure + decimal-string view (the handler's work)  ${us(formatted.median)} / ${us(formatted.p99)} / ${Math.round(formatted.perSecond).toLocaleString("en-US")}`,
  );
  console.log(
    `  full authenticated HTTP call, REST                       ${ms(rest.median)} / ${ms(rest.p99)} / ${Math.round(rest.perSecond).toLocaleString("en-US")}`,
  );
  console.log(
    `  the schedule is ${((pure.median / rest.median) * 100).toFixed(1)} % of the REST call's median`,
  );
} finally {
  await app.stop();
  await connection.close();
}
