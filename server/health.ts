import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { z } from "zod";
import { pingDatabase } from "../db/client";
import { checkBlockchain } from "./chain/connection";
import type { AppDeps, Context } from "./context";
import { checkModel } from "./credit/scoring-model";
import { checkSchema, type HealthCheck } from "./health-check";
import { pingRedis } from "./redis";

export const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  checks: z.object({
    database: checkSchema,
    redis: checkSchema,
    blockchain: checkSchema,
    model: checkSchema,
  }),
  sanctions: checkSchema.meta({
    description: "The sanctions list KYC screens against: entries and load time",
  }),
});
export type Health = z.infer<typeof healthSchema>;

async function checkDatabase(deps: AppDeps): Promise<HealthCheck> {
  try {
    await pingDatabase(deps.db);
    return { status: "ok", info: { driver: deps.config.DATABASE_URL ? "postgres" : "pglite" } };
  } catch {
    return { status: "down", detail: "database did not answer" };
  }
}

async function checkRedis(deps: AppDeps): Promise<HealthCheck> {
  if (!deps.redis)
    return { status: "not_configured", detail: "rate limits are kept in this instance's memory" };
  return (await pingRedis(deps.redis))
    ? { status: "ok" }
    : { status: "error", detail: "redis unreachable; rate limits fall back to this instance's memory" };
}

async function checkSanctions(deps: AppDeps): Promise<HealthCheck> {
  const list = await deps.sanctions.status();
  return list.loaded
    ? { status: "ok", info: { entries: list.count, loadedAt: list.loadedAt.toISOString() } }
    : {
        status: "error",
        detail: "sanctions list not loaded; every KYC screening goes to review",
        info: { entries: 0, loadedAt: null },
      };
}

/** A dependency that is not configured is reported as such and does not degrade the service. */
export async function checkHealth(deps: AppDeps): Promise<Health> {
  const checks = {
    database: await checkDatabase(deps),
    redis: await checkRedis(deps),
    blockchain: await checkBlockchain(deps.chain),
    model: checkModel(deps.scoring),
  };
  const sanctions = await checkSanctions(deps);
  const degraded = [...Object.values(checks), sanctions].some(
    (check) => check.status === "error" || check.status === "down",
  );
  return { status: degraded ? "degraded" : "ok", checks, sanctions };
}

/**
 * What an anonymous caller sees: the same shape with statuses only. The details (signer address and balance,
 * contract addresses, driver, model version, why a check failed) help an attacker as much as an operator.
 */
export function publicHealth(health: Health): Health {
  const statusOnly = (check: HealthCheck): HealthCheck => ({ status: check.status });
  const { database, redis, blockchain, model } = health.checks;
  return {
    status: health.status,
    checks: {
      database: statusOnly(database),
      redis: statusOnly(redis),
      blockchain: statusOnly(blockchain),
      model: statusOnly(model),
    },
    sanctions: statusOnly(health.sanctions),
  };
}

/** Details go to an admin whose session is complete, or to a caller presenting METRICS_TOKEN as its bearer token. */
export function mayReadHealthDetails(ctx: Pick<Context, "config" | "request" | "user" | "session">): boolean {
  if (ctx.user?.role === "admin" && ctx.session && (!ctx.user.mfaEnabled || ctx.session.mfaVerified))
    return true;
  const expected = ctx.config.METRICS_TOKEN;
  const given = ctx.request.token;
  if (!expected || !given) return false;
  const a = new TextEncoder().encode(expected);
  const b = new TextEncoder().encode(given);
  return a.length === b.length && constantTimeEqual(a, b);
}

/**
 * The health answer kept in memory: checks run in the background every `intervalMs` (every second while
 * degraded, so recovery shows soon) and at once after a failure: a request that found a dependency down calls
 * `checkSoon`, and the next health read waits for a fresh check. Otherwise a request reads the last result and
 * never waits for a database round trip.
 */
export type HealthMonitor = {
  current(deps: AppDeps): Promise<Health>;
  /** Starts the background checks against `deps` (the process's final dependencies). */
  start(deps: AppDeps): void;
  stop(): void;
  /** Something failed: check again now, and make the next read wait for that check. */
  checkSoon(): void;
};

const DEGRADED_RECHECK_MS = 1000;
/** A burst of failing requests asks for one check, not one each. */
const CHECK_SOON_MIN_GAP_MS = 1000;

export function createHealthMonitor(intervalMs: number): HealthMonitor {
  let latest: { health: Health; at: number } | null = null;
  let running: Promise<Health> | null = null;
  let suspect = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let watched: AppDeps | null = null;

  let lastSoonAt = 0;
  const run = (deps: AppDeps): Promise<Health> => {
    suspect = false;
    running ??= checkHealth(deps)
      .then((health) => {
        latest = { health, at: Date.now() };
        return health;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const schedule = () => {
    if (!watched) return;
    const deps = watched;
    const delay =
      latest?.health.status === "degraded" ? Math.min(DEGRADED_RECHECK_MS, intervalMs) : intervalMs;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      void run(deps)
        .catch((error) => deps.logger.error({ err: error }, "health check failed"))
        .finally(schedule);
    }, delay);
    timer.unref?.();
  };

  return {
    current: async (deps) => {
      if (!latest || suspect) return running ?? run(deps);
      // Without the background loop (tests, scripts), a stale answer is refreshed behind the one returned.
      if (!watched && Date.now() - latest.at > intervalMs) void run(deps).catch(() => {});
      return latest.health;
    },
    start: (deps) => {
      if (watched) return;
      watched = deps;
      void run(deps).finally(schedule);
    },
    stop: () => {
      watched = null;
      if (timer) clearTimeout(timer);
      timer = null;
    },
    checkSoon: () => {
      if (Date.now() - lastSoonAt < CHECK_SOON_MIN_GAP_MS) return;
      lastSoonAt = Date.now();
      suspect = true;
      if (watched && !running) void run(watched).finally(schedule);
    },
  };
}
