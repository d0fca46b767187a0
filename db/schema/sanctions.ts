import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth";
import { complianceCases } from "./cases";

/**
 * The sanctions list lives here, so every instance screens against the same version: each stored version keeps
 * its entries, the head row names the version in use, and its `generation` moves on every swap or reload, which
 * every instance polls (a LISTEN would not survive PgBouncer's transaction pooling).
 */
export const sanctionsListVersions = pgTable("sanctions_list_versions", {
  id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
  /** The folder path or the comma-separated URLs the files came from. */
  source: text("source").notNull(),
  /** SHA-256 over the entries' digests in ent_num order: equal lists have equal checksums. */
  checksum: text("checksum").notNull(),
  entryCount: integer("entry_count").notNull(),
  skippedRows: integer("skipped_rows").notNull(),
  added: integer("added").notNull(),
  changed: integer("changed").notNull(),
  removed: integer("removed").notNull(),
  fetchedAt: timestamp("fetched_at", { withTimezone: true }).notNull().defaultNow(),
});

/** One entry of one version; `digest` changes when anything screened or shown about the entry does. */
export const sanctionsListEntries = pgTable(
  "sanctions_list_entries",
  {
    versionId: integer("version_id")
      .notNull()
      .references(() => sanctionsListVersions.id, { onDelete: "cascade" }),
    entryId: integer("entry_id").notNull(),
    name: text("name").notNull(),
    type: text("type").$type<"individual" | "entity" | "vessel" | "aircraft">().notNull(),
    programs: jsonb("programs").$type<string[]>().notNull(),
    aliases: jsonb("aliases").$type<string[]>().notNull(),
    datesOfBirth: jsonb("dates_of_birth").$type<string[]>().notNull(),
    remarks: text("remarks"),
    digest: text("digest").notNull(),
  },
  (table) => [primaryKey({ columns: [table.versionId, table.entryId] })],
);

/** One row (id 1): the version every instance screens against. */
export const sanctionsListHead = pgTable("sanctions_list_head", {
  id: integer("id").primaryKey(),
  versionId: integer("version_id")
    .notNull()
    .references(() => sanctionsListVersions.id),
  generation: integer("generation").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** The last answer of each list URL: its validators for the next conditional GET, and the body for a 304. */
export const sanctionsSources = pgTable("sanctions_sources", {
  url: text("url").primaryKey(),
  etag: text("etag"),
  lastModified: text("last_modified"),
  body: text("body").notNull(),
  checkedAt: timestamp("checked_at", { withTimezone: true }).notNull().defaultNow(),
});

export const sanctionsFetchOutcome = pgEnum("sanctions_fetch_outcome", [
  "updated",
  "unchanged",
  "not_modified",
  "failed",
]);

/** Every refresh or reload and what came of it; a `failed` row is the alert that a download was refused. */
export const sanctionsListFetches = pgTable(
  "sanctions_list_fetches",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    trigger: text("trigger").$type<"start" | "cron" | "reload">().notNull(),
    source: text("source").notNull(),
    outcome: sanctionsFetchOutcome("outcome").notNull(),
    versionId: integer("version_id").references(() => sanctionsListVersions.id, { onDelete: "set null" }),
    error: text("error"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("sanctions_list_fetches_at_idx").on(table.at)],
);

export const rescreenScope = pgEnum("sanctions_rescreen_scope", ["changes", "full"]);
export const rescreenStatus = pgEnum("sanctions_rescreen_status", ["queued", "running", "done", "failed"]);

/** A pass over every verified or in-review customer: against a version's changed entries, or the whole list. */
export const sanctionsRescreens = pgTable("sanctions_rescreens", {
  id: uuid("id").primaryKey().defaultRandom(),
  versionId: integer("version_id")
    .notNull()
    .references(() => sanctionsListVersions.id),
  scope: rescreenScope("scope").notNull(),
  /** The added or changed ent_nums screened (scope `changes`); null for a full rescreen. */
  entryIds: jsonb("entry_ids").$type<number[]>(),
  status: rescreenStatus("status").notNull().default("queued"),
  screened: integer("screened").notNull().default(0),
  hits: integer("hits").notNull().default(0),
  /** The last customer id screened: a retried job resumes after it. */
  cursor: uuid("cursor"),
  /** The pg-boss job that runs it; null until one is sent (a version stored before the queue started). */
  jobId: text("job_id"),
  requestedBy: uuid("requested_by").references(() => users.id, { onDelete: "set null" }),
  error: text("error"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  startedAt: timestamp("started_at", { withTimezone: true }),
  finishedAt: timestamp("finished_at", { withTimezone: true }),
});

/** A customer matched to a listed entry after onboarding; one per customer and entry, so a hit is raised once. */
export const sanctionsHits = pgTable(
  "sanctions_hits",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    entryId: integer("entry_id").notNull(),
    entryName: text("entry_name").notNull(),
    programs: jsonb("programs").$type<string[]>().notNull(),
    matchedName: text("matched_name").notNull(),
    screenedName: text("screened_name").notNull(),
    score: real("score").notNull(),
    dobMatch: boolean("dob_match").notNull(),
    versionId: integer("version_id")
      .notNull()
      .references(() => sanctionsListVersions.id),
    rescreenId: uuid("rescreen_id").references(() => sanctionsRescreens.id),
    caseId: uuid("case_id")
      .notNull()
      .references(() => complianceCases.id, { onDelete: "restrict" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("sanctions_hits_user_entry_idx").on(table.userId, table.entryId),
    index("sanctions_hits_case_idx").on(table.caseId),
  ],
);

export type SanctionsListVersion = typeof sanctionsListVersions.$inferSelect;
export type SanctionsListEntryRow = typeof sanctionsListEntries.$inferSelect;
export type SanctionsListFetch = typeof sanctionsListFetches.$inferSelect;
export type SanctionsRescreen = typeof sanctionsRescreens.$inferSelect;
export type SanctionsHit = typeof sanctionsHits.$inferSelect;
export const rescreenScopes = rescreenScope.enumValues;
