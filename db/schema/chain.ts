import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth";

/**
 * Sign-In with Ethereum challenges: one per request, single use, short-lived. Only the nonce's
 * SHA-256 is stored, and the SHA-256 of the exact message issued, so a link must sign that message.
 */
export const walletChallenges = pgTable(
  "wallet_challenges",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    nonceHash: text("nonce_hash").notNull().unique(),
    messageHash: text("message_hash").notNull(),
    /** Lower-case address the challenge was issued for. */
    address: text("address").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (table) => [index("wallet_challenges_user_idx").on(table.userId)],
);

/**
 * A random salt per user for the pseudonymous on-chain subject (and loan id hashes) of users who did
 * not link and consent a wallet. Deleting the row (or the user) makes those on-chain records
 * unlinkable to the person: nothing on chain can be tied back without it.
 */
export const chainSubjects = pgTable("chain_subjects", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  salt: text("salt").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const chainTxKind = pgEnum("chain_tx_kind", ["score_anchor", "loan_status", "audit_checkpoint"]);
export const chainTxStatus = pgEnum("chain_tx_status", [
  "queued",
  "pending",
  "confirmed",
  "failed",
  "superseded",
]);

/**
 * One row per chain write the outbox asked for; its id is the pg-boss job's id. queued → pending (sent,
 * hash known) → confirmed, or failed once the job's retries are exhausted (the job is then in the dead
 * letter queue), or superseded when the registry already holds a newer score for the subject (nothing is
 * sent). `chainKey` is what the write updates on chain (score subject, loan id hash): writes to one key are
 * published in `seq` order.
 */
export const chainTransactions = pgTable(
  "chain_transactions",
  {
    id: uuid("id").primaryKey(),
    seq: bigserial("seq", { mode: "number" }).notNull().unique(),
    kind: chainTxKind("kind").notNull(),
    referenceId: text("reference_id").notNull(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    chainKey: text("chain_key").notNull(),
    /** What was published, for the owner's listing: score and model version, or loan status. */
    summary: jsonb("summary").$type<Record<string, string | number>>().notNull(),
    status: chainTxStatus("status").notNull().default("queued"),
    txHash: text("tx_hash"),
    blockNumber: bigint("block_number", { mode: "number" }),
    gasUsed: bigint("gas_used", { mode: "number" }),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("chain_transactions_user_idx").on(table.userId, table.seq),
    index("chain_transactions_key_idx").on(table.chainKey, table.seq),
    index("chain_transactions_reference_idx").on(table.kind, table.referenceId),
  ],
);

/**
 * What was anchored for a score: the canonical record, its random salt and hash, and the subject, so
 * verify can recompute the hash and compare it with the chain without reading the credit tables.
 */
export const scoreAnchors = pgTable(
  "score_anchors",
  {
    scoreId: text("score_id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    subject: text("subject").notNull(),
    salt: text("salt").notNull(),
    recordHash: text("record_hash").notNull(),
    score: integer("score").notNull(),
    modelVersion: text("model_version").notNull(),
    record: jsonb("record").$type<Record<string, unknown>>().notNull(),
    transactionId: uuid("transaction_id")
      .notNull()
      .references(() => chainTransactions.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("score_anchors_record_hash_idx").on(table.recordHash),
    index("score_anchors_user_idx").on(table.userId),
  ],
);

export type WalletChallenge = typeof walletChallenges.$inferSelect;
export type ChainTransaction = typeof chainTransactions.$inferSelect;
export type ScoreAnchor = typeof scoreAnchors.$inferSelect;
export const chainTxStatuses = chainTxStatus.enumValues;
export const chainTxKinds = chainTxKind.enumValues;
