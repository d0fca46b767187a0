import {
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth";
import type { Reason, ScoreInputs } from "./score-values";

export const creditScoreBand = pgEnum("credit_score_band", [
  "poor",
  "fair",
  "good",
  "very_good",
  "excellent",
]);
/** `model` rows before the boosted trees came from the scorecard: their `model_version` starts with `scorecard-`. */
export const creditScoreEngine = pgEnum("credit_score_engine", ["model", "rules", "scorecard"]);

/**
 * Every score calculated for a user, never updated: the engine and version that produced it, its reasons,
 * and the exact inputs it scored, so any stored score can be explained and recomputed later.
 */
export const creditScores = pgTable(
  "credit_scores",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    score: integer("score").notNull(),
    band: creditScoreBand("band").notNull(),
    /** Calibrated probability of default for the score; null from the rules engine and on older rows. */
    probabilityOfDefault: doublePrecision("probability_of_default"),
    engine: creditScoreEngine("engine").notNull(),
    modelVersion: text("model_version").notNull(),
    reasons: jsonb("reasons").$type<Reason[]>().notNull(),
    inputs: jsonb("inputs").$type<ScoreInputs>().notNull(),
    missingInputs: jsonb("missing_inputs").$type<string[]>().notNull(),
    calculatedAt: timestamp("calculated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("credit_scores_user_idx").on(table.userId, table.calculatedAt.desc(), table.id.desc())],
);

export type CreditScore = typeof creditScores.$inferSelect;
export type NewCreditScore = typeof creditScores.$inferInsert;
