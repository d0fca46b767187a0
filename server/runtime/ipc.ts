import type { MetricsSnapshot } from "../metrics";

/**
 * Messages between the supervisor (WORKERS > 1) and its worker processes, over Bun's IPC channel. Each worker
 * holds its own metrics; /metrics answers with all of them added up, so a worker asks the supervisor for the
 * aggregate and the supervisor asks every worker for a snapshot.
 */
export type WorkerMessage =
  | { type: "ready"; port: number }
  | { type: "metrics-request"; id: number }
  | { type: "metrics-snapshot"; id: number; snapshot: MetricsSnapshot };

export type SupervisorMessage =
  | { type: "snapshot-request"; id: number }
  | { type: "metrics-text"; id: number; text: string };

/** Set by the supervisor on each worker it spawns: the worker's index, from 0. */
export const WORKER_INDEX_VARIABLE = "BLOCKSCORE_WORKER_INDEX";
