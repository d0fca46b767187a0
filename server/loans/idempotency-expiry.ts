import { lt } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "../../db/client";
import { idempotencyKeys } from "../../db/schema";
import type { Config } from "../config";
import type { Jobs } from "../jobs/jobs";

export const IDEMPOTENCY_EXPIRY_QUEUE = "loans.idempotency-expiry";
/** Hourly, so a key outlives its TTL by at most an hour on disk (lookups ignore it from the TTL on). */
const EXPIRY_CRON = "40 * * * *";

/** Deletes the keys older than the TTL as of `now`; returns how many. */
export async function deleteExpiredIdempotencyKeys(
  db: Database,
  now: Date,
  ttlHours: number,
): Promise<number> {
  const deleted = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, new Date(now.getTime() - ttlHours * 3_600_000)))
    .returning({ key: idempotencyKeys.key });
  return deleted.length;
}

/** The expiry as a pg-boss cron schedule: stored once in the database, one run per hour across instances. */
export async function startIdempotencyExpiry(deps: {
  db: Database;
  logger: Logger;
  jobs: Jobs;
  config: Pick<Config, "IDEMPOTENCY_TTL_HOURS">;
}): Promise<void> {
  const { jobs } = deps;
  await jobs.ensureQueue(IDEMPOTENCY_EXPIRY_QUEUE, { policy: "exclusive", retryLimit: 3, retryDelay: 60 });
  await jobs.boss.schedule(IDEMPOTENCY_EXPIRY_QUEUE, EXPIRY_CRON, {}, { tz: "UTC" });
  await jobs.work(IDEMPOTENCY_EXPIRY_QUEUE, async () => {
    const deleted = await deleteExpiredIdempotencyKeys(
      deps.db,
      new Date(),
      deps.config.IDEMPOTENCY_TTL_HOURS,
    );
    deps.logger.child({ component: IDEMPOTENCY_EXPIRY_QUEUE }).info({ deleted }, "expired idempotency keys");
    return { deleted };
  });
}
