import type { Server } from "bun";
import type { Logger } from "pino";
import { connectDatabase, type DatabaseConnection, migrateDatabase } from "../../db/client";
import { createApp } from "../app";
import { startAuditCheckpointSchedule } from "../audit/checkpoint-job";
import { startAuthCleanupSchedule } from "../auth/cleanup-job";
import { createChainService } from "../chain/connection";
import { oldestUnpublishedAge, startChainPublisher } from "../chain/publisher";
import { walletActivityForUser } from "../chain/wallet-activity";
import { watchCompliance } from "../compliance/metrics";
import { startSanctionsJobs } from "../compliance/sanctions-jobs";
import type { AppDeps } from "../context";
import type { LoadedEngine } from "../credit/engine";
import { startModelMonitoringSchedule } from "../credit/monitoring/job";
import { engineVersion } from "../credit/scoring-model";
import { databaseTarget } from "../database-target";
import { buildDeps } from "../deps";
import { createJobs, type Jobs } from "../jobs/jobs";
import { startDelinquencySchedule } from "../loans/delinquency-job";
import { startIdempotencyExpiry } from "../loans/idempotency-expiry";
import { ensureDefaultProduct } from "../loans/products/service";
import { loanSettings } from "../loans/settings";
import { type MetricsSnapshot, watch } from "../metrics";
import { startSandboxProvider } from "../payments/sandbox";
import { waitForRedis } from "../redis";
import type { KeyedConfig } from "../server-keys";
import { startWebhookDelivery } from "../webhooks/delivery";
import type { SupervisorMessage, WorkerMessage } from "./ipc";
import { serveMetrics } from "./metrics-server";

export type RunningServer = {
  port: number;
  /** Graceful shutdown; resolves once everything is closed (the caller exits). */
  stop(reason: string): Promise<void>;
};

type Parts = {
  config: KeyedConfig;
  logger: Logger;
  deps: AppDeps;
  connection: DatabaseConnection;
  jobs: Jobs;
  server: Server<undefined>;
  metricsServer: Server<undefined> | null;
  releaseDataDir: () => void;
};

/**
 * One server process: database (migrated), jobs, chain publisher, the HTTP app and, when configured, the internal
 * metrics port. As worker `worker` of several (WORKERS > 1), it shares PORT with the others (reusePort) and its
 * /metrics answer is the supervisor's sum of every worker's.
 */
export async function startServer(params: {
  config: KeyedConfig;
  logger: Logger;
  scoring: LoadedEngine;
  worker: number | null;
  /** Frees the embedded data folder the caller claimed (a no-op on Postgres). */
  releaseDataDir: () => void;
}): Promise<RunningServer> {
  const { config, logger, scoring, worker, releaseDataDir } = params;
  const connection = await connectDatabase(databaseTarget(config));
  await migrateDatabase(connection);
  const base = buildDeps({ config, db: connection.db, logger, scoring });
  // The LOAN_* settings become the default loan product once (idempotent; requests seed it too if this lost a race).
  await ensureDefaultProduct(connection.db, { settings: loanSettings(config) });
  if (base.payments.webhookSecret === null) {
    logger.error(
      "PAYMENTS_WEBHOOK_SECRET is not set: the payment webhook answers 503 and no repayment settles until it is",
    );
  } else if (base.payments.provider === "webhook" && base.payments.generatedSecret) {
    logger.warn(
      "PAYMENTS_WEBHOOK_SECRET is not set: only this process can sign payment events (a generated key)",
    );
  }
  if (base.redis && !(await waitForRedis(base.redis))) {
    logger.warn("redis not reachable at start; rate limits use this instance's memory until it is");
  }
  // Screening needs the sanctions list: wait for it (a failed load is logged; KYC screening then goes to review).
  await base.sanctions.index();
  // The job queue is also the chain outbox; workers run here unless JOBS_ENABLED=false.
  const jobs = createJobs(connection, config, logger, base.metrics);
  await jobs.start();
  const chain = createChainService(config);
  if (chain) await startChainPublisher({ ...base, chain, jobs });
  // The daily late/default pass: one cron schedule in the database, one run per day across instances.
  await startDelinquencySchedule({ ...base, chain, jobs });
  await startAuthCleanupSchedule({ ...base, jobs });
  await startAuditCheckpointSchedule({ ...base, chain, jobs });
  await startIdempotencyExpiry({ ...base, jobs });
  await startModelMonitoringSchedule({ ...base, jobs });
  await startSanctionsJobs({ ...base, jobs });
  await startWebhookDelivery({ ...base, jobs });
  if (base.payments.provider === "sandbox") {
    await startSandboxProvider({ ...base, chain, jobs });
    logger.warn(
      { delaySeconds: base.payments.sandboxDelaySeconds, generatedSecret: base.payments.generatedSecret },
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
  const deps: AppDeps = { ...base, chain, jobs, walletActivity };

  watch(
    deps.metrics,
    {
      database: connection.activity,
      jobs,
      scoring: { engine: scoring.engine, version: engineVersion(scoring) },
      oldestUnpublishedChainWrite: chain ? () => oldestUnpublishedAge(connection.db) : null,
    },
    { processMetrics: true },
  );
  watchCompliance(deps.metrics, connection.db, deps.cases);
  if (worker !== null) deps.metrics.exposition = askSupervisorForMetrics(deps);
  deps.health.start(deps);

  const app = createApp(deps);
  // reusePort only where several workers share the port on purpose: a second server started by mistake on a
  // port in use must fail, not silently take half the traffic.
  app.listen({ port: config.PORT, hostname: config.HOST, reusePort: worker !== null });
  const server = app.server as Server<undefined>;
  const metricsServer =
    config.METRICS_PORT !== undefined && worker === null
      ? serveMetrics({
          hostname: config.HOST,
          port: config.METRICS_PORT,
          exposition: deps.metrics.exposition,
        })
      : null;
  logger.info(
    { port: server.port, metricsPort: metricsServer?.port, database: connection.driver },
    "BlockScore listening",
  );
  if (worker !== null) process.send?.({ type: "ready", port: server.port ?? 0 } satisfies WorkerMessage);

  const parts: Parts = { config, logger, deps, connection, jobs, server, metricsServer, releaseDataDir };
  let stopping: Promise<void> | null = null;
  return {
    port: server.port ?? 0,
    stop: (reason) => {
      stopping ??= shutDown(parts, reason);
      return stopping;
    },
  };
}

/**
 * Graceful shutdown. First a short drain (SHUTDOWN_DRAIN_SECONDS): still accepting, every answer says
 * `Connection: close`, so a load balancer's kept-alive connections end cleanly after an answer. Then stop
 * accepting (new connections are refused, so the balancer moves on), let in-flight requests and the job running
 * in each pg-boss worker finish within SHUTDOWN_TIMEOUT_SECONDS, and close the pools. Requests still running at
 * the deadline are cut off.
 */
async function shutDown(parts: Parts, reason: string): Promise<void> {
  const { config, logger, deps, server } = parts;
  const timeoutMs = config.SHUTDOWN_TIMEOUT_SECONDS * 1000;
  const deadline = Date.now() + timeoutMs;
  logger.info(
    { reason, inFlight: server.pendingRequests, timeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS },
    "shutting down",
  );
  deps.health.stop();
  deps.sanctions.stop();
  deps.lifecycle.draining = true;
  const jobsStopped = parts.jobs.stop(Math.max(1000, timeoutMs));
  await Bun.sleep(Math.min(config.SHUTDOWN_DRAIN_SECONDS * 1000, timeoutMs));
  const drained = server.stop(false).then(() => true);
  const timedOut = Bun.sleep(Math.max(0, deadline - Date.now())).then(() => false);
  const [requestsDone] = await Promise.all([Promise.race([drained, timedOut]), jobsStopped]);
  if (!requestsDone) {
    logger.warn({ inFlight: server.pendingRequests }, "shutdown timeout: cutting off requests still running");
    await server.stop(true);
  }
  await parts.metricsServer?.stop(true);
  await parts.connection.close();
  parts.releaseDataDir();
  if (deps.redis) await deps.redis.quit().catch(() => deps.redis?.disconnect());
  logger.info({ reason }, "stopped");
  logger.flush();
}

/** In a worker: /metrics is the sum over every worker, which only the supervisor can collect. */
function askSupervisorForMetrics(deps: AppDeps): () => Promise<string> {
  const waiting = new Map<number, (text: string) => void>();
  let nextId = 0;
  process.on("message", (message: SupervisorMessage) => {
    if (message.type === "snapshot-request") {
      void deps.metrics.registry.getMetricsAsJSON().then((snapshot: MetricsSnapshot) => {
        process.send?.({ type: "metrics-snapshot", id: message.id, snapshot } satisfies WorkerMessage);
      });
    } else if (message.type === "metrics-text") {
      waiting.get(message.id)?.(message.text);
      waiting.delete(message.id);
    }
  });
  return () => {
    const id = nextId++;
    const own = () => deps.metrics.registry.metrics();
    return new Promise<string>((resolve) => {
      // Should the supervisor not answer, this worker's own figures are better than none.
      const timer = setTimeout(() => {
        waiting.delete(id);
        void own().then(resolve);
      }, 2000);
      waiting.set(id, (text) => {
        clearTimeout(timer);
        resolve(text);
      });
      process.send?.({ type: "metrics-request", id } satisfies WorkerMessage);
    });
  };
}
