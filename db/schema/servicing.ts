import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  date,
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
import { type loanInstalmentState, loans } from "./loans";
import { payments } from "./payments";

/** An instalment as it stood when its schedule was replaced. */
export type ArchivedInstalment = {
  n: number;
  dueDate: string | null;
  principalCents: number;
  interestCents: number;
  paidPrincipalCents: number;
  paidInterestCents: number;
  state: (typeof loanInstalmentState.enumValues)[number];
  accrualStart: string | null;
  accruedBeforeCents: number;
};

export const scheduleChangeCause = pgEnum("schedule_change_cause", ["prepayment", "restructure"]);

/**
 * Every schedule a loan had before its current one: `version` is the loan's `schedule_version` while that
 * schedule was current. Written in the transaction that re-amortises, never changed afterwards.
 */
export const loanScheduleVersions = pgTable(
  "loan_schedule_versions",
  {
    loanId: uuid("loan_id")
      .notNull()
      .references(() => loans.id, { onDelete: "restrict" }),
    version: integer("version").notNull(),
    /** What replaced it. */
    cause: scheduleChangeCause("cause").notNull(),
    paymentId: uuid("payment_id").references(() => payments.id, { onDelete: "restrict" }),
    restructureId: uuid("restructure_id"),
    aprBasisPoints: integer("apr_basis_points").notNull(),
    termMonths: integer("term_months").notNull(),
    monthlyPaymentCents: bigint("monthly_payment_cents", { mode: "number" }).notNull(),
    instalments: jsonb("instalments").$type<ArchivedInstalment[]>().notNull(),
    replacedAt: timestamp("replaced_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.loanId, table.version] })],
);

export const restructureStatus = pgEnum("restructure_status", ["pending", "applied", "cancelled"]);

/**
 * A restructure proposed by one underwriter and applied only when a second staff member approves it (four
 * eyes). At most one is pending per loan.
 */
export const loanRestructures = pgTable(
  "loan_restructures",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    loanId: uuid("loan_id")
      .notNull()
      .references(() => loans.id, { onDelete: "restrict" }),
    status: restructureStatus("status").notNull().default("pending"),
    /** The new schedule's start: its first instalment falls due a month later. */
    effectiveDate: date("effective_date", { mode: "string" }).notNull(),
    /** Null: as many instalments as the old schedule still had after the effective date. */
    termMonths: integer("term_months"),
    /** Null: the loan's rate. */
    aprBasisPoints: integer("apr_basis_points"),
    capitaliseArrears: boolean("capitalise_arrears").notNull(),
    reason: text("reason").notNull(),
    proposedBy: uuid("proposed_by")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    decidedBy: uuid("decided_by").references(() => users.id, { onDelete: "restrict" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
  },
  (table) => [
    index("loan_restructures_loan_idx").on(table.loanId, table.createdAt),
    uniqueIndex("loan_restructures_one_pending_idx").on(table.loanId).where(sql`${table.status} = 'pending'`),
  ],
);

export type LoanScheduleVersion = typeof loanScheduleVersions.$inferSelect;
export type LoanRestructure = typeof loanRestructures.$inferSelect;
