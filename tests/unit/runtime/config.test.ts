import { describe, expect, it } from "bun:test";
import { availableParallelism } from "node:os";
import { ConfigError, loadConfig } from "../../../server/config";

const POSTGRES = "postgres://app@db.internal:5432/blockscore";
/** A production server on Postgres must be given the shared server keys. */
const KEYS = { MFA_ENCRYPTION_KEY: "a".repeat(64), AUDIT_HMAC_KEY: "b".repeat(64) };

function refused(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("the configuration was accepted");
}

describe("scale-out settings", () => {
  it("runs one process by default, `auto` as many as there are cores, or the number given", () => {
    expect(loadConfig({}).WORKERS).toBe(1);
    expect(loadConfig({ WORKERS: "auto", DATABASE_URL: POSTGRES, ...KEYS }).WORKERS).toBe(
      availableParallelism(),
    );
    expect(loadConfig({ WORKERS: "4", DATABASE_URL: POSTGRES, ...KEYS }).WORKERS).toBe(4);
  });

  it("refuses several processes on the embedded database, saying why", () => {
    expect(refused({ WORKERS: "2" })).toContain("WORKERS: 2 processes need DATABASE_URL");
    expect(refused({ WORKERS: "0" })).toContain("WORKERS: must be at least 1 and at most 256");
    expect(refused({ WORKERS: "many" })).toContain('WORKERS: must be a whole number of processes or "auto"');
  });

  it("migrates over DATABASE_URL unless DATABASE_MIGRATION_URL names a direct connection", () => {
    expect(loadConfig({ DATABASE_URL: POSTGRES, ...KEYS }).DATABASE_MIGRATION_URL).toBe(POSTGRES);
    const pooled = loadConfig({
      DATABASE_URL: "postgres://app@pgbouncer:6432/blockscore",
      DATABASE_MIGRATION_URL: POSTGRES,
      DATABASE_POOL_MODE: "transaction",
      ...KEYS,
    });
    expect(pooled).toMatchObject({ DATABASE_MIGRATION_URL: POSTGRES, DATABASE_POOL_MODE: "transaction" });
    expect(refused({ DATABASE_MIGRATION_URL: POSTGRES })).toContain(
      "DATABASE_MIGRATION_URL: only used with DATABASE_URL",
    );
    expect(refused({ DATABASE_URL: POSTGRES, DATABASE_POOL_MODE: "statement" })).toContain(
      'DATABASE_POOL_MODE: must be "session" or "transaction"',
    );
  });

  it("serves metrics only when a token or an internal port is set, and never on the public port", () => {
    const defaults = loadConfig({});
    expect(defaults.METRICS_TOKEN).toBeUndefined();
    expect(defaults.METRICS_PORT).toBeUndefined();
    expect(refused({ METRICS_TOKEN: "short" })).toContain("METRICS_TOKEN: must be at least 32 characters");
    expect(refused({ PORT: "9100", METRICS_PORT: "9100" })).toContain("METRICS_PORT: must differ from PORT");
  });

  it("defaults the shutdown grace to 10 s, slow requests to 500 ms and health checks to every 5 s", () => {
    expect(loadConfig({})).toMatchObject({
      SHUTDOWN_TIMEOUT_SECONDS: 10,
      SLOW_REQUEST_MS: 500,
      HEALTH_CHECK_INTERVAL_SECONDS: 5,
      DATABASE_POOL_MAX: 10,
      DATABASE_POOL_MODE: "session",
    });
  });
});
