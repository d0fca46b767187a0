CREATE TABLE "model_monitoring_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"model_version" text NOT NULL,
	"window_from" timestamp with time zone NOT NULL,
	"window_to" timestamp with time zone NOT NULL,
	"flag" text,
	"figures" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_monitoring_runs_seq_unique" UNIQUE("seq")
);
--> statement-breakpoint
CREATE TABLE "adverse_action_notices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"user_id" uuid NOT NULL,
	"source" text NOT NULL,
	"loan_id" uuid,
	"refusal_id" uuid,
	"body" jsonb NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	CONSTRAINT "adverse_action_notices_seq_unique" UNIQUE("seq"),
	CONSTRAINT "adverse_action_notices_loan_id_unique" UNIQUE("loan_id"),
	CONSTRAINT "adverse_action_notices_refusal_id_unique" UNIQUE("refusal_id")
);
--> statement-breakpoint
ALTER TABLE "adverse_action_notices" ADD CONSTRAINT "adverse_action_notices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "adverse_action_notices" ADD CONSTRAINT "adverse_action_notices_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "adverse_action_notices" ADD CONSTRAINT "adverse_action_notices_refusal_id_loan_refusals_id_fk" FOREIGN KEY ("refusal_id") REFERENCES "public"."loan_refusals"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "model_monitoring_runs_window_idx" ON "model_monitoring_runs" USING btree ("window_to");--> statement-breakpoint
CREATE INDEX "adverse_action_notices_user_idx" ON "adverse_action_notices" USING btree ("user_id","seq");