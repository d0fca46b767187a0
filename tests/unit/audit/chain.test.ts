import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { eq, sql } from "drizzle-orm";
import type { DatabaseConnection } from "../../../db/client";
import { auditCheckpoints, auditLog } from "../../../db/schema";
import { hashAuditEntry } from "../../../server/audit/hash";
import { auditKey } from "../../../server/audit/key";
import { appendAudit } from "../../../server/audit/log";
import { verifyAuditChain } from "../../../server/audit/verify";
import { createTestDatabase } from "../../helpers/database";

// A database of its own: these tests tamper with the log.
let connection: DatabaseConnection;
const meta = { actorId: null, ip: "198.51.100.7", requestId: "req-1" };

beforeAll(async () => {
  connection = await createTestDatabase();
});
afterAll(() => connection.close());

async function append(action: string, details: Record<string, unknown> = {}) {
  return connection.db.transaction((tx) => appendAudit(tx, meta, { action, details }));
}

/** Tampering as someone with direct database access would: around the append-only trigger. */
async function tamper(statement: ReturnType<typeof sql>) {
  await connection.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
  await connection.db.execute(statement);
  await connection.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
}

describe("audit chain", () => {
  it("links each entry to the previous one and verifies an untouched chain", async () => {
    const first = await append("test.first", { nested: { b: 2, a: 1 } });
    const second = await append("test.second");
    expect(second.prevHash).toBe(first.hash);
    const result = await verifyAuditChain(connection.db);
    expect(result).toEqual({
      ok: true,
      checked: 2,
      firstBroken: null,
      truncated: false,
      missing: null,
      lastCheckpoint: null,
    });
  });

  it("is refused an UPDATE or DELETE by the database itself", async () => {
    await expect(
      (async () => connection.db.execute(sql`update audit_log set action = 'x'`))(),
    ).rejects.toThrow();
    await expect((async () => connection.db.execute(sql`delete from audit_log`))()).rejects.toThrow();
  });

  it("rolls back its entry with the transaction of the action", async () => {
    const before = await verifyAuditChain(connection.db);
    await connection.db
      .transaction(async (tx) => {
        await appendAudit(tx, meta, { action: "test.rolled_back" });
        throw new Error("action failed");
      })
      .catch(() => {});
    expect((await verifyAuditChain(connection.db)).checked).toBe(before.checked);
  });

  it("names the first entry whose content was edited", async () => {
    const target = await append("test.target", { amount: 100 });
    await append("test.after");
    await tamper(sql`update audit_log set details = '{"amount": 1}'::jsonb where seq = ${target.seq}`);
    const result = await verifyAuditChain(connection.db);
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toEqual({ seq: target.seq, reason: "hash_mismatch" });
    await tamper(sql`update audit_log set details = '{"amount": 100}'::jsonb where seq = ${target.seq}`);
    expect((await verifyAuditChain(connection.db)).ok).toBe(true);
  });

  it("is keyed: an entry rewritten with its hash recomputed without the key does not verify", async () => {
    const target = await append("test.keyed", { amount: 100 });
    const { seq, prevHash, hash: _hash, ...content } = target;
    const forged = hashAuditEntry(new Uint8Array(32), prevHash, { ...content, details: { amount: 1 } });
    await tamper(
      sql`update audit_log set details = '{"amount": 1}'::jsonb, hash = ${forged} where seq = ${seq}`,
    );
    expect((await verifyAuditChain(connection.db)).firstBroken).toEqual({ seq, reason: "hash_mismatch" });
    await tamper(
      sql`update audit_log set details = '{"amount": 100}'::jsonb, hash = ${target.hash} where seq = ${seq}`,
    );
    expect((await verifyAuditChain(connection.db)).ok).toBe(true);
  });

  it("names a checkpointed entry that was rewritten and re-hashed by someone holding the key", async () => {
    const head = await append("test.checkpointed", { amount: 100 });
    await connection.db.insert(auditCheckpoints).values({ seq: head.seq, hash: head.hash });
    const { seq, prevHash, hash: _hash, ...content } = head;
    const rewritten = hashAuditEntry(auditKey(), prevHash, { ...content, details: { amount: 1 } });
    await tamper(
      sql`update audit_log set details = '{"amount": 1}'::jsonb, hash = ${rewritten} where seq = ${seq}`,
    );
    const result = await verifyAuditChain(connection.db);
    expect(result.firstBroken).toEqual({ seq, reason: "checkpoint_mismatch" });
    expect(result.lastCheckpoint).toEqual({ seq, hash: head.hash, source: "database" });
    await tamper(
      sql`update audit_log set details = '{"amount": 100}'::jsonb, hash = ${head.hash} where seq = ${seq}`,
    );
    expect((await verifyAuditChain(connection.db)).ok).toBe(true);
  });

  it("names the entry after a deleted one", async () => {
    const victim = await append("test.victim");
    const next = await append("test.next");
    await tamper(sql`delete from audit_log where seq = ${victim.seq}`);
    const result = await verifyAuditChain(connection.db);
    expect(result.firstBroken).toEqual({ seq: next.seq, reason: "broken_link" });
    const [row] = await connection.db.select().from(auditLog).where(eq(auditLog.seq, next.seq));
    expect(row?.action).toBe("test.next");
  });
});
