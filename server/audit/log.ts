import { desc, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type AuditEntry, auditLog } from "../../db/schema";
import { hashAuditEntry } from "./hash";
import { auditKey } from "./key";

/** Who did it and from where: taken from the request by the adapters, passed down as a plain value. */
export type RequestMeta = { actorId: string | null; ip: string | null; requestId: string | null };

export type AuditRecord = {
  action: string;
  subjectType?: string;
  subjectId?: string;
  details?: Record<string, unknown>;
};

export const GENESIS_HASH = "0".repeat(64);
// Serialises appends across connections and instances; any constant, the same everywhere.
const AUDIT_CHAIN_LOCK_KEY = 7_342_002;

/** Appends one entry. Call it inside the transaction of the action it records, so both commit or neither. */
export async function appendAudit(db: Database, meta: RequestMeta, record: AuditRecord): Promise<AuditEntry> {
  await db.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY})`);
  const [previous] = await db
    .select({ hash: auditLog.hash })
    .from(auditLog)
    .orderBy(desc(auditLog.seq))
    .limit(1);
  const prevHash = previous?.hash ?? GENESIS_HASH;
  const content = {
    occurredAt: new Date(),
    actorId: meta.actorId,
    action: record.action,
    subjectType: record.subjectType ?? null,
    subjectId: record.subjectId ?? null,
    ip: meta.ip,
    requestId: meta.requestId,
    details: record.details ?? {},
  };
  const [entry] = await db
    .insert(auditLog)
    .values({ ...content, prevHash, hash: hashAuditEntry(auditKey(), prevHash, content) })
    .returning();
  if (!entry) throw new Error("audit insert returned no row");
  return entry;
}
