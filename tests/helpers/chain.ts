/**
 * An app wired to a test chain: its own fresh database (so no other file's queue or worker shares
 * it), the job queue started, the chain service built and the publisher working its queue.
 */
import type { DatabaseConnection } from "../../db/client";
import { type ChainService, createChainService } from "../../server/chain/connection";
import { startChainPublisher } from "../../server/chain/publisher";
import type { AppDeps } from "../../server/context";
import { createJobs, type Jobs } from "../../server/jobs/jobs";
import type { TestChain } from "./anvil";
import { testDeps } from "./app";
import { createTestDatabase } from "./database";

/** Short polls, retries and timeouts, so an outage resolves in seconds rather than minutes. */
export const fastChainSettings: Record<string, string> = {
  JOBS_POLL_INTERVAL_SECONDS: "0.5",
  CHAIN_RETRY_LIMIT: "60",
  CHAIN_RETRY_DELAY_SECONDS: "1",
  CHAIN_RETRY_DELAY_MAX_SECONDS: "1",
  CHAIN_RPC_TIMEOUT_MS: "2000",
  CHAIN_RECEIPT_TIMEOUT_MS: "5000",
  CHAIN_POLL_INTERVAL_MS: "50",
};

export type ChainDeps = AppDeps & { chain: ChainService; jobs: Jobs };
export type ChainApp = { deps: ChainDeps; connection: DatabaseConnection; stop(): Promise<void> };

export async function startChainApp(
  chain: TestChain,
  options: { connection?: DatabaseConnection; overrides?: Record<string, string> } = {},
): Promise<ChainApp> {
  const connection = options.connection ?? (await createTestDatabase());
  const deps = await testDeps({ ...fastChainSettings, ...chain.env, ...options.overrides }, { connection });
  const service = createChainService(deps.config);
  if (!service) throw new Error("the test chain's settings did not configure a chain");
  const jobs = createJobs(connection, deps.config, deps.logger);
  await jobs.start();
  const full: ChainDeps = { ...deps, chain: service, jobs };
  await startChainPublisher(full);
  return {
    deps: full,
    connection,
    stop: async () => {
      await jobs.stop();
      if (!options.connection) await connection.close();
    },
  };
}

/** Polls `check` every 100 ms until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
}
