CREATE TYPE "public"."payment_prepayment" AS ENUM('shorten_term', 'reduce_instalment');--> statement-breakpoint
CREATE TYPE "public"."restructure_status" AS ENUM('pending', 'applied', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."schedule_change_cause" AS ENUM('prepayment', 'restructure');--> statement-breakpoint
ALTER TYPE "public"."journal_entry_kind" ADD VALUE 'restructure';--> statement-breakpoint
ALTER TYPE "public"."journal_entry_kind" ADD VALUE 'write_off';--> statement-breakpoint
ALTER TYPE "public"."journal_entry_kind" ADD VALUE 'recovery';--> statement-breakpoint
ALTER TYPE "public"."ledger_account" ADD VALUE 'loan_losses';--> statement-breakpoint
ALTER TYPE "public"."loan_instalment_state" ADD VALUE 'restructured';--> statement-breakpoint
ALTER TYPE "public"."loan_status" ADD VALUE 'written_off';--> statement-breakpoint
CREATE TABLE "loan_restructures" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"loan_id" uuid NOT NULL,
	"status" "restructure_status" DEFAULT 'pending' NOT NULL,
	"effective_date" date NOT NULL,
	"term_months" integer,
	"apr_basis_points" integer,
	"capitalise_arrears" boolean NOT NULL,
	"reason" text NOT NULL,
	"proposed_by" uuid NOT NULL,
	"decided_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "loan_schedule_versions" (
	"loan_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"cause" "schedule_change_cause" NOT NULL,
	"payment_id" uuid,
	"restructure_id" uuid,
	"apr_basis_points" integer NOT NULL,
	"term_months" integer NOT NULL,
	"monthly_payment_cents" bigint NOT NULL,
	"instalments" jsonb NOT NULL,
	"replaced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "loan_schedule_versions_loan_id_version_pk" PRIMARY KEY("loan_id","version")
);
--> statement-breakpoint
ALTER TABLE "repayments" DROP CONSTRAINT "repayments_amount_split";--> statement-breakpoint
ALTER TABLE "loan_instalments" ADD COLUMN "accrual_start" date;--> statement-breakpoint
ALTER TABLE "loan_instalments" ADD COLUMN "accrued_before_cents" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "loans" ADD COLUMN "schedule_version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "repayments" ADD COLUMN "fees_cents" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "prepayment" "payment_prepayment";--> statement-breakpoint
ALTER TABLE "loan_restructures" ADD CONSTRAINT "loan_restructures_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_restructures" ADD CONSTRAINT "loan_restructures_proposed_by_users_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_restructures" ADD CONSTRAINT "loan_restructures_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_schedule_versions" ADD CONSTRAINT "loan_schedule_versions_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_schedule_versions" ADD CONSTRAINT "loan_schedule_versions_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "loan_restructures_loan_idx" ON "loan_restructures" USING btree ("loan_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "loan_restructures_one_pending_idx" ON "loan_restructures" USING btree ("loan_id") WHERE "loan_restructures"."status" = 'pending';--> statement-breakpoint
ALTER TABLE "repayments" ADD CONSTRAINT "repayments_amount_split" CHECK ("repayments"."amount_cents" = "repayments"."principal_cents" + "repayments"."interest_cents" + "repayments"."fees_cents" + "repayments"."unallocated_cents");