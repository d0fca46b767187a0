import { z } from "zod";
import type { Database } from "../db/client";
import type { CreditScore } from "../db/schema";
import { anchorConsentedScore } from "../server/chain/outbox";
import type { AppDeps } from "../server/context";
import { latestScore, noScore, scoreHistory, scoreSubject } from "../server/credit/history";
import {
  calculatedScoreSchema,
  latestScoreInputSchema,
  modelCardSchema,
  scoreHistoryInputSchema,
  scoreHistorySchema,
  scoreRecordSchema,
  simulatedScoreSchema,
  simulateInputSchema,
} from "../server/credit/schemas";
import { calculateScore, type ScoringDeps, simulateScore } from "../server/credit/scoring";
import { modelCard } from "../server/credit/scoring-model";
import { profileLimits } from "../server/profile/limits";
import { consume } from "../server/security/rate-limit";
import { protectedProcedure, publicProcedure, router } from "../server/trpc";

const tags = ["credit"];

const scoring = (ctx: AppDeps): ScoringDeps => ({
  scoring: ctx.scoring,
  limits: profileLimits(ctx.config),
  walletActivity: ctx.walletActivity,
  jobs: ctx.jobs,
});

export const creditRouter = router({
  calculateScore: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/credit/calculate-score",
        tags,
        summary: "Calculate and store the caller's credit score from their profile",
        description:
          "Capped per user per day (RATE_LIMIT_SCORE); 400 INSUFFICIENT_DATA names the profile fields to fill in.",
        protect: true,
      },
    })
    .input(z.void())
    .output(calculatedScoreSchema)
    .mutation(async ({ ctx }) => {
      await consume(ctx.limiters.score, ctx.user.id);
      const onStored = (tx: Database, stored: CreditScore) => anchorConsentedScore(ctx, tx, stored);
      return calculateScore(ctx.db, { ...scoring(ctx), onStored }, ctx.request, ctx.user.id);
    }),

  history: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/credit/history",
        tags,
        summary: "Stored credit scores, newest first",
        description: "Your own; underwriters and admins may pass another user's id.",
        protect: true,
      },
    })
    .input(scoreHistoryInputSchema)
    .output(scoreHistorySchema)
    .query(({ ctx, input }) =>
      scoreHistory(ctx.db, { ...input, userId: scoreSubject(ctx.user, input.userId) }),
    ),

  latest: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/credit/latest",
        tags,
        summary: "The newest stored credit score",
        description:
          "Your own; underwriters and admins may pass another user's id. 404 NO_SCORE before the first.",
        protect: true,
      },
    })
    .input(latestScoreInputSchema)
    .output(scoreRecordSchema)
    .query(async ({ ctx, input }) => {
      const userId = scoreSubject(ctx.user, input.userId);
      const latest = await latestScore(ctx.db, userId);
      if (!latest) throw noScore(userId === ctx.user.id);
      return latest;
    }),

  simulate: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/credit/simulate",
        tags,
        summary: "Score a hypothetical profile without storing anything",
        description: "Same fields and formats as the financial profile; an omitted field is unknown.",
        protect: true,
      },
    })
    .input(simulateInputSchema)
    .output(simulatedScoreSchema)
    .mutation(({ ctx, input }) => simulateScore(input, scoring(ctx))),

  model: publicProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/credit/model",
        tags,
        summary:
          "The model card: engine in use, version, features with their points, metrics, calibration, data provenance",
        protect: false,
      },
    })
    .input(z.void())
    .output(modelCardSchema)
    .query(({ ctx }) => modelCard(ctx.scoring)),
});
