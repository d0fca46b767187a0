import { randomBytes } from "node:crypto";
/**
 * The HTTP target of the bench scripts: the real app started in this process, or a running server named by
 * BENCH_URL. Either way loopback only, so the load never leaves the machine.
 */
import os from "node:os";
import { connectDatabase, migrateDatabase } from "../../db/client";
import { createApp } from "../../server/app";
import { loadConfig } from "../../server/config";
import { loadScoringModel } from "../../server/credit/scoring-model";
import { buildDeps } from "../../server/deps";
import { createLogger } from "../../server/logger";

/** A complete financial profile, in the formats a client sends (PATCH /api/profile, credit.simulate). */
export const FINANCIAL_PROFILE = {
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

export type BenchTarget = { url: string; inProcess: boolean; stop(): Promise<void> };

const LOOPBACK_HOSTNAMES = ["127.0.0.1", "localhost", "::1", "[::1]"];

/**
 * The real app in this process on an in-memory PGlite, listening on 127.0.0.1 at a port the OS picks.
 * Its config says production (as a deployment would) and sets rate limits no bench reaches.
 */
export async function startInProcessApp(): Promise<BenchTarget> {
  const { app: unstarted, close } = await createInProcessApp();
  const app = unstarted.listen({ port: 0, hostname: "127.0.0.1" });
  return {
    url: `http://127.0.0.1:${app.server?.port}`,
    inProcess: true,
    stop: async () => {
      await app.stop();
      await close();
    },
  };
}

/** The real app on an in-memory PGlite, not listening: for `app.handle` in a loop. */
export async function createInProcessApp() {
  const config = {
    ...loadConfig({
      NODE_ENV: "production",
      LOG_LEVEL: "silent",
      RATE_LIMIT_GENERAL: "100000000/60",
      RATE_LIMIT_SCORE: "100000000/86400",
    }),
    // A throw-away database: throw-away keys.
    MFA_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    AUDIT_HMAC_KEY: randomBytes(32).toString("hex"),
  };
  const connection = await connectDatabase({ memory: true });
  await migrateDatabase(connection);
  const deps = buildDeps({
    config,
    db: connection.db,
    logger: createLogger(config),
    scoring: await loadScoringModel(config),
  });
  return { app: createApp(deps), close: () => connection.close() };
}

/** The server at BENCH_URL if set (loopback addresses only), else `startInProcessApp()`. */
export async function startTarget(): Promise<BenchTarget> {
  const external = process.env.BENCH_URL;
  if (!external) return startInProcessApp();
  const { hostname } = new URL(external);
  if (!LOOPBACK_HOSTNAMES.includes(hostname)) {
    throw new Error(`BENCH_URL must be a loopback address, got ${hostname}`);
  }
  return { url: external.replace(/\/$/, ""), inProcess: false, stop: async () => {} };
}

/**
 * One authenticated request; `path` is under /api unless it starts with /trpc/. Returns the response body,
 * and throws on any status but 200 so a bench never times error responses.
 */
export async function callApi(
  target: BenchTarget,
  method: "POST" | "PATCH",
  path: string,
  token: string,
  body?: unknown,
): Promise<string> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${target.url}${path.startsWith("/trpc/") ? "" : "/api"}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text;
}

/** Registers a new user, fills in `FINANCIAL_PROFILE`, and returns the session token. */
export async function registerUserWithProfile(target: BenchTarget): Promise<string> {
  // Unique, as BENCH_URL may point at a server that keeps users from earlier runs.
  const email = `bench-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const registered = await fetch(`${target.url}/api/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "violet-harbour-lantern-42", name: "Bench" }),
  });
  if (!registered.ok) throw new Error(`register answered ${registered.status}: ${await registered.text()}`);
  const { token } = (await registered.json()) as { token: string };
  await callApi(target, "PATCH", "/profile", token, FINANCIAL_PROFILE);
  return token;
}

/**
 * Where the figures come from: Bun, CPU, the target, and the process's NODE_ENV (trpc-to-openapi's REST
 * handler does more work per request unless it is "production"; see bench/scoring-http.ts).
 */
export function describeTarget(target: BenchTarget): string {
  return (
    `Bun ${Bun.version}, ${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, ` +
    `${target.inProcess ? "app in this process on in-memory PGlite" : `server at ${target.url}`}, loopback, ` +
    `process NODE_ENV=${process.env.NODE_ENV ?? "(unset)"}, load average ${os.loadavg()[0]?.toFixed(2)}`
  );
}
