import type { Logger } from "pino";
import type { Database } from "../../db/client";
import type { Config } from "../config";
import type { Jobs } from "../jobs/jobs";
import { runRescreen } from "./rescreen";
import type { SanctionsRegistry } from "./sanctions-registry";
import { RESCREEN_QUEUE, sendPendingRescreens } from "./sanctions-store";

export const SANCTIONS_REFRESH_QUEUE = "sanctions.refresh";

export type SanctionsJobsDeps = {
  db: Database;
  logger: Logger;
  config: Pick<
    Config,
    | "SANCTIONS_SOURCE_URLS"
    | "SANCTIONS_REFRESH_CRON"
    | "SANCTIONS_MATCH_THRESHOLD"
    | "SANCTIONS_RESCREEN_BATCH"
  >;
  jobs: Jobs;
  sanctions: SanctionsRegistry;
};

/**
 * The rescreen worker, and with SANCTIONS_SOURCE_URLS the refresh cron (one schedule in the database, one run
 * per occurrence across instances, `exclusive` so runs never overlap). Rescreens stored before the queue was up
 * get their job here.
 */
export async function startSanctionsJobs(deps: SanctionsJobsDeps): Promise<void> {
  const { db, jobs, config, sanctions } = deps;
  const log = deps.logger.child({ component: "sanctions" });
  sanctions.useJobs(jobs);
  // A rescreen of 10,000 customers takes minutes: it may stay active for an hour before pg-boss retries it.
  await jobs.ensureQueue(RESCREEN_QUEUE, {
    retryLimit: 5,
    retryDelay: 30,
    retryBackoff: true,
    expireInSeconds: 3600,
  });
  await jobs.work<{ rescreenId: string }>(RESCREEN_QUEUE, (job) =>
    runRescreen(
      db,
      {
        logger: log,
        threshold: config.SANCTIONS_MATCH_THRESHOLD,
        batchSize: config.SANCTIONS_RESCREEN_BATCH,
      },
      { rescreenId: job.data.rescreenId },
    ),
  );
  await sendPendingRescreens(db, jobs);
  if (config.SANCTIONS_SOURCE_URLS.length === 0) return;
  await jobs.ensureQueue(SANCTIONS_REFRESH_QUEUE, { policy: "exclusive", retryLimit: 0 });
  await jobs.boss.schedule(SANCTIONS_REFRESH_QUEUE, config.SANCTIONS_REFRESH_CRON, {}, { tz: "UTC" });
  await jobs.work(SANCTIONS_REFRESH_QUEUE, async () => {
    const outcome = await sanctions.refresh("cron");
    log.info({ outcome }, "sanctions list refresh");
    return { outcome };
  });
}
