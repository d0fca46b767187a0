import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { desc, eq, sql } from "drizzle-orm";
import { auditAnchorAbi } from "../../../contracts/artifacts.ts";
import { auditLog, chainTransactions } from "../../../db/schema";
import { checkpointAuditHead } from "../../../server/audit/checkpoint";
import { verifyAuditLog } from "../../../server/audit/verify";
import {
  anchorAuditCheckpoint,
  auditHeadBytes,
  readAnchoredCheckpoint,
} from "../../../server/chain/audit-anchor";
import { revertErrorName } from "../../../server/chain/transactions";
import { useTestChain } from "../../helpers/anvil";
import { callerFor } from "../../helpers/app";
import { type ChainApp, startChainApp, waitFor } from "../../helpers/chain";
import { capturingLogger } from "../../helpers/logs";
import { TEST_PASSWORD, uniqueEmail } from "../../helpers/users";

const chain = useTestChain();
let app: ChainApp;

beforeAll(async () => {
  app = await startChainApp(chain());
});
afterAll(() => app?.stop());

async function activity() {
  const anonymous = await callerFor(app.deps);
  await anonymous.auth.register({ email: uniqueEmail("anchor"), password: TEST_PASSWORD, name: "Anchor" });
}

describe("audit checkpoints on chain", () => {
  test("a checkpoint is published to the AuditAnchor through the outbox, and verify reads it back", async () => {
    await activity();
    const checkpoint = await checkpointAuditHead(app.deps.db, {
      outbox: app.deps,
      logger: capturingLogger().logger,
      intervalMs: 0,
    });
    if (!checkpoint?.transactionId) throw new Error("expected a queued anchoring");
    const anchored = await waitFor("the checkpoint on chain", async () => {
      const onChain = await readAnchoredCheckpoint(chain().clients.publicClient, chain().auditAnchor);
      return onChain?.seq === checkpoint.seq ? onChain : undefined;
    });
    expect(anchored.head).toBe(auditHeadBytes(checkpoint.hash));
    const [row] = await app.deps.db
      .select()
      .from(chainTransactions)
      .where(eq(chainTransactions.id, checkpoint.transactionId));
    expect(row).toMatchObject({ kind: "audit_checkpoint", userId: null });
    expect(await verifyAuditLog(app.deps)).toMatchObject({
      ok: true,
      chainCheckpoint: "checked",
      lastCheckpoint: { seq: checkpoint.seq },
    });
  });

  test("a log cut together with its checkpoint table is still caught by the head on chain", async () => {
    await activity();
    const checkpoint = await checkpointAuditHead(app.deps.db, {
      outbox: app.deps,
      logger: capturingLogger().logger,
      intervalMs: 0,
    });
    if (!checkpoint) throw new Error("expected a checkpoint");
    await waitFor("the checkpoint on chain", async () => {
      const onChain = await readAnchoredCheckpoint(chain().clients.publicClient, chain().auditAnchor);
      return onChain?.seq === checkpoint.seq;
    });
    const [survivor] = await app.deps.db
      .select({ seq: auditLog.seq })
      .from(auditLog)
      .where(sql`${auditLog.seq} < ${checkpoint.seq}`)
      .orderBy(desc(auditLog.seq))
      .limit(1);
    if (!survivor) throw new Error("expected older entries");
    const db = app.deps.db;
    await db.execute(sql`alter table audit_log disable trigger user`);
    await db.execute(sql`alter table audit_checkpoints disable trigger user`);
    await db.execute(sql`delete from audit_log where seq > ${survivor.seq}`);
    await db.execute(sql`delete from audit_checkpoints`);
    await db.execute(sql`alter table audit_log enable trigger user`);
    await db.execute(sql`alter table audit_checkpoints enable trigger user`);
    expect(await verifyAuditLog(app.deps)).toMatchObject({
      ok: false,
      truncated: true,
      missing: { fromSeq: survivor.seq + 1, toSeq: checkpoint.seq },
      lastCheckpoint: { seq: checkpoint.seq, source: "chain" },
      chainCheckpoint: "checked",
    });
  });

  test("the contract only moves forward: an older or repeated head sends nothing, and it refuses a non-writer", async () => {
    const latest = await readAnchoredCheckpoint(chain().clients.publicClient, chain().auditAnchor);
    if (!latest) throw new Error("expected an anchored checkpoint");
    const again = await anchorAuditCheckpoint(chain().clients, chain().auditAnchor, {
      seq: latest.seq,
      head: latest.head,
    });
    expect(again).toEqual({ alreadyAnchored: true });
    const older = await anchorAuditCheckpoint(chain().clients, chain().auditAnchor, {
      seq: latest.seq - 1,
      head: latest.head,
    });
    expect(older).toEqual({ alreadyAnchored: true });
    const stranger = chain().clientsFor(3);
    const refused = await stranger.publicClient
      .simulateContract({
        account: stranger.account,
        address: chain().auditAnchor,
        abi: auditAnchorAbi,
        functionName: "anchor",
        args: [BigInt(latest.seq + 1), latest.head],
      })
      .catch((error: unknown) => error);
    expect(revertErrorName(refused)).toBe("NotWriter");
  });
});
