import { z } from "zod";
import { holdoutDetailSchema, plattCalibrationSchema } from "../calibration.ts";
import { SCORE_MAX, SCORE_MIN } from "../inputs.ts";
import { checkAgeRule, ELDERLY_AGE } from "./fair-lending.ts";
import { FEATURE_IDS } from "./features.ts";

export const SCORECARD_FORMAT = "blockscore.scorecard/1";

const count = z.number().int().min(0);
const discriminationSchema = z.object({
  rows: count,
  auc: z.number().min(0).max(1),
  gini: z.number().min(-1).max(1),
  ks: z.number().min(0).max(1),
  /** Brier score of the calibrated probability; absent in artifacts trained before calibration existed. */
  brier: z.number().min(0).max(1).optional(),
});

export const scorecardBinSchema = z.object({
  label: z.string(),
  /** Inclusive lower bound; null for the first bin. */
  lower: z.number().nullable(),
  /** Exclusive upper bound; null for the last bin. */
  upper: z.number().nullable(),
  count,
  bad: count,
  badRate: z.number().min(0).max(1),
  woe: z.number(),
  points: z.number().int(),
});

export const scorecardMissingBinSchema = z.object({
  count,
  bad: count,
  badRate: z.number().min(0).max(1).nullable(),
  /**
   * True when the training data had enough missing values to learn their own WoE (capped at
   * `method.binning.maxMissingWoe`); false when the bin takes the feature's worst WoE.
   */
  learnt: z.boolean(),
  woe: z.number(),
  points: z.number().int(),
});

export const scorecardFeatureSchema = z
  .object({
    id: z.enum(FEATURE_IDS),
    label: z.string(),
    inputs: z.array(z.string()).min(1),
    riskDirection: z.enum(["increasing", "decreasing"]),
    informationValue: z.number(),
    /** Coefficient of the feature's WoE in logit P(bad); negative, as a safer bin must score higher. */
    coefficient: z.number().negative(),
    bins: z.array(scorecardBinSchema).min(1),
    missing: scorecardMissingBinSchema,
  })
  .superRefine((feature, ctx) => {
    const { bins } = feature;
    const contiguous =
      bins[0]?.lower === null &&
      bins[bins.length - 1]?.upper === null &&
      bins.every((bin, i) => i === 0 || (bins[i - 1]?.upper === bin.lower && bin.lower !== null));
    if (!contiguous)
      ctx.addIssue({ code: "custom", message: `${feature.id}: bins must tile the number line` });
  });

/** What a model was trained on; shared by the scorecard and the trees. */
export const datasetSchema = z.object({
  name: z.string(),
  publisher: z.string(),
  year: z.number().int(),
  url: z.string(),
  terms: z.string(),
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: count,
  rows: count,
  bad: count,
  trainRows: count,
  holdoutRows: count,
  quirks: z.record(z.string(), z.string()),
});
export type DatasetDescription = z.infer<typeof datasetSchema>;

export const scorecardArtifactSchema = z
  .object({
    format: z.literal(SCORECARD_FORMAT),
    version: z.string().regex(/^scorecard-[0-9A-Za-z.-]+$/),
    description: z.string(),
    dataset: datasetSchema,
    method: z.object({
      split: z.object({ seed: z.number().int(), trainShare: z.number(), stratified: z.literal(true) }),
      binning: z.object({
        fineShare: z.number(),
        minShare: z.number(),
        minBad: count,
        minGood: count,
        maxBins: count,
        minMissingCount: count,
        maxMissingWoe: z.number(),
        monotone: z.literal(true),
      }),
      woeSmoothing: z.number(),
      minInformationValue: z.number(),
      regression: z.object({ algorithm: z.string(), iterations: count, ridge: z.number() }),
    }),
    scaling: z.object({
      pdo: z.number().positive(),
      baseScore: z.number(),
      baseOdds: z.number().positive(),
      factor: z.number(),
      offset: z.number(),
      minScore: z.literal(SCORE_MIN),
      maxScore: z.literal(SCORE_MAX),
    }),
    intercept: z.number(),
    features: z.array(scorecardFeatureSchema).min(1),
    excludedFeatures: z.array(z.object({ id: z.enum(FEATURE_IDS), reason: z.string() })),
    /** Probability of default per score, fitted on the training part; absent in older artifacts. */
    calibration: plattCalibrationSchema.optional(),
    metrics: z.object({
      train: discriminationSchema,
      holdout: discriminationSchema,
      holdoutDetail: holdoutDetailSchema.optional(),
    }),
    fairLending: z.object({
      rule: z.string(),
      ageScored: z.boolean(),
      agePointsFrom62: z.number().int().nullable(),
      maxAgePointsOtherwise: z.number().int().nullable(),
    }),
  })
  .superRefine((artifact, ctx) => {
    const ids = artifact.features.map((feature) => feature.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: "custom", message: "duplicate feature" });
    const age = artifact.features.find((feature) => feature.id === "age");
    if (age && !checkAgeRule(age.bins, age.missing.points).satisfied) {
      ctx.addIssue({
        code: "custom",
        path: ["features"],
        message: `age is scored but applicants aged ${ELDERLY_AGE}+ do not get the most points for age (Regulation B)`,
      });
    }
  });

export type ScorecardArtifact = z.infer<typeof scorecardArtifactSchema>;
export type ScorecardFeature = z.infer<typeof scorecardFeatureSchema>;
export type ScorecardBin = z.infer<typeof scorecardBinSchema>;

/** The artifact exactly as committed: pretty-printed JSON with a final newline. */
export function serializeScorecard(artifact: ScorecardArtifact): string {
  return `${JSON.stringify(artifact, null, 2)}\n`;
}
