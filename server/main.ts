import type { Logger } from "pino";
import { ConfigError, loadConfig } from "./config";
import { loadScoringModel, pinnedScorecardWarning } from "./credit/scoring-model";
import { claimDataDir, DataDirInUseError } from "./data-dir-lock";
import { createLogger } from "./logger";
import { WORKER_INDEX_VARIABLE } from "./runtime/ipc";
import { type RunningServer, startServer } from "./runtime/serve";
import { superviseWorkers } from "./runtime/supervisor";
import { type KeyedConfig, serverKeysPath, withServerKeys } from "./server-keys";

/**
 * `bun run start`: one server process, or with WORKERS > 1 a supervisor and that many server processes on one
 * port. SIGTERM and SIGINT shut down gracefully and exit 0.
 */
async function main(): Promise<void> {
  // Listen for the signals first, so one that arrives while starting still shuts down gracefully.
  let server: RunningServer | null = null;
  let requested: string | null = null;
  let logger: Logger | null = null;
  const stop = (signal: string) => {
    if (!server || !logger) {
      requested = signal;
      return;
    }
    void server.stop(signal).then(
      () => process.exit(0),
      (error) => {
        logger?.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
  const workerVariable = process.env[WORKER_INDEX_VARIABLE];
  const worker = workerVariable === undefined ? null : Number(workerVariable);
  let config: KeyedConfig;
  let generatedKeys: string[];
  let releaseDataDir: () => void;
  let scoring: Awaited<ReturnType<typeof loadScoringModel>>;
  try {
    const loaded = loadConfig();
    // The folder is claimed first: its key file is then written by this process alone. (Several workers need
    // DATABASE_URL, so they never claim one.)
    releaseDataDir = loaded.DATABASE_URL ? () => {} : claimDataDir(loaded.DATA_DIR);
    ({ config, generated: generatedKeys } = withServerKeys(loaded));
    // Loaded once, before anything else starts: a broken artifact stops start-up with the reason.
    scoring = await loadScoringModel(config);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DataDirInUseError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  logger = createLogger(config, undefined, worker === null ? {} : { worker });
  if (worker === null) {
    const pinned = pinnedScorecardWarning(config);
    if (pinned) logger.warn(pinned);
    logger.info({ engine: scoring.engine, detail: scoring.reason }, "credit scoring");
    if (generatedKeys.length > 0) {
      logger.warn(
        { keys: generatedKeys, file: serverKeysPath(config.DATA_DIR) },
        "generated server keys into the data folder; back the file up with the database, or set them in the environment",
      );
    }
  }
  if (worker === null && config.WORKERS > 1) {
    process.exit(await superviseWorkers(config, logger));
  }

  server = await startServer({ config, logger, scoring, worker, releaseDataDir });
  if (requested) stop(requested);
}

await main();
