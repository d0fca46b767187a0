import type { Logger } from "pino";
import type { Database } from "../../db/client";
import type { Config } from "../config";
import type { Jobs } from "../jobs/jobs";
import { deleteExpiredAuthRecords } from "./cleanup";
import { sessionPolicy } from "./session";

export const AUTH_CLEANUP_QUEUE = "auth.cleanup";

export type AuthCleanupDeps = {
  db: Database;
  logger: Logger;
  config: Pick<
    Config,
    "AUTH_CLEANUP_CRON" | "SESSION_TTL_DAYS" | "SESSION_MAX_DAYS" | "SESSION_MAX_PER_USER"
  >;
  jobs: Jobs;
};

/** The daily clean-up of expired sessions, wallet challenges and one-time codes: one run across instances. */
export async function startAuthCleanupSchedule(deps: AuthCleanupDeps): Promise<void> {
  const { jobs, config } = deps;
  const log = deps.logger.child({ component: AUTH_CLEANUP_QUEUE });
  await jobs.ensureQueue(AUTH_CLEANUP_QUEUE, {
    policy: "exclusive",
    retryLimit: 3,
    retryDelay: 300,
    retryBackoff: true,
  });
  await jobs.boss.schedule(AUTH_CLEANUP_QUEUE, config.AUTH_CLEANUP_CRON, {}, { tz: "UTC" });
  await jobs.work(AUTH_CLEANUP_QUEUE, async () => {
    const deleted = await deleteExpiredAuthRecords(deps.db, {
      now: new Date(),
      sessionMaxAgeMs: sessionPolicy(config).maxAgeMs,
    });
    log.info({ deleted }, "expired auth records deleted");
    return deleted;
  });
}
