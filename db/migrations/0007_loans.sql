CREATE TYPE "public"."journal_entry_kind" AS ENUM('disbursement', 'repayment');--> statement-breakpoint
CREATE TYPE "public"."ledger_account" AS ENUM('cash', 'loans_receivable', 'interest_receivable', 'interest_income');--> statement-breakpoint
CREATE TYPE "public"."loan_instalment_state" AS ENUM('pending', 'paid', 'late', 'partially_paid');--> statement-breakpoint
CREATE TYPE "public"."loan_schedule_type" AS ENUM('equal_installments', 'equal_principal');--> statement-breakpoint
CREATE TYPE "public"."loan_status" AS ENUM('submitted', 'approved', 'rejected', 'withdrawn', 'disbursed', 'repaid', 'defaulted');--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"user_id" uuid NOT NULL,
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"response_status" integer,
	"response_body" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_user_id_scope_key_pk" PRIMARY KEY("user_id","scope","key")
);
--> statement-breakpoint
CREATE TABLE "journal_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"kind" "journal_entry_kind" NOT NULL,
	"loan_id" uuid NOT NULL,
	"repayment_id" uuid,
	"description" text NOT NULL,
	"posted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "journal_entries_seq_unique" UNIQUE("seq")
);
--> statement-breakpoint
CREATE TABLE "journal_lines" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"entry_id" uuid NOT NULL,
	"account" "ledger_account" NOT NULL,
	"debit_cents" bigint DEFAULT 0 NOT NULL,
	"credit_cents" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "journal_lines_one_sided" CHECK (("journal_lines"."debit_cents" > 0 and "journal_lines"."credit_cents" = 0) or ("journal_lines"."credit_cents" > 0 and "journal_lines"."debit_cents" = 0))
);
--> statement-breakpoint
CREATE TABLE "loan_instalments" (
	"loan_id" uuid NOT NULL,
	"n" integer NOT NULL,
	"due_date" date,
	"principal_cents" bigint NOT NULL,
	"interest_cents" bigint NOT NULL,
	"paid_principal_cents" bigint DEFAULT 0 NOT NULL,
	"paid_interest_cents" bigint DEFAULT 0 NOT NULL,
	"state" "loan_instalment_state" DEFAULT 'pending' NOT NULL,
	"paid_at" timestamp with time zone,
	"late_at" timestamp with time zone,
	CONSTRAINT "loan_instalments_loan_id_n_pk" PRIMARY KEY("loan_id","n"),
	CONSTRAINT "loan_instalments_paid_principal" CHECK ("loan_instalments"."paid_principal_cents" between 0 and "loan_instalments"."principal_cents"),
	CONSTRAINT "loan_instalments_paid_interest" CHECK ("loan_instalments"."paid_interest_cents" between 0 and "loan_instalments"."interest_cents")
);
--> statement-breakpoint
CREATE TABLE "loan_transitions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"loan_id" uuid NOT NULL,
	"from_status" "loan_status",
	"to_status" "loan_status" NOT NULL,
	"actor_id" uuid,
	"reason" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "loans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"status" "loan_status" DEFAULT 'submitted' NOT NULL,
	"amount_cents" bigint NOT NULL,
	"term_months" integer NOT NULL,
	"purpose" text NOT NULL,
	"schedule_type" "loan_schedule_type" NOT NULL,
	"apr_basis_points" integer NOT NULL,
	"monthly_payment_cents" bigint NOT NULL,
	"score_id" uuid,
	"score" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"approved_at" timestamp with time zone,
	"disbursed_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	CONSTRAINT "loans_amount_positive" CHECK ("loans"."amount_cents" > 0),
	CONSTRAINT "loans_term_positive" CHECK ("loans"."term_months" > 0),
	CONSTRAINT "loans_apr_non_negative" CHECK ("loans"."apr_basis_points" >= 0)
);
--> statement-breakpoint
CREATE TABLE "repayments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"loan_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"amount_cents" bigint NOT NULL,
	"principal_cents" bigint NOT NULL,
	"interest_cents" bigint NOT NULL,
	"allocations" jsonb NOT NULL,
	"idempotency_key" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "repayments_amount_split" CHECK ("repayments"."amount_cents" = "repayments"."principal_cents" + "repayments"."interest_cents"),
	CONSTRAINT "repayments_amount_positive" CHECK ("repayments"."amount_cents" > 0)
);
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_entries" ADD CONSTRAINT "journal_entries_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_entries" ADD CONSTRAINT "journal_entries_repayment_id_repayments_id_fk" FOREIGN KEY ("repayment_id") REFERENCES "public"."repayments"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_lines" ADD CONSTRAINT "journal_lines_entry_id_journal_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."journal_entries"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_instalments" ADD CONSTRAINT "loan_instalments_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_transitions" ADD CONSTRAINT "loan_transitions_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_transitions" ADD CONSTRAINT "loan_transitions_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loans" ADD CONSTRAINT "loans_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loans" ADD CONSTRAINT "loans_score_id_credit_scores_id_fk" FOREIGN KEY ("score_id") REFERENCES "public"."credit_scores"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repayments" ADD CONSTRAINT "repayments_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repayments" ADD CONSTRAINT "repayments_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "journal_entries_loan_idx" ON "journal_entries" USING btree ("loan_id");--> statement-breakpoint
CREATE UNIQUE INDEX "journal_entries_one_disbursement_idx" ON "journal_entries" USING btree ("loan_id") WHERE "journal_entries"."kind" = 'disbursement';--> statement-breakpoint
CREATE UNIQUE INDEX "journal_entries_repayment_idx" ON "journal_entries" USING btree ("repayment_id");--> statement-breakpoint
CREATE INDEX "journal_lines_entry_idx" ON "journal_lines" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "journal_lines_account_idx" ON "journal_lines" USING btree ("account");--> statement-breakpoint
CREATE INDEX "loan_instalments_due_idx" ON "loan_instalments" USING btree ("due_date");--> statement-breakpoint
CREATE INDEX "loan_transitions_loan_idx" ON "loan_transitions" USING btree ("loan_id","id");--> statement-breakpoint
CREATE INDEX "loans_user_idx" ON "loans" USING btree ("user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "loans_status_idx" ON "loans" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "repayments_key_idx" ON "repayments" USING btree ("loan_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "repayments_loan_idx" ON "repayments" USING btree ("loan_id","at");