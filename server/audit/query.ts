import { and, desc, eq, gte, lt, lte, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type AuditEntry, auditLog } from "../../db/schema";
import { seqPage } from "../pagination";

export type AuditQuery = {
  userId?: string;
  action?: string;
  from?: Date;
  to?: Date;
  /** The seq of the last entry of the previous page. */
  cursor?: number;
  limit: number;
};

/** Newest first, paged by sequence number so pages stay stable while entries are appended. */
export async function listAuditEntries(
  db: Database,
  query: AuditQuery,
): Promise<{ items: AuditEntry[]; nextCursor: number | null }> {
  const conditions: SQL[] = [];
  if (query.userId) conditions.push(eq(auditLog.actorId, query.userId));
  if (query.action) conditions.push(eq(auditLog.action, query.action));
  if (query.from) conditions.push(gte(auditLog.occurredAt, query.from));
  if (query.to) conditions.push(lte(auditLog.occurredAt, query.to));
  if (query.cursor) conditions.push(lt(auditLog.seq, query.cursor));
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.seq))
    .limit(query.limit + 1);
  const { page, nextCursor } = seqPage(rows, query.limit, (row) => row.seq);
  return { items: page, nextCursor };
}
