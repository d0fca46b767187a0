import { z } from "zod";

/**
 * The inputs both engines score, one shared contract. `null` means "not known"; each engine
 * says how it treats a missing input and lists the ones it met in `ScoreResult.missingInputs`.
 */
export const scoreInputsSchema = z.object({
  age: z.number().int().min(18).max(120).nullable(),
  monthlyIncome: z.number().min(0).nullable(), // currency units per month
  monthlyDebtPayments: z.number().min(0).nullable(),
  revolvingUtilization: z.number().min(0).max(100).nullable(), // ratio: 0.35 means 35 %
  openCreditLines: z.number().int().min(0).nullable(),
  realEstateLoans: z.number().int().min(0).nullable(),
  dependants: z.number().int().min(0).nullable(),
  pastDue30to59: z.number().int().min(0).nullable(),
  pastDue60to89: z.number().int().min(0).nullable(),
  pastDue90Plus: z.number().int().min(0).nullable(),
  creditHistoryYears: z.number().min(0).nullable(),
  recentInquiries: z.number().int().min(0).nullable(),
  walletAgeDays: z.number().int().min(0).nullable(),
  walletTxCount: z.number().int().min(0).nullable(),
});
export type ScoreInputs = z.infer<typeof scoreInputsSchema>;
export type ScoreInputKey = keyof ScoreInputs;

export const SCORE_MIN = 300;
export const SCORE_MAX = 850;

export const scoreBandSchema = z.enum(["poor", "fair", "good", "very_good", "excellent"]);
export type ScoreBand = z.infer<typeof scoreBandSchema>;

export const reasonSchema = z.object({
  code: z.string().min(1),
  description: z.string().min(1),
  /** Points this factor cost against its best value; a positive integer. */
  impact: z.number().int().positive(),
});
export type Reason = z.infer<typeof reasonSchema>;

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

/** poor < 580 ≤ fair < 670 ≤ good < 740 ≤ very_good < 800 ≤ excellent. */
export function scoreBand(score: number): ScoreBand {
  if (score >= 800) return "excellent";
  if (score >= 740) return "very_good";
  if (score >= 670) return "good";
  if (score >= 580) return "fair";
  return "poor";
}

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
