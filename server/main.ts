import { connectDatabase, migrateDatabase } from "../db/client";
import { createApp } from "./app";
import { startAuditCheckpointSchedule } from "./audit/checkpoint-job";
import { startAuthCleanupSchedule } from "./auth/cleanup-job";
import { startChainPublisher } from "./chain/publisher";
import { createChainService } from "./chain/service";
import { walletActivityForUser } from "./chain/wallet-activity";
import { ConfigError, loadConfig } from "./config";
import { loadScoringModel, pinnedScorecardWarning } from "./credit/model";
import { claimDataDir } from "./data-dir-lock";
import { buildDeps } from "./deps";
import { createJobs } from "./jobs/jobs";
import { startDelinquencySchedule } from "./loans/delinquency-job";
import { startIdempotencyExpiry } from "./loans/idempotency-expiry";
import { createLogger } from "./logger";
import { startSandboxProvider } from "./payments/sandbox";
import { waitForRedis } from "./redis";
import { type KeyedConfig, serverKeysPath, withServerKeys } from "./server-keys";

async function start(): Promise<void> {
  let config: KeyedConfig;
  let generatedKeys: string[];
  let releaseDataDir: () => void;
  let scoring: Awaited<ReturnType<typeof loadScoringModel>>;
  try {
    const loaded = loadConfig();
    // The folder is claimed first: its key file is then written by this process alone.
    releaseDataDir = loaded.DATABASE_URL ? () => {} : claimDataDir(loaded.DATA_DIR);
    ({ config, generated: generatedKeys } = withServerKeys(loaded));
    // Loaded once, before anything else starts: a broken artifact stops start-up with the reason.
    scoring = await loadScoringModel(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config);
  const pinned = pinnedScorecardWarning(config);
  if (pinned) logger.warn(pinned);
  logger.info({ engine: scoring.engine, detail: scoring.reason }, "credit scoring");
  if (generatedKeys.length > 0) {
    logger.warn(
      { keys: generatedKeys, file: serverKeysPath(config.DATA_DIR) },
      "generated server keys into the data folder; back the file up with the database, or set them in the environment",
    );
  }
  const connection = await connectDatabase(
    config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: config.DATA_DIR },
  );
  await migrateDatabase(connection);
  const deps = buildDeps({ config, db: connection.db, logger, scoring });
  if (deps.payments.webhookSecret === null) {
    logger.error(
      "PAYMENTS_WEBHOOK_SECRET is not set: the payment webhook answers 503 and no repayment settles until it is",
    );
  } else if (deps.payments.provider === "webhook" && deps.payments.generatedSecret) {
    logger.warn(
      "PAYMENTS_WEBHOOK_SECRET is not set: only this process can sign payment events (a generated key)",
    );
  }
  if (deps.redis && !(await waitForRedis(deps.redis))) {
    logger.warn("redis not reachable at start; rate limits use this instance's memory until it is");
  }
  // Screening needs the sanctions list: wait for it (a failed load is logged; KYC screening then goes to review).
  await deps.sanctions.index();
  // The job queue is also the chain outbox; workers run here unless JOBS_ENABLED=false.
  const jobs = createJobs(connection, config, logger);
  await jobs.start();
  const chain = createChainService(config);
  if (chain) await startChainPublisher({ ...deps, chain, jobs });
  // The daily late/default pass: one cron schedule in the database, one run per day across instances.
  await startDelinquencySchedule({ ...deps, chain, jobs });
  await startAuthCleanupSchedule({ ...deps, jobs });
  await startAuditCheckpointSchedule({ ...deps, chain, jobs });
  await startIdempotencyExpiry({ ...deps, jobs });
  if (deps.payments.provider === "sandbox") {
    await startSandboxProvider({ ...deps, chain, jobs });
    logger.warn(
      { delaySeconds: deps.payments.sandboxDelaySeconds, generatedSecret: deps.payments.generatedSecret },
      "PAYMENTS_PROVIDER=sandbox: every repayment settles by itself, without money (development only)",
    );
  }
  logger.info(
    chain ? { chainId: chain.chainId, signer: chain.clients.account.address } : { chain: "not configured" },
    "blockchain",
  );
  const walletActivity = chain
    ? (userId: string) => walletActivityForUser({ db: connection.db, chain }, userId)
    : null;
  const app = createApp({ ...deps, chain, jobs, walletActivity });
  app.listen({ port: config.PORT, hostname: config.HOST });
  logger.info({ port: app.server?.port, database: connection.driver }, "BlockScore listening");

  const stop = async (signal: string) => {
    logger.info({ signal }, "shutting down");
    await app.stop();
    await jobs.stop();
    await connection.close();
    releaseDataDir();
    deps.redis?.disconnect();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

await start();
