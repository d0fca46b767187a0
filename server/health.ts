import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { z } from "zod";
import { pingDatabase } from "../db/client";
import { checkBlockchain } from "./chain/service";
import type { AppDeps, Context } from "./context";
import { checkModel } from "./credit/model";
import { pingRedis } from "./redis";

const checkSchema = z.object({
  status: z.enum(["ok", "error", "not_configured"]),
  detail: z.string().optional(),
  info: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});
export type HealthCheck = z.infer<typeof checkSchema>;

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
    return { status: "error", detail: "database did not answer" };
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
  const degraded = [...Object.values(checks), sanctions].some((check) => check.status === "error");
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
