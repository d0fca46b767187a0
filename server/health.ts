import { z } from "zod";
import { pingDatabase } from "../db/client";
import type { AppDeps } from "./context";

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

/** A dependency that is not configured is reported as such and does not degrade the service. */
export async function checkHealth(deps: AppDeps): Promise<Health> {
  const checks = {
    database: await checkDatabase(deps),
    redis: { status: "not_configured" } as HealthCheck,
    blockchain: { status: "not_configured" } as HealthCheck,
    model: { status: "not_configured" } as HealthCheck,
  };
  const degraded = Object.values(checks).some((check) => check.status === "error");
  return { status: degraded ? "degraded" : "ok", checks };
}
