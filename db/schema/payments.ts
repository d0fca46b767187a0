import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth";
import { loans } from "./loans";

/** What a payment above what is due does to the schedule, as the borrower chose when starting it. */
export const paymentPrepayment = pgEnum("payment_prepayment", ["shorten_term", "reduce_instalment"]);
export const paymentStatus = pgEnum("payment_status", ["pending", "settled", "failed"]);
/** Who settled a payment: the provider's signed webhook (the sandbox included) or a staff member who took cash. */
export const paymentSettlementSource = pgEnum("payment_settlement_source", ["provider", "staff"]);

/**
 * A repayment the borrower started (a payment intent). It books nothing until it is settled, once: by the
 * provider's signed webhook naming its `reference`, or by a staff member who received the money. The amount
 * received may differ from the amount asked; the booking (`repayments`) records what arrived.
 */
export const payments = pgTable(
  "payments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    loanId: uuid("loan_id")
      .notNull()
      .references(() => loans.id, { onDelete: "restrict" }),
    /** The borrower who started it. */
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    amountCents: bigint("amount_cents", { mode: "number" }).notNull(),
    /** What the provider's events name: random, unguessable, unique. */
    reference: text("reference").notNull(),
    status: paymentStatus("status").notNull().default("pending"),
    idempotencyKey: text("idempotency_key").notNull(),
    /**
     * Null: the amount pays the next instalments as scheduled. Set: what exceeds what is due (and the interest
     * accrued so far) reduces the principal, and the rest of the schedule is re-amortised this way.
     */
    prepayment: paymentPrepayment("prepayment"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    settledAt: timestamp("settled_at", { withTimezone: true }),
    settledAmountCents: bigint("settled_amount_cents", { mode: "number" }),
    settledVia: paymentSettlementSource("settled_via"),
    /** The staff member who settled it by hand; null for the provider. */
    settledBy: uuid("settled_by").references(() => users.id, { onDelete: "set null" }),
    /** The provider's event id, or the staff member's reason. */
    settlementNote: text("settlement_note"),
    failedAt: timestamp("failed_at", { withTimezone: true }),
  },
  (table) => [
    uniqueIndex("payments_reference_idx").on(table.reference),
    uniqueIndex("payments_key_idx").on(table.loanId, table.idempotencyKey),
    index("payments_loan_idx").on(table.loanId, table.createdAt),
    check("payments_amount_positive", sql`${table.amountCents} > 0`),
    check(
      "payments_settled_amount_positive",
      sql`${table.settledAmountCents} is null or ${table.settledAmountCents} > 0`,
    ),
  ],
);

/**
 * Every provider event id ever accepted, so a replayed event changes nothing. The row is inserted in the
 * transaction that applies the event: a concurrent delivery of the same id waits on the key, then finds it.
 */
export const paymentEvents = pgTable("payment_events", {
  eventId: text("event_id").primaryKey(),
  type: text("type").notNull(),
  reference: text("reference").notNull(),
  paymentId: uuid("payment_id").references(() => payments.id, { onDelete: "restrict" }),
  /** What the event did: settled, failed, or ignored (the payment was already final). */
  outcome: text("outcome").notNull(),
  receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
});

export type Payment = typeof payments.$inferSelect;
export type PaymentEvent = typeof paymentEvents.$inferSelect;
export const paymentStatuses = paymentStatus.enumValues;
export const paymentSettlementSources = paymentSettlementSource.enumValues;
export const prepaymentChoices = paymentPrepayment.enumValues;
export type PrepaymentChoice = (typeof prepaymentChoices)[number];
