import { asc, gt } from "drizzle-orm";
import type { Database } from "../../db/client";
import { auditLog } from "../../db/schema";
import { hashAuditEntry } from "./hash";
import { GENESIS_HASH } from "./log";

export type AuditVerification = {
  ok: boolean;
  checked: number;
  firstBroken: { seq: number; reason: "hash_mismatch" | "broken_link" } | null;
};

const PAGE_SIZE = 1000;

/** Walks the whole chain in order; the first entry whose content or link does not match is named. */
export async function verifyAuditChain(db: Database): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH;
  let lastSeq = 0;
  let checked = 0;
  for (;;) {
    const page = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, lastSeq))
      .orderBy(asc(auditLog.seq))
      .limit(PAGE_SIZE);
    for (const entry of page) {
      if (entry.prevHash !== prevHash) {
        return { ok: false, checked, firstBroken: { seq: entry.seq, reason: "broken_link" } };
      }
      const { seq, prevHash: _link, hash, ...content } = entry;
      if (hashAuditEntry(entry.prevHash, content) !== hash) {
        return { ok: false, checked, firstBroken: { seq, reason: "hash_mismatch" } };
      }
      prevHash = entry.hash;
      lastSeq = entry.seq;
      checked += 1;
    }
    if (page.length < PAGE_SIZE) return { ok: true, checked, firstBroken: null };
  }
}
