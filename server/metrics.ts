import {
  AggregatorRegistry,
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  type MetricObjectWithValues,
  type MetricValue,
  Registry,
} from "prom-client";
import type { DatabaseActivity } from "../db/client";
import type { Jobs } from "./jobs/jobs";

/**
 * The Prometheus metrics of one process (prom-client, its own registry so tests and several apps in one process
 * keep apart). Counters and histograms are updated where things happen; gauges that need a look at the world
 * (queue depth, pool use, the oldest unpublished chain write) are read when Prometheus scrapes.
 */
export type Metrics = {
  registry: Registry;
  requests: Counter<"method" | "route" | "status">;
  requestDuration: Histogram<"method" | "route" | "status">;
  inFlight: Gauge;
  rateLimitRefusals: Counter<"limiter">;
  jobFailures: Counter<"queue">;
  chainPublishes: Counter<"kind" | "outcome">;
  chainPublishLag: Histogram<"kind">;
  /** The text Prometheus reads: this registry, or (in a worker of several) every worker's added up. */
  exposition: () => Promise<string>;
};

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    exposition: () => registry.metrics(),
    requests: new Counter({
      name: "blockscore_http_requests_total",
      help: "HTTP requests answered, by method, route template and status",
      labelNames: ["method", "route", "status"],
      registers,
    }),
    requestDuration: new Histogram({
      name: "blockscore_http_request_duration_seconds",
      help: "Time from request to response, by method, route template and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    inFlight: new Gauge({
      name: "blockscore_http_requests_in_flight",
      help: "Requests being handled now",
      registers,
    }),
    rateLimitRefusals: new Counter({
      name: "blockscore_rate_limit_refusals_total",
      help: "Requests refused with 429, by the budget that ran out",
      labelNames: ["limiter"],
      registers,
    }),
    jobFailures: new Counter({
      name: "blockscore_job_failures_total",
      help: "Job attempts that threw in this process, by queue (each retry counts)",
      labelNames: ["queue"],
      registers,
    }),
    chainPublishes: new Counter({
      name: "blockscore_chain_publishes_total",
      help: "Chain writes attempted by the outbox worker, by kind and outcome (confirmed, retry, failed)",
      labelNames: ["kind", "outcome"],
      registers,
    }),
    chainPublishLag: new Histogram({
      name: "blockscore_chain_publish_lag_seconds",
      help: "Time from a chain write being queued (with its domain write) to its confirmation",
      labelNames: ["kind"],
      buckets: [1, 5, 15, 30, 60, 120, 300, 900, 3600, 21_600, 86_400],
      registers,
    }),
  };
}

/** What the scrape-time gauges read. */
export type MetricSources = {
  database: DatabaseActivity;
  jobs: Jobs | null;
  /** The scoring engine in use and its version. */
  scoring: { engine: string; version: string };
  /** Age in seconds of the oldest chain write not yet confirmed or failed; null without a chain. */
  oldestUnpublishedChainWrite: (() => Promise<number | null>) | null;
};

/** Registers the gauges read at scrape time and, for a server process, the process metrics. */
export function watch(metrics: Metrics, sources: MetricSources, options: { processMetrics: boolean }): void {
  const registers = [metrics.registry];
  if (options.processMetrics) collectDefaultMetrics({ register: metrics.registry });
  new Gauge({
    name: "blockscore_db_pool_max",
    help: "Connections the database pool of this process may open",
    registers,
    collect() {
      this.set(sources.database.poolMax);
    },
  });
  new Gauge({
    name: "blockscore_db_queries_in_flight",
    help: "Statements sent to the database and not yet answered, outside transactions",
    registers,
    collect() {
      this.set(sources.database.queriesInFlight);
    },
  });
  new Gauge({
    name: "blockscore_db_transactions_open",
    help: "Transactions open, each holding a pool connection",
    registers,
    collect() {
      this.set(sources.database.transactionsOpen);
    },
  });
  new Gauge({
    name: "blockscore_scoring_engine_info",
    help: "The scoring engine in use (1 for the engine and version in the labels)",
    labelNames: ["engine", "version"],
    registers,
    collect() {
      this.reset();
      this.set({ engine: sources.scoring.engine, version: sources.scoring.version }, 1);
    },
  });
  const { jobs } = sources;
  if (jobs) {
    new Gauge({
      name: "blockscore_job_queue_jobs",
      help: "Jobs stored per queue by state: queued (ready, deferred or blocked), active, failed (retained)",
      labelNames: ["queue", "state"],
      registers,
      async collect() {
        this.reset();
        for (const queue of await jobs.boss.getQueues().catch(() => [])) {
          this.set({ queue: queue.name, state: "queued" }, queue.queuedCount);
          this.set({ queue: queue.name, state: "active" }, queue.activeCount);
          this.set({ queue: queue.name, state: "failed" }, queue.failedCount);
        }
      },
    });
  }
  const oldest = sources.oldestUnpublishedChainWrite;
  if (oldest) {
    new Gauge({
      name: "blockscore_chain_oldest_unpublished_seconds",
      help: "Age of the oldest chain write still queued or pending (0 when none): the publish lag right now",
      registers,
      async collect() {
        this.set((await oldest().catch(() => null)) ?? 0);
      },
    });
  }
}

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/** One exposition from the snapshots of several worker processes: counters and histograms add up. */
export function aggregate(snapshots: MetricsSnapshot[]): Promise<string> {
  return AggregatorRegistry.aggregate(snapshots).metrics();
}
