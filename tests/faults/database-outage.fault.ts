import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type ServerProcess, startServerProcess } from "../helpers/processes";
import { expectAuditAndLedgerSound } from "../helpers/user-flow";
import {
  type Borrower,
  call,
  countAcknowledgedWrites,
  makeBorrower,
  makeStaff,
  type Staff,
  startLoad,
} from "./load";
import { report, until } from "./report";
import { missingRigBinary, type PrivatePostgres, startPrivatePostgres } from "./rig";

/**
 * The database stops under load (`pg_ctl stop -m immediate`) for 10 s: every request answers at once with 503
 * DATABASE_UNAVAILABLE and Retry-After, health says so, and the server works again soon after the cluster is back,
 * without a restart. Nothing acknowledged is lost or doubled.
 */
const missing = missingRigBinary({ postgres: true });
const OUTAGE_MS = 10_000;
const REQUEST_TIMEOUT_MS = 5000;

describe.skipIf(missing !== null)(
  `database outage under load${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    let cluster: PrivatePostgres;
    let server: ServerProcess;
    let staff: Staff;
    const borrowers: Borrower[] = [];

    beforeAll(async () => {
      cluster = await startPrivatePostgres();
      server = await startServerProcess({
        env: {
          DATABASE_URL: cluster.url,
          DB_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
          HEALTH_CHECK_INTERVAL_SECONDS: "1",
        },
      });
      staff = await makeStaff(server.url, cluster.url);
      for (let index = 0; index < 4; index += 1)
        borrowers.push(await makeBorrower(server.url, cluster.url, staff));
    }, 120_000);

    afterAll(async () => {
      await server?.stop("SIGKILL");
      cluster?.destroy();
    });

    it("answers 503 with Retry-After while it is down, recovers by itself, and keeps every acknowledged write once", async () => {
      const load = startLoad({
        baseUrl: server.url,
        borrowers,
        maxRequests: 20_000,
        maxDurationMs: 90_000,
        // A request that takes twice the deadline has hung.
        requestTimeoutMs: 2 * REQUEST_TIMEOUT_MS,
      });
      await until(() => load.record.acknowledged >= 40, 60_000, "40 acknowledged requests before the fault");

      cluster.stopImmediately();
      const downAt = Date.now();
      let healthSaidDown = false;
      while (Date.now() - downAt < OUTAGE_MS) {
        const health = await call(server.url, "GET", "/health");
        const checks = health.body?.checks as { database?: { status: string } } | undefined;
        if (health.body?.status === "degraded" && checks?.database?.status === "down") healthSaidDown = true;
        await Bun.sleep(250);
      }
      const duringOutage = { sent: load.record.sent, unavailable: load.record.unavailable };

      cluster.start();
      const upAt = Date.now();
      // Recovered: a write by a borrower goes through again, and health is back to the database answering.
      let recoveredMs: number | null = null;
      while (recoveredMs === null && Date.now() - upAt < 30_000) {
        const write = await call(server.url, "PATCH", "/profile", {
          token: (borrowers[0] as Borrower).token,
          body: { employmentYears: 8 },
        });
        if (write.status === 200) recoveredMs = Date.now() - upAt;
        else await Bun.sleep(100);
      }
      let healthBackMs: number | null = null;
      while (healthBackMs === null && Date.now() - upAt < 30_000) {
        const health = await call(server.url, "GET", "/health");
        const checks = health.body?.checks as { database?: { status: string } } | undefined;
        if (checks?.database?.status === "ok") healthBackMs = Date.now() - upAt;
        else await Bun.sleep(100);
      }
      const acknowledgedAtReturn = load.record.acknowledged;
      await until(
        () => load.record.acknowledged >= acknowledgedAtReturn + 40,
        60_000,
        "40 more after the return",
      );
      load.stop();
      const record = await load.done;

      const writes = await countAcknowledgedWrites(cluster.url, record);
      report("database outage (stop -m immediate, 10 s)", record, writes, {
        "recovered (first write) ms after start": recoveredMs,
        "health ok ms after start": healthBackMs,
        "requests sent during the outage": duringOutage.sent,
        "503 during the outage": duringOutage.unavailable,
      });

      expect(record.serverErrors).toEqual([]);
      expect(record.statuses[0] ?? 0).toBe(0);
      expect(record.unavailable).toBeGreaterThan(0);
      expect(record.unavailableMalformed).toBe(0);
      expect(healthSaidDown).toBe(true);
      expect(recoveredMs).not.toBeNull();
      expect(healthBackMs).not.toBeNull();
      expect(writes.problems).toEqual([]);
      expect(writes.found).toBe(writes.writes);
      await expectAuditAndLedgerSound(server.url, staff.admin);
    }, 180_000);
  },
);
