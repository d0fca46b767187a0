ALTER TYPE "public"."credit_score_engine" ADD VALUE 'scorecard';--> statement-breakpoint
ALTER TABLE "credit_scores" ADD COLUMN "probability_of_default" double precision;