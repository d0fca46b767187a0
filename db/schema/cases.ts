import { sql } from "drizzle-orm";
import {
  bigserial,
  check,
  index,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth";
import { amlAlerts } from "./compliance";

export const caseStatus = pgEnum("case_status", ["open", "investigating", "closed", "reported"]);
export const caseKind = pgEnum("case_kind", ["sanctions", "aml"]);

/** The suspicious-activity report draft kept when a case is marked reported (filing itself happens elsewhere). */
export type SarDraft = {
  caseId: string;
  preparedAt: string;
  subject: {
    userId: string;
    email: string;
    legalName: string | null;
    dateOfBirth: string | null;
    country: string | null;
    address: string | null;
    documentType: string | null;
    documentNumberLast4: string | null;
  };
  activity: { from: string | null; to: string | null; totalAmount: string; movements: number };
  amounts: { at: string; kind: string; direction: string; amount: string; reference: string | null }[];
  rulesFired: { rule: string; detail: string; at: string }[];
  sanctionsMatches: { entryId: number; entryName: string; programs: string[]; score: number }[];
  narrative: string;
};

/** An AML alert or sanctions hit someone owns until it is closed (no action) or reported. */
export const complianceCases = pgTable(
  "compliance_cases",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    seq: bigserial("seq", { mode: "number" }).notNull().unique(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    kind: caseKind("kind").notNull(),
    status: caseStatus("status").notNull().default("open"),
    assigneeId: uuid("assignee_id").references(() => users.id, { onDelete: "set null" }),
    openedAt: timestamp("opened_at", { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    decidedBy: uuid("decided_by").references(() => users.id, { onDelete: "set null" }),
    closeReason: text("close_reason"),
    sar: jsonb("sar").$type<SarDraft>(),
  },
  (table) => [
    index("compliance_cases_status_idx").on(table.status, table.seq),
    index("compliance_cases_user_idx").on(table.userId, table.status),
    check(
      "compliance_cases_decision",
      sql`(${table.status} in ('closed', 'reported')) = (${table.decidedAt} is not null)`,
    ),
  ],
);

/** The AML alerts a case holds; an alert belongs to one case. */
export const caseAlerts = pgTable(
  "case_alerts",
  {
    caseId: uuid("case_id")
      .notNull()
      .references(() => complianceCases.id, { onDelete: "restrict" }),
    alertId: uuid("alert_id")
      .notNull()
      .unique()
      .references(() => amlAlerts.id, { onDelete: "restrict" }),
  },
  (table) => [primaryKey({ columns: [table.caseId, table.alertId] })],
);

export const caseNotes = pgTable(
  "case_notes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    caseId: uuid("case_id")
      .notNull()
      .references(() => complianceCases.id, { onDelete: "restrict" }),
    authorId: uuid("author_id").references(() => users.id, { onDelete: "set null" }),
    body: text("body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("case_notes_case_idx").on(table.caseId, table.createdAt)],
);

export type ComplianceCase = typeof complianceCases.$inferSelect;
export type CaseNote = typeof caseNotes.$inferSelect;
export const caseStatuses = caseStatus.enumValues;
export const caseKinds = caseKind.enumValues;
