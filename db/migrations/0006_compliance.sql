CREATE TYPE "public"."aml_alert_status" AS ENUM('open', 'closed');--> statement-breakpoint
CREATE TYPE "public"."aml_disposition" AS ENUM('false_positive', 'escalated', 'reported');--> statement-breakpoint
CREATE TYPE "public"."aml_rule" AS ENUM('large_amount', 'structuring', 'velocity', 'high_risk_country');--> statement-breakpoint
CREATE TYPE "public"."kyc_document_type" AS ENUM('passport', 'national_id', 'driving_licence');--> statement-breakpoint
CREATE TYPE "public"."kyc_status" AS ENUM('pending', 'verified', 'review', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."money_direction" AS ENUM('in', 'out');--> statement-breakpoint
CREATE TYPE "public"."money_movement_kind" AS ENUM('disbursement', 'repayment');--> statement-breakpoint
CREATE TABLE "aml_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"user_id" uuid NOT NULL,
	"rule" "aml_rule" NOT NULL,
	"evidence" jsonb NOT NULL,
	"detail" text NOT NULL,
	"risk_score" integer NOT NULL,
	"status" "aml_alert_status" DEFAULT 'open' NOT NULL,
	"disposition" "aml_disposition",
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by" uuid,
	CONSTRAINT "aml_alerts_seq_unique" UNIQUE("seq")
);
--> statement-breakpoint
CREATE TABLE "kyc_applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"user_id" uuid NOT NULL,
	"legal_name" text NOT NULL,
	"date_of_birth" date NOT NULL,
	"country" text NOT NULL,
	"address" text NOT NULL,
	"document_type" "kyc_document_type" NOT NULL,
	"document_number_last4" text NOT NULL,
	"status" "kyc_status" NOT NULL,
	"checks" jsonb NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" uuid,
	"decision_reason" text,
	CONSTRAINT "kyc_applications_seq_unique" UNIQUE("seq")
);
--> statement-breakpoint
CREATE TABLE "money_movements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" "money_movement_kind" NOT NULL,
	"direction" "money_direction" NOT NULL,
	"amount_cents" bigint NOT NULL,
	"counterparty_country" text,
	"reference" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "money_movements_amount_positive" CHECK ("money_movements"."amount_cents" > 0)
);
--> statement-breakpoint
ALTER TABLE "aml_alerts" ADD CONSTRAINT "aml_alerts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "aml_alerts" ADD CONSTRAINT "aml_alerts_closed_by_users_id_fk" FOREIGN KEY ("closed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kyc_applications" ADD CONSTRAINT "kyc_applications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kyc_applications" ADD CONSTRAINT "kyc_applications_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "money_movements" ADD CONSTRAINT "money_movements_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "aml_alerts_status_idx" ON "aml_alerts" USING btree ("status","seq");--> statement-breakpoint
CREATE INDEX "aml_alerts_user_idx" ON "aml_alerts" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "kyc_applications_user_idx" ON "kyc_applications" USING btree ("user_id","seq");--> statement-breakpoint
CREATE INDEX "kyc_applications_status_idx" ON "kyc_applications" USING btree ("status","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "kyc_applications_one_active_idx" ON "kyc_applications" USING btree ("user_id") WHERE "kyc_applications"."status" <> 'rejected';--> statement-breakpoint
CREATE INDEX "money_movements_user_time_idx" ON "money_movements" USING btree ("user_id","occurred_at");