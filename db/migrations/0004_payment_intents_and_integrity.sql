CREATE TYPE "public"."payment_settlement_source" AS ENUM('provider', 'staff');--> statement-breakpoint
CREATE TYPE "public"."payment_status" AS ENUM('pending', 'settled', 'failed');--> statement-breakpoint
ALTER TYPE "public"."chain_tx_status" ADD VALUE 'superseded';--> statement-breakpoint
ALTER TYPE "public"."ledger_account" ADD VALUE 'overpayments';--> statement-breakpoint
CREATE TABLE "kyc_resubmissions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"legal_name" text NOT NULL,
	"date_of_birth" date NOT NULL,
	"country" text NOT NULL,
	"document_type" "kyc_document_type" NOT NULL,
	"document_number_last4" text NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "loan_refusals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"user_id" uuid NOT NULL,
	"code" text NOT NULL,
	"reason" text NOT NULL,
	"disclosed_code" text NOT NULL,
	"amount_cents" bigint NOT NULL,
	"term_months" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "loan_refusals_seq_unique" UNIQUE("seq")
);
--> statement-breakpoint
CREATE TABLE "payment_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"reference" text NOT NULL,
	"payment_id" uuid,
	"outcome" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"loan_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"amount_cents" bigint NOT NULL,
	"reference" text NOT NULL,
	"status" "payment_status" DEFAULT 'pending' NOT NULL,
	"idempotency_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"settled_at" timestamp with time zone,
	"settled_amount_cents" bigint,
	"settled_via" "payment_settlement_source",
	"settled_by" uuid,
	"settlement_note" text,
	"failed_at" timestamp with time zone,
	CONSTRAINT "payments_amount_positive" CHECK ("payments"."amount_cents" > 0),
	CONSTRAINT "payments_settled_amount_positive" CHECK ("payments"."settled_amount_cents" is null or "payments"."settled_amount_cents" > 0)
);
--> statement-breakpoint
ALTER TABLE "repayments" DROP CONSTRAINT "repayments_amount_split";--> statement-breakpoint
DROP INDEX "repayments_key_idx";--> statement-breakpoint
ALTER TABLE "money_movements" ADD COLUMN "seq" bigserial NOT NULL;--> statement-breakpoint
ALTER TABLE "repayments" ADD COLUMN "payment_id" uuid;--> statement-breakpoint
ALTER TABLE "repayments" ADD COLUMN "unallocated_cents" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "financial_profiles" ADD COLUMN "income_verified_cents" bigint;--> statement-breakpoint
ALTER TABLE "financial_profiles" ADD COLUMN "income_verified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "financial_profiles" ADD COLUMN "income_verified_by" uuid;--> statement-breakpoint
ALTER TABLE "kyc_resubmissions" ADD CONSTRAINT "kyc_resubmissions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kyc_resubmissions" ADD CONSTRAINT "kyc_resubmissions_application_id_kyc_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."kyc_applications"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_refusals" ADD CONSTRAINT "loan_refusals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_events" ADD CONSTRAINT "payment_events_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_settled_by_users_id_fk" FOREIGN KEY ("settled_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "kyc_resubmissions_user_idx" ON "kyc_resubmissions" USING btree ("user_id","submitted_at");--> statement-breakpoint
CREATE INDEX "loan_refusals_user_idx" ON "loan_refusals" USING btree ("user_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_reference_idx" ON "payments" USING btree ("reference");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_key_idx" ON "payments" USING btree ("loan_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "payments_loan_idx" ON "payments" USING btree ("loan_id","created_at");--> statement-breakpoint
ALTER TABLE "repayments" ADD CONSTRAINT "repayments_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "financial_profiles" ADD CONSTRAINT "financial_profiles_income_verified_by_users_id_fk" FOREIGN KEY ("income_verified_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "repayments_payment_idx" ON "repayments" USING btree ("payment_id");--> statement-breakpoint
ALTER TABLE "repayments" DROP COLUMN "idempotency_key";--> statement-breakpoint
ALTER TABLE "money_movements" ADD CONSTRAINT "money_movements_seq_unique" UNIQUE("seq");--> statement-breakpoint
ALTER TABLE "repayments" ADD CONSTRAINT "repayments_amount_split" CHECK ("repayments"."amount_cents" = "repayments"."principal_cents" + "repayments"."interest_cents" + "repayments"."unallocated_cents");