import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import postgres from "postgres";
import { readLoanEvents } from "../../server/chain/loan-registry";
import { startTestChain, type TestChain } from "../helpers/anvil";
import { type ServerProcess, startServerProcess } from "../helpers/processes";
import { type Borrower, countAcknowledgedWrites, makeBorrower, makeStaff, startLoad } from "./load";
import { report, until } from "./report";
import { missingRigBinary, type PrivatePostgres, startPrivatePostgres } from "./rig";

/**
 * The chain node stops while loans are being anchored and comes back 30 s later. Anchoring waits and resumes by
 * itself with the server's default retry settings, and every queued record is published exactly once: the loan
 * registry's events are counted against the outbox.
 */
const missing = missingRigBinary({ postgres: true });
const OUTAGE_MS = 30_000;

type Row = { kind: string; status: string; n: number };

describe.skipIf(missing !== null)(`chain outage under load${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let cluster: PrivatePostgres;
  let chain: TestChain;
  let server: ServerProcess;
  const borrowers: Borrower[] = [];

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    chain = await startTestChain();
    server = await startServerProcess({ env: { DATABASE_URL: cluster.url, ...chain.env } });
    const staff = await makeStaff(server.url, cluster.url);
    for (let index = 0; index < 3; index += 1)
      borrowers.push(await makeBorrower(server.url, cluster.url, staff));
  }, 120_000);

  afterAll(async () => {
    await server?.stop("SIGKILL");
    await chain?.stop();
    cluster?.destroy();
  });

  it("waits while the node is down, then publishes every queued record exactly once", async () => {
    const sql = postgres(cluster.url, { max: 1, onnotice: () => {} });
    const outbox = () =>
      sql<Row[]>`select kind::text, status::text, count(*)::int as n from chain_transactions group by 1, 2`;
    try {
      const load = startLoad({ baseUrl: server.url, borrowers, maxRequests: 20_000, maxDurationMs: 120_000 });
      await until(() => load.record.acknowledged >= 30, 60_000, "30 acknowledged requests before the fault");
      await chain.anvil.stop();
      const downAt = Date.now();
      while (Date.now() - downAt < OUTAGE_MS) await Bun.sleep(250);
      load.stop();
      const record = await load.done;
      const backlog = (await outbox())
        .filter((row) => row.status === "queued" || row.status === "pending")
        .reduce((sum, row) => sum + row.n, 0);

      await chain.restart();
      const upAt = Date.now();
      let drainedMs: number | null = null;
      while (drainedMs === null && Date.now() - upAt < 150_000) {
        const rows = await outbox();
        if (rows.every((row) => row.status === "confirmed" || row.status === "superseded"))
          drainedMs = Date.now() - upAt;
        else await Bun.sleep(250);
      }
      const rows = await outbox();
      const confirmed = rows
        .filter((row) => row.kind === "loan_status" && row.status === "confirmed")
        .reduce((sum, row) => sum + row.n, 0);
      const events = await readLoanEvents(chain.clients.publicClient, chain.loanRegistry);
      // A registration emits LoanRegistered and its first LoanStatusChanged: one status change per record.
      const changes = events.filter((event) => event.kind === "status");
      const distinct = new Set(changes.map((event) => `${event.loanIdHash}:${event.to}`));
      const writes = await countAcknowledgedWrites(cluster.url, record);
      report("chain down 30 s", record, writes, {
        "records queued at the node's return": backlog,
        "loan records published": confirmed,
        "status changes on chain": changes.length,
        "backlog drained ms after restart": drainedMs,
      });

      expect(record.serverErrors).toEqual([]);
      expect(backlog).toBeGreaterThan(0);
      expect(drainedMs).not.toBeNull();
      expect(rows.filter((row) => row.status === "failed")).toEqual([]);
      expect(changes.length).toBe(confirmed);
      expect(distinct.size).toBe(changes.length);
      expect(writes.problems).toEqual([]);
    } finally {
      await sql.end();
    }
  }, 300_000);
});
