import { sql } from "drizzle-orm";
import {
  type DrizzleTransactionLike,
  fromDrizzle,
  fromPglite,
  type JobWithMetadata,
  PgBoss,
  type Queue,
  type SendOptions,
} from "pg-boss";
import type { Logger } from "pino";
import type { Database, DatabaseConnection } from "../../db/client";
import { isDatabaseUnavailable } from "../../db/unavailable";
import type { Config } from "../config";
import type { Metrics } from "../metrics";

export type JobsSettings = Pick<Config, "JOBS_ENABLED" | "JOBS_POLL_INTERVAL_SECONDS">;
export type QueueOptions = Omit<Queue, "name">;
export type JobHandler<T> = (job: JobWithMetadata<T>) => Promise<unknown>;
export type WorkerOptions = {
  /** Workers of this queue in this process; always 1 on the embedded database. */
  concurrency?: number;
  pollingIntervalSeconds?: number;
};

/**
 * The job queue, which is also the transactional outbox: `send` with the caller's transaction inserts
 * the job in it, so the job exists if and only if the domain write commits.
 */
export type Jobs = {
  boss: PgBoss;
  /** Whether this process runs workers (JOBS_ENABLED); queues and sends work either way. */
  workersEnabled: boolean;
  /** Installs or migrates pg-boss's schema (its own `pgboss` schema) and starts its maintenance. */
  start(): Promise<void>;
  /** Stops fetching, lets running jobs finish (up to `timeoutMs`, 10 s by default) and releases pg-boss's connections. */
  stop(timeoutMs?: number): Promise<void>;
  /** Creates the queue when it does not exist and applies the retry options when it does. */
  ensureQueue(name: string, options?: QueueOptions): Promise<void>;
  /** Runs `handler` for each job, one job per fetch; does nothing when workers are disabled. */
  work<T extends object>(name: string, handler: JobHandler<T>, options?: WorkerOptions): Promise<void>;
  /** Enqueues inside `db` (pass the transaction of the domain write). Returns the job id. */
  send<T extends object>(
    db: Database,
    name: string,
    data: T,
    options?: Omit<SendOptions, "db">,
  ): Promise<string>;
};

/**
 * A job whose process died (kill -9, a lost machine) stays `active` until pg-boss notices: every running job beats
 * every 5 s, one silent for 10 s is failed and retried, and the check runs every 10 s (pg-boss's default is 60 s
 * and the job's whole expiry, minutes for a chain write). So a crashed worker's jobs run again within ~20 s.
 */
const JOB_HEARTBEAT_SECONDS = 10;
const SUPERVISION = { superviseIntervalSeconds: 10, monitorIntervalSeconds: 10 };

export function createJobs(
  connection: DatabaseConnection,
  settings: JobsSettings,
  logger: Logger,
  metrics?: Pick<Metrics, "jobFailures">,
): Jobs {
  const embedded = connection.driver === "pglite";
  const boss =
    connection.driver === "pglite"
      ? new PgBoss({ db: fromPglite(connection.pglite), backend: "pglite", ...SUPERVISION })
      : new PgBoss({
          connectionString: connection.url,
          max: 4,
          application_name: "blockscore-jobs",
          ...SUPERVISION,
        });
  const log = logger.child({ component: "jobs" });
  boss.on("error", throttledErrorLog(log));
  boss.on("warning", (warning) => log.warn({ warning }, "job queue warning"));

  let started = false;
  return {
    boss,
    workersEnabled: settings.JOBS_ENABLED,
    start: async () => {
      if (started) return;
      await boss.start();
      started = true;
    },
    stop: async (timeoutMs = 10_000) => {
      if (!started) return;
      started = false;
      // Graceful: workers take no new job, running ones get until the timeout, then their jobs go back to retry.
      await boss.stop({ graceful: true, timeout: timeoutMs });
    },
    ensureQueue: async (name, given = {}) => {
      const options: QueueOptions = { heartbeatSeconds: JOB_HEARTBEAT_SECONDS, ...given };
      await boss.createQueue(name, options);
      const { policy: _policy, partition: _partition, ...mutable } = options;
      if (Object.keys(mutable).length > 0) await boss.updateQueue(name, mutable);
    },
    work: async <T extends object>(name: string, handler: JobHandler<T>, options: WorkerOptions = {}) => {
      if (!settings.JOBS_ENABLED) return;
      await boss.work<T>(
        name,
        {
          batchSize: 1,
          includeMetadata: true,
          // PGlite is one connection: more workers would only queue behind each other.
          localConcurrency: embedded ? 1 : (options.concurrency ?? 1),
          pollingIntervalSeconds: options.pollingIntervalSeconds ?? settings.JOBS_POLL_INTERVAL_SECONDS,
        },
        // includeMetadata above: each job carries its retry count and limit
        async ([job]) => {
          if (!job) return;
          try {
            await handler(job as JobWithMetadata<T>);
          } catch (error) {
            metrics?.jobFailures.inc({ queue: name });
            throw error;
          }
        },
      );
    },
    send: async (db, name, data, options = {}) => {
      const id = await boss.send(name, data, {
        ...options,
        db: fromDrizzle(db as unknown as DrizzleTransactionLike, sql),
      });
      if (!id) throw new Error(`job not enqueued on ${name} (refused by the queue policy)`);
      return id;
    },
  };
}

/** One line at most every this long while the queue keeps failing (a lost database fails every poll of every worker). */
const ERROR_LOG_GAP_MS = 10_000;

/** Logs the queue's errors, with the number left unlogged since the last line instead of one line per poll. */
function throttledErrorLog(log: Logger): (error: Error) => void {
  let lastAt = 0;
  let skipped = 0;
  return (error) => {
    const now = Date.now();
    if (now - lastAt < ERROR_LOG_GAP_MS) {
      skipped += 1;
      return;
    }
    log.error(
      { err: error, databaseUnavailable: isDatabaseUnavailable(error), similarErrorsSkipped: skipped },
      "job queue error",
    );
    lastAt = now;
    skipped = 0;
  };
}
