import { desc } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "../../db/client";
import { type AuditCheckpoint, auditCheckpoints, auditLog } from "../../db/schema";
import { enqueueAuditCheckpoint, type Outbox } from "../chain/outbox";

export type CheckpointParams = {
  outbox: Outbox;
  logger: Logger;
  /** A checkpoint younger than this is left alone (the job runs every minute; this is the real interval). */
  intervalMs: number;
  now?: Date;
};

/**
 * Writes the chain's head (sequence and hash) to the checkpoint table and the log output, and queues it for the
 * AuditAnchor contract when a chain is configured, all in one transaction. Nothing is written when the head has
 * not moved since the last checkpoint, or when that checkpoint is younger than the interval.
 */
export async function checkpointAuditHead(
  db: Database,
  params: CheckpointParams,
): Promise<AuditCheckpoint | null> {
  const now = params.now ?? new Date();
  const checkpoint = await db.transaction(async (tx) => {
    const [head] = await tx
      .select({ seq: auditLog.seq, hash: auditLog.hash })
      .from(auditLog)
      .orderBy(desc(auditLog.seq))
      .limit(1);
    if (!head) return null;
    const [latest] = await tx.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.seq)).limit(1);
    if (latest && latest.seq >= head.seq) return null;
    if (latest && now.getTime() - latest.createdAt.getTime() < params.intervalMs) return null;
    const anchor = await enqueueAuditCheckpoint(params.outbox, tx, head);
    const [row] = await tx
      .insert(auditCheckpoints)
      .values({
        seq: head.seq,
        hash: head.hash,
        createdAt: now,
        transactionId: anchor.queued ? anchor.transactionId : null,
      })
      .returning();
    return row ?? null;
  });
  if (checkpoint) {
    // Also outside the database: a log shipped elsewhere keeps the head even if the database is rewritten.
    params.logger.info(
      {
        auditCheckpoint: { seq: checkpoint.seq, hash: checkpoint.hash, anchoring: checkpoint.transactionId },
      },
      "audit checkpoint",
    );
  }
  return checkpoint;
}
