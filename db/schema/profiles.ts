import {
  bigint,
  boolean,
  date,
  integer,
  numeric,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth";

export const employmentStatus = pgEnum("employment_status", [
  "employed",
  "self_employed",
  "unemployed",
  "retired",
  "student",
]);

export const housingStatus = pgEnum("housing_status", ["own", "mortgage", "rent", "family", "other"]);

/** The applicant's own declaration of their finances: what scoring and underwriting read. Money in cents. */
export const financialProfiles = pgTable("financial_profiles", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  dateOfBirth: date("date_of_birth"),
  dependants: integer("dependants"),
  annualIncomeCents: bigint("annual_income_cents", { mode: "number" }),
  monthlyDebtPaymentsCents: bigint("monthly_debt_payments_cents", { mode: "number" }),
  employmentStatus: employmentStatus("employment_status"),
  employmentYears: numeric("employment_years", { precision: 5, scale: 2 }),
  housing: housingStatus("housing"),
  openCreditLines: integer("open_credit_lines"),
  realEstateLoans: integer("real_estate_loans"),
  revolvingUtilizationPercent: numeric("revolving_utilization_percent", { precision: 7, scale: 2 }),
  pastDue30to59: integer("past_due_30_59"),
  pastDue60to89: integer("past_due_60_89"),
  pastDue90Plus: integer("past_due_90_plus"),
  creditHistoryYears: numeric("credit_history_years", { precision: 5, scale: 2 }),
  recentInquiries: integer("recent_inquiries"),
  walletAddress: text("wallet_address").unique(),
  /** E.164, for one-time codes by SMS. */
  phoneNumber: text("phone_number"),
  /** Set only by a verified Sign-In with Ethereum link: anchor scores under this wallet, not a salted hash. */
  walletAnchorConsent: boolean("wallet_anchor_consent").notNull().default(false),
  walletLinkedAt: timestamp("wallet_linked_at", { withTimezone: true }),
  /**
   * The annual income a reviewer checked against evidence, when, and who. It vouches for that amount only: a
   * profile declaring another income is unverified again.
   */
  incomeVerifiedCents: bigint("income_verified_cents", { mode: "number" }),
  incomeVerifiedAt: timestamp("income_verified_at", { withTimezone: true }),
  incomeVerifiedBy: uuid("income_verified_by").references(() => users.id, { onDelete: "set null" }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type FinancialProfile = typeof financialProfiles.$inferSelect;
export const employmentStatuses = employmentStatus.enumValues;
export const housingStatuses = housingStatus.enumValues;
