import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import postgres from "postgres";
import { readLoanEvents } from "../../server/chain/loan-registry";
import { startTestChain, type TestChain } from "../helpers/anvil";
import { type ServerProcess, startServerProcess } from "../helpers/processes";
import { expectAuditAndLedgerSound } from "../helpers/user-flow";
import {
  type Borrower,
  countAcknowledgedWrites,
  makeBorrower,
  makeStaff,
  type Staff,
  startLoad,
} from "./load";
import { report, until } from "./report";
import { missingRigBinary, type PrivatePostgres, startPrivatePostgres } from "./rig";

/**
 * `kill -9` of the server under load, on the private cluster, while a chain publish job is running; then a
 * restart. Nothing acknowledged is missing, nothing is half-written, and the jobs that were in flight run again
 * and take effect exactly once (the registry's events are counted).
 */
const missing = missingRigBinary({ postgres: true });

describe.skipIf(missing !== null)(`crash under load${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let cluster: PrivatePostgres;
  let chain: TestChain;
  let env: Record<string, string>;
  let server: ServerProcess;
  let staff: Staff;
  const borrowers: Borrower[] = [];

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    chain = await startTestChain();
    env = { DATABASE_URL: cluster.url, ...chain.env };
    server = await startServerProcess({ env });
    staff = await makeStaff(server.url, cluster.url);
    for (let index = 0; index < 3; index += 1)
      borrowers.push(await makeBorrower(server.url, cluster.url, staff));
  }, 120_000);

  afterAll(async () => {
    await server?.stop("SIGKILL");
    await chain?.stop();
    cluster?.destroy();
  });

  it("loses nothing acknowledged, leaves nothing half-written, and runs in-flight jobs again once", async () => {
    const sql = postgres(cluster.url, { max: 1, onnotice: () => {} });
    const activePublishes = () =>
      sql<
        { id: string }[]
      >`select id::text from pgboss.job where state = 'active' and name like 'chain-publish.%'`;
    try {
      const load = startLoad({ baseUrl: server.url, borrowers, maxRequests: 20_000, maxDurationMs: 120_000 });
      await until(() => load.record.acknowledged >= 30, 60_000, "30 acknowledged requests before the crash");
      // Crash while a chain write is running, so there is a job in flight to recover.
      const deadline = Date.now() + 30_000;
      while ((await activePublishes()).length === 0 && Date.now() < deadline) await Bun.sleep(5);
      await server.stop("SIGKILL");
      load.stop();
      const record = await load.done;
      const inFlight = (await activePublishes()).map((row) => row.id);

      const restartedAt = Date.now();
      server = await startServerProcess({ env, port: server.port });
      const restartMs = Date.now() - restartedAt;
      let recoveredMs: number | null = null;
      while (recoveredMs === null && Date.now() - restartedAt < 120_000) {
        const [open] = await sql<{ n: number }[]>`
          select count(*)::int as n from chain_transactions where status in ('queued', 'pending')`;
        const [stuck] = await sql<{ n: number }[]>`
          select count(*)::int as n from pgboss.job where id::text in ${sql(inFlight.length ? inFlight : ["-"])}
          and state <> 'completed'`;
        if (open?.n === 0 && stuck?.n === 0) recoveredMs = Date.now() - restartedAt;
        else await Bun.sleep(250);
      }
      const [failed] = await sql<{ n: number }[]>`
        select count(*)::int as n from chain_transactions where status = 'failed'`;
      const [confirmed] = await sql<{ n: number }[]>`
        select count(*)::int as n from chain_transactions where kind = 'loan_status' and status = 'confirmed'`;
      const changes = (await readLoanEvents(chain.clients.publicClient, chain.loanRegistry)).filter(
        (event) => event.kind === "status",
      );
      const distinct = new Set(changes.map((event) => `${event.loanIdHash}:${event.to}`));
      const writes = await countAcknowledgedWrites(cluster.url, record);
      report("kill -9 of the server (Postgres)", record, writes, {
        "jobs in flight at the kill": inFlight.length,
        "restart to ready ms": restartMs,
        "outbox drained and in-flight jobs completed ms after restart": recoveredMs,
        "loan records published": confirmed?.n ?? 0,
        "status changes on chain": changes.length,
      });

      expect(record.serverErrors).toEqual([]);
      expect(writes.problems).toEqual([]);
      expect(writes.found).toBe(writes.writes);
      expect(inFlight.length).toBeGreaterThan(0);
      expect(recoveredMs).not.toBeNull();
      expect(failed?.n).toBe(0);
      expect(changes.length).toBe(confirmed?.n ?? -1);
      expect(distinct.size).toBe(changes.length);
      await expectAuditAndLedgerSound(server.url, staff.admin);
    } finally {
      await sql.end();
    }
  }, 300_000);
});
