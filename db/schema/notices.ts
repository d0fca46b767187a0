import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { loanRefusals, loans } from "./loans";

/** What refused the application: the eligibility rules at application time, or an underwriter. */
export const noticeSources = ["eligibility", "underwriter"] as const;

/**
 * Every adverse-action notice given to an applicant (Regulation B, 12 CFR 1002.9), kept exactly as given:
 * `body` is the notice itself. One per rejected loan, or per refused application.
 */
export const adverseActionNotices = pgTable(
  "adverse_action_notices",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    seq: bigserial("seq", { mode: "number" }).notNull().unique(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    source: text("source", { enum: noticeSources }).notNull(),
    loanId: uuid("loan_id")
      .unique()
      .references(() => loans.id, { onDelete: "restrict" }),
    refusalId: uuid("refusal_id")
      .unique()
      .references(() => loanRefusals.id, { onDelete: "restrict" }),
    body: jsonb("body").$type<Record<string, unknown>>().notNull(),
    issuedAt: timestamp("issued_at", { withTimezone: true }).notNull(),
  },
  (table) => [index("adverse_action_notices_user_idx").on(table.userId, table.seq)],
);

export type AdverseActionNoticeRow = typeof adverseActionNotices.$inferSelect;
