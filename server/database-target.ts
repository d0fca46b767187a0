import type { DatabaseTarget } from "../db/client";
import type { Config } from "./config";

/** The database the configuration names: Postgres (with its migration URL and pool size) or the embedded one. */
export function databaseTarget(
  config: Pick<Config, "DATABASE_URL" | "DATABASE_MIGRATION_URL" | "DATABASE_POOL_MAX" | "DATA_DIR">,
): DatabaseTarget {
  return config.DATABASE_URL
    ? {
        url: config.DATABASE_URL,
        migrationUrl: config.DATABASE_MIGRATION_URL,
        poolMax: config.DATABASE_POOL_MAX,
      }
    : { dataDir: config.DATA_DIR };
}
