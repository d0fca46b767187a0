import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth";
import { creditScores } from "./credit";
import { instalmentStates, ledgerAccounts, loanStatuses, scheduleTypes } from "./loan-values";
import { payments } from "./payments";
import { loanProductVersions } from "./products";

// Loans and their books must outlive the account, like compliance records: a borrower cannot be deleted (`restrict`).

export const loanStatus = pgEnum("loan_status", loanStatuses);
export const loanScheduleType = pgEnum("loan_schedule_type", scheduleTypes);
export const loanInstalmentState = pgEnum("loan_instalment_state", instalmentStates);
export const ledgerAccount = pgEnum("ledger_account", ledgerAccounts);
export const journalEntryKind = pgEnum("journal_entry_kind", [
  "disbursement",
  "repayment",
  "late_fee",
  "restructure",
  "write_off",
  "recovery",
]);

/**
 * One row per application. The terms (APR, payment) are quoted at application from the score then current and
 * fixed into `loan_instalments` at approval; the status only moves through the table in server/loans/status.ts,
 * by a conditional update under a row lock (see server/loans/workflow.ts).
 */
export const loans = pgTable(
  "loans",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    status: loanStatus("status").notNull().default("submitted"),
    amountCents: bigint("amount_cents", { mode: "number" }).notNull(),
    termMonths: integer("term_months").notNull(),
    purpose: text("purpose").notNull(),
    scheduleType: loanScheduleType("schedule_type").notNull(),
    aprBasisPoints: integer("apr_basis_points").notNull(),
    /** Equal instalments: the level payment. Equal principal: the first (largest) one. */
    monthlyPaymentCents: bigint("monthly_payment_cents", { mode: "number" }).notNull(),
    /** The score the APR was priced on. */
    scoreId: uuid("score_id").references(() => creditScores.id, { onDelete: "set null" }),
    score: integer("score"),
    /** The product version the loan was priced on, for life; null for loans made before products existed. */
    productId: uuid("product_id"),
    productVersion: integer("product_version"),
    originationFeeCents: bigint("origination_fee_cents", { mode: "number" }).notNull().default(0),
    /** True: the fee is part of the principal the schedule amortises; false: it was withheld from the payout. */
    originationFeeFinanced: boolean("origination_fee_financed").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    approvedAt: timestamp("approved_at", { withTimezone: true }),
    disbursedAt: timestamp("disbursed_at", { withTimezone: true }),
    /** When it stopped performing: rejected, withdrawn, repaid, defaulted or written off (cleared by a restructure). */
    closedAt: timestamp("closed_at", { withTimezone: true }),
    /** Bumped each time the schedule is re-amortised; the earlier ones are kept in `loan_schedule_versions`. */
    scheduleVersion: integer("schedule_version").notNull().default(1),
  },
  (table) => [
    index("loans_user_idx").on(table.userId, table.createdAt.desc(), table.id.desc()),
    index("loans_status_idx").on(table.status, table.createdAt, table.id),
    check("loans_amount_positive", sql`${table.amountCents} > 0`),
    check("loans_term_positive", sql`${table.termMonths} > 0`),
    check("loans_apr_non_negative", sql`${table.aprBasisPoints} >= 0`),
    check("loans_origination_fee_non_negative", sql`${table.originationFeeCents} >= 0`),
    foreignKey({
      name: "loans_product_version_fk",
      columns: [table.productId, table.productVersion],
      foreignColumns: [loanProductVersions.productId, loanProductVersions.version],
    }).onDelete("restrict"),
  ],
);

/**
 * The repayment schedule, written at approval. Due dates are set at disbursement (the first one month after
 * it); until then they are null. `late_at` records the first time an instalment went past its grace period and
 * stays set once it is paid, so the payment history scoring reads keeps it.
 */
export const loanInstalments = pgTable(
  "loan_instalments",
  {
    loanId: uuid("loan_id")
      .notNull()
      .references(() => loans.id, { onDelete: "restrict" }),
    n: integer("n").notNull(),
    dueDate: date("due_date", { mode: "string" }),
    principalCents: bigint("principal_cents", { mode: "number" }).notNull(),
    interestCents: bigint("interest_cents", { mode: "number" }).notNull(),
    paidPrincipalCents: bigint("paid_principal_cents", { mode: "number" }).notNull().default(0),
    paidInterestCents: bigint("paid_interest_cents", { mode: "number" }).notNull().default(0),
    state: loanInstalmentState("state").notNull().default("pending"),
    paidAt: timestamp("paid_at", { withTimezone: true }),
    lateAt: timestamp("late_at", { withTimezone: true }),
    /**
     * Set when a re-amortisation starts this instalment's interest mid-period (a prepayment, a restructure):
     * interest accrues from this day, and `accruedBeforeCents` of it had accrued before. Null: from the previous
     * instalment's due day (or the payout).
     */
    accrualStart: date("accrual_start", { mode: "string" }),
    accruedBeforeCents: bigint("accrued_before_cents", { mode: "number" }).notNull().default(0),
  },
  (table) => [
    primaryKey({ columns: [table.loanId, table.n] }),
    index("loan_instalments_due_idx").on(table.dueDate),
    check(
      "loan_instalments_paid_principal",
      sql`${table.paidPrincipalCents} between 0 and ${table.principalCents}`,
    ),
    check(
      "loan_instalments_paid_interest",
      sql`${table.paidInterestCents} between 0 and ${table.interestCents}`,
    ),
  ],
);

/** Every status change: who (null for the delinquency job), when and why. `from_status` is null at creation. */
export const loanTransitions = pgTable(
  "loan_transitions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    loanId: uuid("loan_id")
      .notNull()
      .references(() => loans.id, { onDelete: "restrict" }),
    fromStatus: loanStatus("from_status"),
    toStatus: loanStatus("to_status").notNull(),
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    reason: text("reason"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("loan_transitions_loan_idx").on(table.loanId, table.id)],
);

/**
 * A request's idempotency key and the answer it got. The key row is inserted first, in the transaction that does
 * the work: a concurrent retry's insert waits on the unique key until that transaction ends, then reads the
 * stored answer (or, if the first attempt rolled back, does the work itself).
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The operation, e.g. `loans.apply` or `loans.repay:<loan id>`. */
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    /** SHA-256 of the parsed request: the same key with another body is refused. */
    requestHash: text("request_hash").notNull(),
    responseStatus: integer("response_status"),
    responseBody: jsonb("response_body"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.scope, table.key] }),
    // The expiry job deletes by age.
    index("idempotency_keys_created_idx").on(table.createdAt),
  ],
);

/**
 * Each payment received and booked (a settled `payments` row), with how it was split over the schedule. What
 * arrived beyond what the schedule still asked is `unallocated` (owed back to the borrower). The unique payment
 * id is a second guard against booking one payment twice.
 */
export const repayments = pgTable(
  "repayments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    loanId: uuid("loan_id")
      .notNull()
      .references(() => loans.id, { onDelete: "restrict" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    /** The settled payment; null only for repayments booked before payments were settled separately. */
    paymentId: uuid("payment_id").references(() => payments.id, { onDelete: "restrict" }),
    amountCents: bigint("amount_cents", { mode: "number" }).notNull(),
    principalCents: bigint("principal_cents", { mode: "number" }).notNull(),
    interestCents: bigint("interest_cents", { mode: "number" }).notNull(),
    unallocatedCents: bigint("unallocated_cents", { mode: "number" }).notNull().default(0),
    /** Fees receivable it paid (a payoff pays them with the rest). */
    feesCents: bigint("fees_cents", { mode: "number" }).notNull().default(0),
    allocations: jsonb("allocations")
      .$type<{ n: number; principalCents: number; interestCents: number }[]>()
      .notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("repayments_payment_idx").on(table.paymentId),
    index("repayments_loan_idx").on(table.loanId, table.at),
    check(
      "repayments_amount_split",
      sql`${table.amountCents} = ${table.principalCents} + ${table.interestCents} + ${table.feesCents} + ${table.unallocatedCents}`,
    ),
    check("repayments_amount_positive", sql`${table.amountCents} > 0`),
  ],
);

/**
 * Applications refused by eligibility: nothing else is stored for them. The applicant may have been told only
 * NOT_ELIGIBLE (an undisclosed reason such as AML risk); underwriters read the real code here.
 */
export const loanRefusals = pgTable(
  "loan_refusals",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    seq: bigserial("seq", { mode: "number" }).notNull().unique(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    code: text("code").notNull(),
    reason: text("reason").notNull(),
    /** What the applicant was answered (the code itself, or NOT_ELIGIBLE). */
    disclosedCode: text("disclosed_code").notNull(),
    amountCents: bigint("amount_cents", { mode: "number" }).notNull(),
    termMonths: integer("term_months").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("loan_refusals_user_idx").on(table.userId, table.seq)],
);

/**
 * A balanced posting (checked before insert by journal.ts). One per disbursement, per repayment, per late fee, per
 * restructure that capitalised arrears, per write-off (the status change makes it once), per recovery.
 */
export const journalEntries = pgTable(
  "journal_entries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    seq: bigserial("seq", { mode: "number" }).notNull().unique(),
    kind: journalEntryKind("kind").notNull(),
    loanId: uuid("loan_id")
      .notNull()
      .references(() => loans.id, { onDelete: "restrict" }),
    repaymentId: uuid("repayment_id").references(() => repayments.id, { onDelete: "restrict" }),
    /** The late instalment a late fee was charged for; null on every other kind of entry. */
    instalmentN: integer("instalment_n"),
    description: text("description").notNull(),
    postedAt: timestamp("posted_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("journal_entries_loan_idx").on(table.loanId),
    uniqueIndex("journal_entries_one_disbursement_idx")
      .on(table.loanId)
      .where(sql`${table.kind} = 'disbursement'`),
    uniqueIndex("journal_entries_repayment_idx").on(table.repaymentId),
    // One late fee per late instalment, however often the delinquency job runs (only late fees name an instalment).
    uniqueIndex("journal_entries_one_late_fee_idx").on(table.loanId, table.instalmentN),
  ],
);

export const journalLines = pgTable(
  "journal_lines",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    entryId: uuid("entry_id")
      .notNull()
      .references(() => journalEntries.id, { onDelete: "restrict" }),
    account: ledgerAccount("account").notNull(),
    debitCents: bigint("debit_cents", { mode: "number" }).notNull().default(0),
    creditCents: bigint("credit_cents", { mode: "number" }).notNull().default(0),
  },
  (table) => [
    index("journal_lines_entry_idx").on(table.entryId),
    index("journal_lines_account_idx").on(table.account),
    check(
      "journal_lines_one_sided",
      sql`(${table.debitCents} > 0 and ${table.creditCents} = 0) or (${table.creditCents} > 0 and ${table.debitCents} = 0)`,
    ),
  ],
);

export type Loan = typeof loans.$inferSelect;
export type LoanInstalment = typeof loanInstalments.$inferSelect;
export type LoanTransition = typeof loanTransitions.$inferSelect;
export type Repayment = typeof repayments.$inferSelect;
export type LoanRefusal = typeof loanRefusals.$inferSelect;
