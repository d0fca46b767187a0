import { z } from "zod";
import { financialProfileInputSchema } from "../profile/schemas";
import { scoreInputsSchema, scoreResultSchema } from "./inputs";

/** A score as the API returns it: the engine's result and when it was calculated. */
export const simulatedScoreSchema = scoreResultSchema.extend({
  missingInputs: z.array(z.string()).meta({
    description: "Inputs the engine uses that were unknown, scored as the engine treats a missing value",
  }),
  calculatedAt: z.date(),
});
export type SimulatedScore = z.infer<typeof simulatedScoreSchema>;

/** A stored calculation. */
export const calculatedScoreSchema = simulatedScoreSchema.extend({ id: z.uuid() });
export type CalculatedScore = z.infer<typeof calculatedScoreSchema>;

/** A stored calculation with the inputs it scored. */
export const scoreRecordSchema = calculatedScoreSchema.extend({
  inputs: scoreInputsSchema.meta({ description: "The exact inputs scored, in the engines' units" }),
});
export type ScoreRecord = z.infer<typeof scoreRecordSchema>;

export const scoreHistorySchema = z.object({
  items: z.array(scoreRecordSchema),
  nextCursor: z
    .string()
    .nullable()
    .meta({ description: "Pass as `cursor` for the next page; null on the last" }),
});
export type ScoreHistory = z.infer<typeof scoreHistorySchema>;

const ownerOrSubject = z
  .uuid({ error: "userId must be a user id" })
  .optional()
  .meta({ description: "Whose scores to read; only underwriters and admins may name another user" });

export const scoreHistoryInputSchema = z.object({
  userId: ownerOrSubject,
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const latestScoreInputSchema = z.object({ userId: ownerOrSubject });

/**
 * A hypothetical profile: the financial profile's scoring fields, in its names and formats, every one
 * optional (omitted means unknown, like null). The wallet's on-chain figures may be supposed too.
 */
export const simulateInputSchema = financialProfileInputSchema
  .pick({
    dateOfBirth: true,
    dependants: true,
    annualIncome: true,
    monthlyDebtPayments: true,
    openCreditLines: true,
    realEstateLoans: true,
    revolvingUtilizationPercent: true,
    pastDue30to59: true,
    pastDue60to89: true,
    pastDue90Plus: true,
    creditHistoryYears: true,
    recentInquiries: true,
  })
  .extend({
    walletAgeDays: z.number().int().min(0).max(100_000).nullable(),
    walletTxCount: z.number().int().min(0).max(100_000_000).nullable(),
  })
  .partial();
export type SimulateInput = z.infer<typeof simulateInputSchema>;

const binSchema = z.object({
  label: z.string(),
  lower: z.number().nullable(),
  upper: z.number().nullable(),
  points: z.number().int(),
});

const metricsSchema = z.object({
  rows: z.number().int(),
  auc: z.number(),
  gini: z.number(),
  ks: z.number(),
  brier: z.number().optional().meta({ description: "Brier score of the calibrated probability of default" }),
});

const reasonCodeSchema = z.object({ code: z.string(), description: z.string() });

const provenanceSchema = z.object({
  name: z.string(),
  publisher: z.string(),
  year: z.number().int(),
  url: z.string(),
  terms: z.string(),
  sha256: z.string(),
  rows: z.number().int(),
  trainRows: z.number().int(),
  holdoutRows: z.number().int(),
  quirks: z
    .record(z.string(), z.string())
    .meta({ description: "The data's quirks and how training met each" }),
});

const scalingSchema = z.object({
  pdo: z.number(),
  baseScore: z.number(),
  baseOdds: z.number(),
  minScore: z.number(),
  maxScore: z.number(),
});

const calibrationSchema = z.object({
  method: z.literal("platt"),
  fittedOn: z.string(),
  holdout: z
    .array(
      z.object({
        scoreFrom: z.number().int(),
        scoreTo: z.number().int(),
        rows: z.number().int(),
        bad: z.number().int(),
        predicted: z.number(),
        observed: z.number(),
      }),
    )
    .meta({
      description:
        "Ten buckets of holdout scores: mean predicted probability of default against the observed rate",
    }),
});

const boostedModelSchema = z.object({
  version: z.string(),
  description: z.string(),
  features: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      inputs: z.array(z.string()),
      profileFields: z.array(z.string()),
      direction: z
        .enum(["nonIncreasing", "nonDecreasing", "free"])
        .meta({ description: "How the score must move as the value grows (a constraint the trees obey)" }),
      importance: z.number().meta({ description: "Share of the trees' loss reduction from this feature" }),
      bins: z
        .array(
          z.object({
            label: z.string(),
            lower: z.number().nullable(),
            upper: z.number().nullable(),
            share: z.number(),
            badRate: z.number(),
            points: z.number(),
          }),
        )
        .meta({ description: "Training share, bad rate and mean points (TreeSHAP) of each range of values" }),
      missing: z.object({ share: z.number(), badRate: z.number().nullable(), points: z.number().nullable() }),
    }),
  ),
  trees: z.object({
    count: z.number().int(),
    maxDepth: z.number().int(),
    learningRate: z.number(),
    lambda: z.number(),
    minChildRows: z.number().int(),
    earlyStoppingRounds: z.number().int(),
    treesGrown: z.number().int(),
    tuning: z.string(),
  }),
  scaling: scalingSchema,
  referenceScore: z
    .number()
    .int()
    .meta({ description: "The reference applicant's score: reasons are the points lost against it" }),
  metrics: z.object({ train: metricsSchema, validation: metricsSchema, holdout: metricsSchema }),
  calibration: calibrationSchema,
  roc: z
    .array(z.tuple([z.number(), z.number()]))
    .meta({ description: "Holdout ROC curve: [false-positive rate, true-positive rate]" }),
  scoreDistribution: z.object({
    bounds: z.array(z.number().int()),
    counts: z.array(z.number().int()),
    shares: z.array(z.number()),
  }),
  provenance: provenanceSchema,
  fairLending: z.object({
    rule: z.string(),
    ageScored: z.boolean(),
    monotoneInAge: z.boolean(),
    missingAgeScoredAsYoungest: z.boolean(),
  }),
  reasonCodes: z.array(reasonCodeSchema),
});

export const modelCardSchema = z.object({
  engine: z.enum(["model", "scorecard", "rules"]).meta({ description: "The engine scoring on this server" }),
  version: z.string().meta({ description: "modelVersion of the scores this server calculates" }),
  engineReason: z.string(),
  model: boostedModelSchema
    .nullable()
    .meta({ description: "The boosted trees, when they are the engine in use; null otherwise" }),
  scorecard: z
    .object({
      version: z.string(),
      description: z.string(),
      features: z.array(
        z.object({
          id: z.string(),
          label: z.string(),
          inputs: z.array(z.string()),
          profileFields: z.array(z.string()),
          informationValue: z.number(),
          bins: z.array(binSchema),
          missingPoints: z.number().int(),
        }),
      ),
      excludedFeatures: z.array(z.object({ id: z.string(), reason: z.string() })),
      scaling: scalingSchema,
      metrics: z.object({ train: metricsSchema, holdout: metricsSchema }),
      calibration: calibrationSchema.nullable(),
      provenance: provenanceSchema,
      fairLending: z.object({
        rule: z.string(),
        ageScored: z.boolean(),
        agePointsFrom62: z.number().int().nullable(),
        maxAgePointsOtherwise: z.number().int().nullable(),
      }),
      reasonCodes: z.array(reasonCodeSchema),
    })
    .nullable()
    .meta({ description: "The scorecard, when it is the engine in use; null otherwise" }),
  rules: z.object({
    version: z.string(),
    weights: z.record(z.string(), z.number()),
    reasonCodes: z.array(reasonCodeSchema),
  }),
});
export type ModelCard = z.infer<typeof modelCardSchema>;
