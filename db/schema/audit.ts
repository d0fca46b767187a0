import { bigint, bigserial, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { chainTransactions } from "./chain";

/**
 * Append-only and hash-chained: each row's hash (an HMAC under AUDIT_HMAC_KEY) commits to the previous row's
 * hash and its own content, so an edit or a deletion anywhere breaks every later link. Triggers refuse UPDATE,
 * DELETE and TRUNCATE; cutting the newest rows is caught by the checkpoints below.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    actorId: uuid("actor_id"),
    action: text("action").notNull(),
    subjectType: text("subject_type"),
    subjectId: text("subject_id"),
    ip: text("ip"),
    requestId: text("request_id"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (table) => [
    index("audit_log_actor_idx").on(table.actorId),
    index("audit_log_action_idx").on(table.action),
    index("audit_log_occurred_at_idx").on(table.occurredAt),
  ],
);

export type AuditEntry = typeof auditLog.$inferSelect;

/**
 * The chain's head (sequence and hash), written every AUDIT_CHECKPOINT_MINUTES, also to the log output and, with
 * a chain configured, to the AuditAnchor contract. A log that ends before a checkpoint was cut. Append-only too.
 */
export const auditCheckpoints = pgTable("audit_checkpoints", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull().unique(),
  hash: text("hash").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  /** The chain write that anchors it, when a chain is configured. */
  transactionId: uuid("transaction_id").references(() => chainTransactions.id),
});

export type AuditCheckpoint = typeof auditCheckpoints.$inferSelect;
