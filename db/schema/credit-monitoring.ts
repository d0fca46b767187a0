import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** Worst flag of a monitoring run: PSI under 0.1 is stable, from 0.1 "watch", from 0.25 "act". */
export const monitoringFlags = ["stable", "watch", "act"] as const;

/**
 * One run of the model's stability monitoring (the weekly job): the window it compared with the training
 * population, the model it monitored, its worst flag and every figure it computed, kept as computed.
 */
export const modelMonitoringRuns = pgTable(
  "model_monitoring_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    seq: bigserial("seq", { mode: "number" }).notNull().unique(),
    modelVersion: text("model_version").notNull(),
    windowFrom: timestamp("window_from", { withTimezone: true }).notNull(),
    windowTo: timestamp("window_to", { withTimezone: true }).notNull(),
    /** Null when the window held no score to compare. */
    flag: text("flag", { enum: monitoringFlags }),
    figures: jsonb("figures").$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("model_monitoring_runs_window_idx").on(table.windowTo)],
);

export type ModelMonitoringRun = typeof modelMonitoringRuns.$inferSelect;
