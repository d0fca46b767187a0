CREATE TYPE "public"."credit_score_band" AS ENUM('poor', 'fair', 'good', 'very_good', 'excellent');--> statement-breakpoint
CREATE TYPE "public"."credit_score_engine" AS ENUM('model', 'rules');--> statement-breakpoint
CREATE TABLE "credit_scores" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"score" integer NOT NULL,
	"band" "credit_score_band" NOT NULL,
	"engine" "credit_score_engine" NOT NULL,
	"model_version" text NOT NULL,
	"reasons" jsonb NOT NULL,
	"inputs" jsonb NOT NULL,
	"missing_inputs" jsonb NOT NULL,
	"calculated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credit_scores" ADD CONSTRAINT "credit_scores_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credit_scores_user_idx" ON "credit_scores" USING btree ("user_id","calculated_at" DESC NULLS LAST,"id" DESC NULLS LAST);