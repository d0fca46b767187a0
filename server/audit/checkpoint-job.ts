import type { Logger } from "pino";
import type { Database } from "../../db/client";
import type { Outbox } from "../chain/outbox";
import type { Config } from "../config";
import type { Jobs } from "../jobs/jobs";
import { checkpointAuditHead } from "./checkpoint";

export const AUDIT_CHECKPOINT_QUEUE = "audit.checkpoint";

export type CheckpointScheduleDeps = Outbox & {
  db: Database;
  logger: Logger;
  config: Pick<Config, "AUDIT_CHECKPOINT_MINUTES">;
  jobs: Jobs;
};

// A minute of slack: a run a few seconds early must not push the checkpoint a whole minute late.
const SLACK_MS = 30_000;

/**
 * Checkpoints the audit head every AUDIT_CHECKPOINT_MINUTES. Cron cannot say "every 90 minutes", so the
 * schedule fires every minute (once across instances, one run at a time) and the run decides from the last
 * checkpoint's age.
 */
export async function startAuditCheckpointSchedule(deps: CheckpointScheduleDeps): Promise<void> {
  const { jobs, config } = deps;
  const log = deps.logger.child({ component: AUDIT_CHECKPOINT_QUEUE });
  await jobs.ensureQueue(AUDIT_CHECKPOINT_QUEUE, { policy: "exclusive", retryLimit: 2, retryDelay: 30 });
  await jobs.boss.schedule(AUDIT_CHECKPOINT_QUEUE, "* * * * *", {}, { tz: "UTC" });
  await jobs.work(AUDIT_CHECKPOINT_QUEUE, () =>
    checkpointAuditHead(deps.db, {
      outbox: deps,
      logger: log,
      intervalMs: config.AUDIT_CHECKPOINT_MINUTES * 60_000 - SLACK_MS,
    }),
  );
}
