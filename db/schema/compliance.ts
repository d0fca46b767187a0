import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  check,
  date,
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

// Compliance records must outlive the account (AML record keeping is five years, 31 CFR 1010.430), so a
// user who has any cannot be deleted (`restrict`): erasure has to pseudonymise instead.

/**
 * `pending` is the state while checks run; today every check runs inside the submission, so a stored
 * application is already `verified`, `review` or `rejected`.
 */
export const kycStatus = pgEnum("kyc_status", ["pending", "verified", "review", "rejected"]);
export const kycDocumentType = pgEnum("kyc_document_type", ["passport", "national_id", "driving_licence"]);

/** One check's outcome as stored; the sanctions check also keeps its matches for the reviewer. */
export type StoredKycCheck = {
  name: "age" | "document_number" | "country" | "sanctions";
  result: "pass" | "fail" | "review";
  detail: string;
  matches?: {
    entryId: number;
    entryName: string;
    matchedName: string;
    matchedAlias: boolean;
    type: string;
    programs: string[];
    score: number;
    exact: boolean;
    dobMatch: boolean;
    datesOfBirth: string[];
    /** Which of the applicant's names (this submission's or an earlier one's) matched; absent on older rows. */
    screenedName?: string;
  }[];
  /** The sanctions list version screened against (sanctions_list_versions.id); absent on older rows. */
  listVersion?: number;
};

/**
 * Every KYC submission, kept: the user's current status is their latest application's. Resubmitting after a
 * rejection adds a row; the partial unique index allows at most one application per user that is not
 * rejected (in review, or verified). The document number is not stored, only its last four characters
 * (see docs/compliance.md).
 */
export const kycApplications = pgTable(
  "kyc_applications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    seq: bigserial("seq", { mode: "number" }).notNull().unique(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    legalName: text("legal_name").notNull(),
    dateOfBirth: date("date_of_birth", { mode: "string" }).notNull(),
    /** ISO 3166-1 alpha-2. */
    country: text("country").notNull(),
    address: text("address").notNull(),
    documentType: kycDocumentType("document_type").notNull(),
    documentNumberLast4: text("document_number_last4").notNull(),
    status: kycStatus("status").notNull(),
    checks: jsonb("checks").$type<StoredKycCheck[]>().notNull(),
    submittedAt: timestamp("submitted_at", { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    /** The admin who decided a review; null when the checks decided on their own. */
    decidedBy: uuid("decided_by").references(() => users.id, { onDelete: "set null" }),
    decisionReason: text("decision_reason"),
  },
  (table) => [
    index("kyc_applications_user_idx").on(table.userId, table.seq),
    index("kyc_applications_status_idx").on(table.status, table.seq),
    uniqueIndex("kyc_applications_one_active_idx").on(table.userId).where(sql`${table.status} <> 'rejected'`),
  ],
);

/**
 * A submission accepted while the user's application was in review: it changes nothing (the case stays with the
 * reviewer, who sees it), but its name and date of birth are screened with every later submission.
 */
export const kycResubmissions = pgTable(
  "kyc_resubmissions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    /** The application in review when it arrived. */
    applicationId: uuid("application_id")
      .notNull()
      .references(() => kycApplications.id, { onDelete: "restrict" }),
    legalName: text("legal_name").notNull(),
    dateOfBirth: date("date_of_birth", { mode: "string" }).notNull(),
    country: text("country").notNull(),
    documentType: kycDocumentType("document_type").notNull(),
    documentNumberLast4: text("document_number_last4").notNull(),
    submittedAt: timestamp("submitted_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("kyc_resubmissions_user_idx").on(table.userId, table.submittedAt)],
);

export const moneyMovementKind = pgEnum("money_movement_kind", ["disbursement", "repayment"]);
export const moneyDirection = pgEnum("money_direction", ["in", "out"]);

/** The movements ledger AML monitoring reads: every amount that leaves or reaches a user. */
export const moneyMovements = pgTable(
  "money_movements",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Commit order of one user's movements: they are recorded and evaluated one at a time under a lock. */
    seq: bigserial("seq", { mode: "number" }).notNull().unique(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    kind: moneyMovementKind("kind").notNull(),
    direction: moneyDirection("direction").notNull(),
    amountCents: bigint("amount_cents", { mode: "number" }).notNull(),
    /** ISO 3166-1 alpha-2 of the other party, when known. */
    counterpartyCountry: text("counterparty_country"),
    /** What the movement belongs to, e.g. the loan id. */
    reference: text("reference"),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("money_movements_user_time_idx").on(table.userId, table.occurredAt),
    check("money_movements_amount_positive", sql`${table.amountCents} > 0`),
  ],
);

export const amlRule = pgEnum("aml_rule", ["large_amount", "structuring", "velocity", "high_risk_country"]);
export const amlAlertStatus = pgEnum("aml_alert_status", ["open", "closed"]);
export const amlDisposition = pgEnum("aml_disposition", ["false_positive", "escalated", "reported"]);

/** What a rule raised, with its evidence, until an admin closes it with a disposition. */
export const amlAlerts = pgTable(
  "aml_alerts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    seq: bigserial("seq", { mode: "number" }).notNull().unique(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    rule: amlRule("rule").notNull(),
    /** The movements that make the pattern, oldest first, and their amounts in cents. */
    evidence: jsonb("evidence").$type<{ movementIds: string[]; amounts: number[] }>().notNull(),
    detail: text("detail").notNull(),
    riskScore: integer("risk_score").notNull(),
    status: amlAlertStatus("status").notNull().default("open"),
    disposition: amlDisposition("disposition"),
    note: text("note"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    closedBy: uuid("closed_by").references(() => users.id, { onDelete: "set null" }),
  },
  (table) => [
    index("aml_alerts_status_idx").on(table.status, table.seq),
    index("aml_alerts_user_idx").on(table.userId, table.status),
  ],
);

export type KycApplicationRow = typeof kycApplications.$inferSelect;
export type KycResubmission = typeof kycResubmissions.$inferSelect;
export type MoneyMovement = typeof moneyMovements.$inferSelect;
export type AmlAlert = typeof amlAlerts.$inferSelect;
export const kycStatuses = kycStatus.enumValues;
export const kycDocumentTypes = kycDocumentType.enumValues;
export const moneyMovementKinds = moneyMovementKind.enumValues;
export const moneyDirections = moneyDirection.enumValues;
export const amlRules = amlRule.enumValues;
export const amlAlertStatuses = amlAlertStatus.enumValues;
export const amlDispositions = amlDisposition.enumValues;
