import { z } from "zod";
import { type Reason, reasonSchema, type ScoreInputs, scoreInputsSchema } from "../../db/schema/score-values";

// The stored shapes live beside the schema that stores them; they are the credit domain's contract too.
export { type Reason, reasonSchema, type ScoreInputs, scoreInputsSchema };

import { scoreBandSchema } from "../score-bands";
export type ScoreInputKey = keyof ScoreInputs;

export const SCORE_MIN = 300;
export const SCORE_MAX = 850;

/** `model`: the boosted trees; `scorecard`: the points scorecard; `rules`: the fallback on classic factor weights. */
export const scoreEngineSchema = z.enum(["model", "scorecard", "rules"]);
export type ScoreEngine = z.infer<typeof scoreEngineSchema>;

export const scoreResultSchema = z.object({
  score: z.number().int().min(SCORE_MIN).max(SCORE_MAX),
  band: scoreBandSchema,
  /**
   * Calibrated probability of 90+ days delinquency within two years for this score; null from the rules
   * engine, which is not fitted to outcomes.
   */
  probabilityOfDefault: z.number().min(0).max(1).nullable(),
  engine: scoreEngineSchema,
  modelVersion: z.string().min(1),
  /** At most four, the factors that cost the most points first; never a protected characteristic. */
  reasons: z.array(reasonSchema).max(4),
  /** Inputs the engine uses that were not supplied, in contract order. */
  missingInputs: z.array(z.string()),
});
export type ScoreResult = z.infer<typeof scoreResultSchema>;

/**
 * Inputs without which no score is given. The payment-history counters and revolving utilisation carry
 * most of what either engine knows (65 % of the rules engine's weight; the highest information values in
 * the scorecard), and neither engine has a fair way to score them unknown: the scorecard never saw
 * utilisation missing, and its only "unknown past-due" group is the data's sentinel code, whose bad rate
 * is 55 %, so scoring an omitted counter there would be a penalty, not a neutral guess. Every other input
 * may be missing and is scored the way the engine says.
 */
export const REQUIRED_INPUTS = [
  "pastDue30to59",
  "pastDue60to89",
  "pastDue90Plus",
  "revolvingUtilization",
] as const satisfies readonly ScoreInputKey[];
export type RequiredInput = (typeof REQUIRED_INPUTS)[number];

/** The essential inputs that are missing; an empty array means there is enough data to score. */
export function requiredInputs(inputs: ScoreInputs): RequiredInput[] {
  return REQUIRED_INPUTS.filter((key) => inputs[key] === null);
}
