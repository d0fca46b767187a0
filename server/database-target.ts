import type { DatabaseTarget } from "../db/client";
import type { Config } from "./config";

/** The database the configuration names: Postgres (migration URL, pool size, pool mode) or the embedded one. */
export function databaseTarget(
  config: Pick<
    Config,
    | "DATABASE_URL"
    | "DATABASE_MIGRATION_URL"
    | "DATABASE_POOL_MAX"
    | "DATABASE_POOL_MODE"
    | "DATA_DIR"
    | "DB_REQUEST_TIMEOUT_MS"
  >,
): DatabaseTarget {
  return config.DATABASE_URL
    ? {
        url: config.DATABASE_URL,
        migrationUrl: config.DATABASE_MIGRATION_URL,
        poolMax: config.DATABASE_POOL_MAX,
        transactionPooler: config.DATABASE_POOL_MODE === "transaction",
        requestTimeoutMs: config.DB_REQUEST_TIMEOUT_MS,
      }
    : { dataDir: config.DATA_DIR };
}
