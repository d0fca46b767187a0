import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createFreshPostgresDatabase, dropPostgresDatabase, testDatabaseUrl } from "../helpers/database";
import { ensurePgbouncer, type Pgbouncer, startPgbouncer } from "../helpers/pgbouncer";
import { type ServerProcess, startServerProcess } from "../helpers/processes";
import { expectAuditAndLedgerSound, registerStaff, runUserFlow } from "../helpers/user-flow";

/**
 * Two instances reach Postgres only through PgBouncer in transaction pooling mode: no statement, lock or setting
 * may outlive its transaction on a pooled connection. Migrations take a session-level lock, so they go over the
 * direct connection named by DATABASE_MIGRATION_URL.
 */
const pgbouncer = await ensurePgbouncer();
const skipReason = !testDatabaseUrl
  ? "needs TEST_DATABASE_URL: PgBouncer pools connections to a Postgres server"
  : "missing" in pgbouncer
    ? pgbouncer.missing
    : null;

describe.skipIf(skipReason !== null)(
  `through PgBouncer in transaction pooling mode${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  () => {
    let databaseUrl: string;
    let bouncer: Pgbouncer;
    let instances: ServerProcess[] = [];

    beforeAll(async () => {
      if ("missing" in pgbouncer) throw new Error(pgbouncer.missing);
      databaseUrl = await createFreshPostgresDatabase(testDatabaseUrl as string);
      bouncer = await startPgbouncer({ binary: pgbouncer.binary, postgresUrl: databaseUrl, poolSize: 4 });
      const env = {
        DATABASE_URL: bouncer.urlFor(databaseUrl),
        DATABASE_POOL_MODE: "transaction",
        DATABASE_MIGRATION_URL: databaseUrl,
        ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
      };
      instances = await Promise.all([startServerProcess({ env }), startServerProcess({ env })]);
    }, 60_000);

    afterAll(async () => {
      await Promise.all(instances.map((instance) => instance.stop()));
      await bouncer?.stop();
      if (databaseUrl) await dropPostgresDatabase(databaseUrl);
    });

    it("runs the whole user flow; the audit chain verifies and the books balance", async () => {
      const [first, second] = instances as [ServerProcess, ServerProcess];
      const staff = {
        underwriter: await registerStaff(second.url, databaseUrl, "underwriter"),
        admin: await registerStaff(second.url, databaseUrl, "admin"),
      };
      await runUserFlow(first.url, staff, () => first.log());
      await expectAuditAndLedgerSound(second.url, staff.admin);
    }, 60_000);

    it("sent that traffic through PgBouncer's transaction pool", async () => {
      const name = new URL(databaseUrl).pathname.slice(1);
      const pools = await bouncer.admin<{ database: string; pool_mode: string }>("SHOW POOLS");
      expect(pools.find((pool) => pool.database === name)?.pool_mode).toBe("transaction");
      const stats = await bouncer.admin<{ database: string; total_xact_count: string }>("SHOW STATS");
      expect(Number(stats.find((row) => row.database === name)?.total_xact_count)).toBeGreaterThan(50);
    });

    it("keeps serving when several instances start at once against the same pool", async () => {
      const env = {
        DATABASE_URL: bouncer.urlFor(databaseUrl),
        DATABASE_POOL_MODE: "transaction",
        DATABASE_MIGRATION_URL: databaseUrl,
      };
      const more = await Promise.all([startServerProcess({ env }), startServerProcess({ env })]);
      try {
        for (const instance of more) expect((await fetch(`${instance.url}/api/health`)).status).toBe(200);
      } finally {
        await Promise.all(more.map((instance) => instance.stop()));
      }
    }, 60_000);
  },
);
