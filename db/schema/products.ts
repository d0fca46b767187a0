import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
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

export const loanProductStatus = pgEnum("loan_product_status", ["active", "retired"]);

/**
 * A loan product: its identity and whether new loans may still use it. Its terms live in versions; every edit
 * adds one and moves `current_version`, and a loan points at the version it was priced on. Exactly one product is
 * the default (seeded from the LOAN_* settings), used when a request names none.
 */
export const loanProducts = pgTable(
  "loan_products",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    isDefault: boolean("is_default").notNull().default(false),
    status: loanProductStatus("status").notNull().default("active"),
    currentVersion: integer("current_version").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("loan_products_one_default_idx").on(table.isDefault).where(sql`${table.isDefault}`),
  ],
);

/** One version of a product's terms, never changed once written. Rates and percentages are basis points. */
export const loanProductVersions = pgTable(
  "loan_product_versions",
  {
    productId: uuid("product_id")
      .notNull()
      .references(() => loanProducts.id, { onDelete: "restrict" }),
    version: integer("version").notNull(),
    name: text("name").notNull(),
    minAmountCents: bigint("min_amount_cents", { mode: "number" }).notNull(),
    maxAmountCents: bigint("max_amount_cents", { mode: "number" }).notNull(),
    minTermMonths: integer("min_term_months").notNull(),
    maxTermMonths: integer("max_term_months").notNull(),
    scheduleType: text("schedule_type").$type<"equal_installments" | "equal_principal">().notNull(),
    scoreFloor: integer("score_floor").notNull(),
    maxDtiBasisPoints: integer("max_dti_basis_points").notNull(),
    graceDays: integer("grace_days").notNull(),
    originationFeeBasisPoints: integer("origination_fee_basis_points").notNull(),
    originationFeeFixedCents: bigint("origination_fee_fixed_cents", { mode: "number" }).notNull(),
    /** True: the fee is added to the principal; false: it is withheld from the payout. */
    originationFeeFinanced: boolean("origination_fee_financed").notNull(),
    lateFeeFixedCents: bigint("late_fee_fixed_cents", { mode: "number" }).notNull(),
    lateFeeBasisPoints: integer("late_fee_basis_points").notNull(),
    /** Null: no cap. */
    lateFeeCapCents: bigint("late_fee_cap_cents", { mode: "number" }),
    /** APR in basis points per score band. */
    pricing: jsonb("pricing").$type<Record<string, number>>().notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.productId, table.version] }),
    check(
      "loan_product_versions_schedule_type",
      sql`${table.scheduleType} in ('equal_installments', 'equal_principal')`,
    ),
    check(
      "loan_product_versions_amounts",
      sql`${table.minAmountCents} > 0 and ${table.minAmountCents} <= ${table.maxAmountCents}`,
    ),
    check(
      "loan_product_versions_terms",
      sql`${table.minTermMonths} > 0 and ${table.minTermMonths} <= ${table.maxTermMonths}`,
    ),
    check(
      "loan_product_versions_fees",
      sql`${table.originationFeeBasisPoints} >= 0 and ${table.originationFeeFixedCents} >= 0 and ${table.lateFeeFixedCents} >= 0 and ${table.lateFeeBasisPoints} >= 0 and coalesce(${table.lateFeeCapCents}, 0) >= 0`,
    ),
  ],
);

export type LoanProduct = typeof loanProducts.$inferSelect;
export type LoanProductVersion = typeof loanProductVersions.$inferSelect;
