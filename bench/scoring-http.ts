/**
 * The full authenticated HTTP call of scoring, next to its peer, inference alone.
 * Run: bun bench/scoring-http.ts [sequential-requests] [concurrent-clients] [seconds]
 *
 * By default it starts the real app in this process on an in-memory PGlite (loopback, port chosen by the OS),
 * registers a user with a full profile, then times, one request after another:
 *   - POST /api/credit/simulate       (session check + validation + inference; stores nothing)
 *   - POST /api/credit/calculate-score (the same, plus profile read, insert and hash-chained audit append)
 * and measures simulate's throughput with N clients for a bounded time and request count.
 * BENCH_URL=http://127.0.0.1:3000 runs the same against a running server instead (loopback only; its
 * RATE_LIMIT_GENERAL must allow the load, and calculate-score is skipped there, as its daily cap applies).
 *
 * The process's NODE_ENV matters: trpc-to-openapi's REST handler, created per request, regenerates the whole
 * OpenAPI document to validate the router on every request unless process.env.NODE_ENV is "production".
 * Run it both ways: `bun bench/scoring-http.ts` and `NODE_ENV=production bun bench/scoring-http.ts`.
 */
import os from "node:os";
import { connectDatabase, migrateDatabase } from "../db/client";
import { createApp } from "../server/app";
import { loadConfig } from "../server/config";
import { loadScoringModel } from "../server/credit/model";
import { EMPTY_PAYMENT_RECORD } from "../server/credit/payment-record";
import { profileToInputs } from "../server/credit/profile-inputs";
import { scoreWithScorecard } from "../server/credit/scorecard/score";
import { buildDeps } from "../server/deps";
import { createLogger } from "../server/logger";

const SEQUENTIAL = Number(process.argv[2] ?? 2_000);
const CLIENTS = Number(process.argv[3] ?? 16);
const SECONDS = Number(process.argv[4] ?? 5);
const MAX_CONCURRENT_REQUESTS = 200_000;
const WARMUP = 200;
const CALCULATE_RUNS = Math.min(SEQUENTIAL, 500);

const PROFILE = {
  dateOfBirth: "1980-03-15",
  dependants: 1,
  annualIncome: "72000.00",
  monthlyDebtPayments: "1500.00",
  openCreditLines: 8,
  realEstateLoans: 1,
  revolvingUtilizationPercent: 20,
  pastDue30to59: 0,
  pastDue60to89: 0,
  pastDue90Plus: 0,
  creditHistoryYears: 12,
  recentInquiries: 1,
};

type Target = { url: string; inProcess: boolean; stop(): Promise<void> };

async function startTarget(): Promise<Target> {
  const external = process.env.BENCH_URL;
  if (external) {
    const { hostname } = new URL(external);
    if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(hostname)) {
      throw new Error(`BENCH_URL must be a loopback address, got ${hostname}`);
    }
    return { url: external.replace(/\/$/, ""), inProcess: false, stop: async () => {} };
  }
  const config = loadConfig({
    NODE_ENV: "production",
    LOG_LEVEL: "silent",
    RATE_LIMIT_GENERAL: "100000000/60",
    RATE_LIMIT_SCORE: "100000000/86400",
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
  return {
    url: `http://127.0.0.1:${app.server?.port}`,
    inProcess: true,
    stop: async () => {
      await app.stop();
      await connection.close();
    },
  };
}

async function call(url: string, method: string, path: string, token: string, body?: unknown): Promise<void> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${url}${path.startsWith("/trpc/") ? "" : "/api"}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

const ms = (ns: number) => `${(ns / 1e6).toFixed(3)} ms`;
const us = (ns: number) => `${(ns / 1e3).toFixed(2)} µs`;

async function sequential(
  runs: number,
  request: () => Promise<void>,
): Promise<{ median: number; p99: number }> {
  for (let i = 0; i < Math.min(WARMUP, runs); i++) await request();
  const samples = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const started = Bun.nanoseconds();
    await request();
    samples[i] = Bun.nanoseconds() - started;
  }
  samples.sort();
  return { median: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

async function throughput(clients: number, seconds: number, request: () => Promise<void>) {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline && done < MAX_CONCURRENT_REQUESTS) {
        await request();
        done += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { done, elapsed, perSecond: done / elapsed };
}

function inferenceAlone(runs: number, scorecard: NonNullable<Awaited<ReturnType<typeof loadScoringModel>>>) {
  const inputs = profileToInputs(
    {
      ...PROFILE,
      annualIncomeCents: 7_200_000,
      monthlyDebtPaymentsCents: 150_000,
    },
    EMPTY_PAYMENT_RECORD,
    null,
    new Date(),
  );
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += scoreWithScorecard(scorecard, inputs).score;
  const samples = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const started = Bun.nanoseconds();
    sink += scoreWithScorecard(scorecard, inputs).score;
    samples[i] = Bun.nanoseconds() - started;
  }
  samples.sort();
  return { median: quantile(samples, 0.5), p99: quantile(samples, 0.99), sink };
}

const target = await startTarget();
try {
  const email = `bench-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const registered = await fetch(`${target.url}/api/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "violet-harbour-lantern-42", name: "Bench" }),
  });
  if (!registered.ok) throw new Error(`register answered ${registered.status}: ${await registered.text()}`);
  const { token } = (await registered.json()) as { token: string };
  await call(target.url, "PATCH", "/profile", token, PROFILE);

  console.log(
    `scoring over HTTP: Bun ${Bun.version}, ${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, ` +
      `${target.inProcess ? "app in this process on in-memory PGlite" : `server at ${target.url}`}, loopback, ` +
      `process NODE_ENV=${process.env.NODE_ENV ?? "(unset)"}, load average ${os.loadavg()[0]?.toFixed(2)}`,
  );
  const simulate = () => call(target.url, "POST", "/credit/simulate", token, PROFILE);
  const simulated = await sequential(SEQUENTIAL, simulate);
  console.log(
    `POST /api/credit/simulate         ${SEQUENTIAL} sequential   median ${ms(simulated.median)}   p99 ${ms(simulated.p99)}`,
  );
  const viaTrpc = await sequential(SEQUENTIAL, () =>
    call(target.url, "POST", "/trpc/credit.simulate", token, { json: PROFILE }),
  );
  console.log(
    `POST /trpc/credit.simulate        ${SEQUENTIAL} sequential   median ${ms(viaTrpc.median)}   p99 ${ms(viaTrpc.p99)}`,
  );
  let calculated: { median: number; p99: number } | null = null;
  if (target.inProcess) {
    calculated = await sequential(CALCULATE_RUNS, () =>
      call(target.url, "POST", "/credit/calculate-score", token),
    );
    console.log(
      `POST /api/credit/calculate-score  ${CALCULATE_RUNS} sequential    median ${ms(calculated.median)}   p99 ${ms(calculated.p99)}`,
    );
  } else {
    console.log(
      "POST /api/credit/calculate-score  skipped against an external server (its daily cap applies)",
    );
  }
  const load = await throughput(CLIENTS, SECONDS, simulate);
  console.log(
    `POST /api/credit/simulate         ${CLIENTS} concurrent clients   ${Math.round(load.perSecond).toLocaleString("en-US")} req/s ` +
      `(${load.done.toLocaleString("en-US")} requests in ${load.elapsed.toFixed(1)} s)`,
  );

  const scorecard = await loadScoringModel({});
  if (scorecard) {
    const alone = inferenceAlone(100_000, scorecard);
    console.log("\npeer comparison (median / p99):");
    console.log(
      `  inference alone (scoreWithScorecard, as bench/scoring-inference.ts)  ${us(alone.median)} / ${us(alone.p99)}`,
    );
    console.log(
      `  full authenticated HTTP simulate, REST                                ${ms(simulated.median)} / ${ms(simulated.p99)}`,
    );
    console.log(
      `  full authenticated HTTP simulate, tRPC                                ${ms(viaTrpc.median)} / ${ms(viaTrpc.p99)}`,
    );
    if (calculated) {
      console.log(
        `  full authenticated HTTP calculate-score (DB write + audit)            ${ms(calculated.median)} / ${ms(calculated.p99)}`,
      );
    }
    console.log(
      `  inference is ${((alone.median / simulated.median) * 100).toFixed(3)} % of the simulate call's median ` +
        `(model ${scorecard.version}, checksum ${alone.sink % 997})`,
    );
  }
} finally {
  await target.stop();
}
