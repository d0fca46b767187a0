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

const metricsSchema = z.object({ rows: z.number().int(), auc: z.number(), gini: z.number(), ks: z.number() });

const reasonCodeSchema = z.object({ code: z.string(), description: z.string() });

export const modelCardSchema = z.object({
  engine: z.enum(["model", "rules"]).meta({ description: "The engine scoring on this server" }),
  version: z.string().meta({ description: "modelVersion of the scores this server calculates" }),
  engineReason: z.string(),
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
      scaling: z.object({
        pdo: z.number(),
        baseScore: z.number(),
        baseOdds: z.number(),
        minScore: z.number(),
        maxScore: z.number(),
      }),
      metrics: z.object({ train: metricsSchema, holdout: metricsSchema }),
      provenance: z.object({
        name: z.string(),
        publisher: z.string(),
        year: z.number().int(),
        url: z.string(),
        terms: z.string(),
        sha256: z.string(),
        rows: z.number().int(),
        trainRows: z.number().int(),
        holdoutRows: z.number().int(),
      }),
      fairLending: z.object({
        rule: z.string(),
        ageScored: z.boolean(),
        agePointsFrom62: z.number().int().nullable(),
        maxAgePointsOtherwise: z.number().int().nullable(),
      }),
      reasonCodes: z.array(reasonCodeSchema),
    })
    .nullable()
    .meta({ description: "The loaded scorecard; null when none is installed" }),
  rules: z.object({
    version: z.string(),
    weights: z.record(z.string(), z.number()),
    reasonCodes: z.array(reasonCodeSchema),
  }),
});
export type ModelCard = z.infer<typeof modelCardSchema>;
