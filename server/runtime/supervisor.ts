import type { Subprocess } from "bun";
import type { Logger } from "pino";
import type { Config } from "../config";
import { aggregate, type MetricsSnapshot } from "../metrics";
import { type SupervisorMessage, WORKER_INDEX_VARIABLE, type WorkerMessage } from "./ipc";
import { serveMetrics } from "./metrics-server";

type Worker = { index: number; process: Subprocess<"inherit", "inherit", "inherit">; ready: boolean };

const RESPAWN_DELAY_MS = 1000;
const SNAPSHOT_TIMEOUT_MS = 1500;

/**
 * WORKERS > 1: this process only supervises, as gunicorn's master does. It runs `count` copies of the server
 * (`bun server/main.ts` with the worker index set) on one port (reusePort), forwards SIGTERM/SIGINT to them and
 * exits once they have all shut down gracefully; a worker that dies afterwards is started again, a worker that
 * cannot start stops everything (the same fault would stop every copy). It also answers the metrics requests
 * of the workers, and METRICS_PORT, with every worker's figures added up.
 */
export async function superviseWorkers(config: Config, logger: Logger): Promise<number> {
  const count = config.WORKERS;
  const workers = new Map<number, Worker>();
  let stopping = false;
  let failed = false;
  let snapshotId = 0;
  const snapshots = new Map<number, { received: MetricsSnapshot[]; expected: number; done: () => void }>();

  const collect = async (): Promise<string> => {
    const id = snapshotId++;
    const live = [...workers.values()].filter((worker) => worker.ready);
    const received: MetricsSnapshot[] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, SNAPSHOT_TIMEOUT_MS);
      snapshots.set(id, {
        received,
        expected: live.length,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      for (const worker of live)
        worker.process.send({ type: "snapshot-request", id } satisfies SupervisorMessage);
      if (live.length === 0) resolve();
    });
    snapshots.delete(id);
    return aggregate(received);
  };

  const onMessage = (worker: Worker, message: WorkerMessage) => {
    if (message.type === "ready") {
      worker.ready = true;
      logger.info(
        { worker: worker.index, workerPid: worker.process.pid, port: message.port },
        "worker ready",
      );
    } else if (message.type === "metrics-request") {
      void collect().then((text) =>
        worker.process.send({ type: "metrics-text", id: message.id, text } satisfies SupervisorMessage),
      );
    } else if (message.type === "metrics-snapshot") {
      const pending = snapshots.get(message.id);
      if (!pending) return;
      pending.received.push(message.snapshot);
      if (pending.received.length >= pending.expected) pending.done();
    }
  };

  let allExited: () => void = () => {};
  const exited = new Promise<void>((resolve) => {
    allExited = resolve;
  });

  const spawn = (index: number) => {
    const worker: Worker = {
      index,
      ready: false,
      process: Bun.spawn([process.execPath, ...process.execArgv, Bun.main], {
        env: { ...process.env, [WORKER_INDEX_VARIABLE]: String(index) },
        stdio: ["inherit", "inherit", "inherit"],
        ipc: (message) => onMessage(worker, message as WorkerMessage),
        serialization: "json",
      }),
    };
    workers.set(index, worker);
    void worker.process.exited.then((code) => {
      workers.delete(index);
      if (stopping) {
        // One still loading its modules when told to stop dies of the signal itself: that is no failure.
        if (code !== 0 && worker.ready) failed = true;
        if (workers.size === 0) allExited();
        return;
      }
      if (!worker.ready) {
        logger.error({ worker: index, code }, "worker could not start; stopping every worker");
        failed = true;
        void stop("a worker failed to start");
        if (workers.size === 0) allExited();
        return;
      }
      logger.error({ worker: index, code }, "worker died; starting it again");
      setTimeout(() => {
        if (!stopping) spawn(index);
      }, RESPAWN_DELAY_MS);
    });
  };

  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason, workers: workers.size }, "stopping workers");
    for (const worker of workers.values()) worker.process.kill("SIGTERM");
    if (workers.size === 0) allExited();
  };

  logger.info({ workers: count, port: config.PORT }, "starting workers");
  for (let index = 0; index < count; index += 1) spawn(index);
  const metricsServer =
    config.METRICS_PORT !== undefined
      ? serveMetrics({ hostname: config.HOST, port: config.METRICS_PORT, exposition: collect })
      : null;
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));

  await exited;
  await metricsServer?.stop(true);
  logger.info({ failed }, "all workers stopped");
  return failed ? 1 : 0;
}
