CREATE TYPE "public"."otp_channel" AS ENUM('sms', 'email');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('user', 'underwriter', 'admin');--> statement-breakpoint
CREATE TYPE "public"."chain_tx_kind" AS ENUM('score_anchor', 'loan_status');--> statement-breakpoint
CREATE TYPE "public"."chain_tx_status" AS ENUM('queued', 'pending', 'confirmed', 'failed');--> statement-breakpoint
CREATE TYPE "public"."aml_alert_status" AS ENUM('open', 'closed');--> statement-breakpoint
CREATE TYPE "public"."aml_disposition" AS ENUM('false_positive', 'escalated', 'reported');--> statement-breakpoint
CREATE TYPE "public"."aml_rule" AS ENUM('large_amount', 'structuring', 'velocity', 'high_risk_country');--> statement-breakpoint
CREATE TYPE "public"."kyc_document_type" AS ENUM('passport', 'national_id', 'driving_licence');--> statement-breakpoint
CREATE TYPE "public"."kyc_status" AS ENUM('pending', 'verified', 'review', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."money_direction" AS ENUM('in', 'out');--> statement-breakpoint
CREATE TYPE "public"."money_movement_kind" AS ENUM('disbursement', 'repayment');--> statement-breakpoint
CREATE TYPE "public"."credit_score_band" AS ENUM('poor', 'fair', 'good', 'very_good', 'excellent');--> statement-breakpoint
CREATE TYPE "public"."credit_score_engine" AS ENUM('model', 'rules');--> statement-breakpoint
CREATE TYPE "public"."journal_entry_kind" AS ENUM('disbursement', 'repayment');--> statement-breakpoint
CREATE TYPE "public"."ledger_account" AS ENUM('cash', 'loans_receivable', 'interest_receivable', 'interest_income');--> statement-breakpoint
CREATE TYPE "public"."loan_instalment_state" AS ENUM('pending', 'paid', 'late', 'partially_paid');--> statement-breakpoint
CREATE TYPE "public"."loan_schedule_type" AS ENUM('equal_installments', 'equal_principal');--> statement-breakpoint
CREATE TYPE "public"."loan_status" AS ENUM('submitted', 'approved', 'rejected', 'withdrawn', 'disbursed', 'repaid', 'defaulted');--> statement-breakpoint
CREATE TYPE "public"."employment_status" AS ENUM('employed', 'self_employed', 'unemployed', 'retired', 'student');--> statement-breakpoint
CREATE TYPE "public"."housing_status" AS ENUM('own', 'mortgage', 'rent', 'family', 'other');--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"actor_id" uuid,
	"action" text NOT NULL,
	"subject_type" text,
	"subject_id" text,
	"ip" text,
	"request_id" text,
	"details" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "one_time_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"channel" "otp_channel" NOT NULL,
	"code_hash" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recovery_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"code_hash" text NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"secret_hash" text NOT NULL,
	"mfa_verified" boolean DEFAULT false NOT NULL,
	"ip" text,
	"user_agent" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" "user_role" DEFAULT 'user' NOT NULL,
	"mfa_enabled" boolean DEFAULT false NOT NULL,
	"totp_key" text,
	"totp_pending_key" text,
	"totp_last_step" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "chain_subjects" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"salt" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chain_transactions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"kind" "chain_tx_kind" NOT NULL,
	"reference_id" text NOT NULL,
	"user_id" uuid,
	"chain_key" text NOT NULL,
	"summary" jsonb NOT NULL,
	"status" "chain_tx_status" DEFAULT 'queued' NOT NULL,
	"tx_hash" text,
	"block_number" bigint,
	"gas_used" bigint,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chain_transactions_seq_unique" UNIQUE("seq")
);
--> statement-breakpoint
CREATE TABLE "score_anchors" (
	"score_id" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"salt" text NOT NULL,
	"record_hash" text NOT NULL,
	"score" integer NOT NULL,
	"model_version" text NOT NULL,
	"record" jsonb NOT NULL,
	"transaction_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "wallet_challenges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"nonce_hash" text NOT NULL,
	"message_hash" text NOT NULL,
	"address" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	CONSTRAINT "wallet_challenges_nonce_hash_unique" UNIQUE("nonce_hash")
);
--> statement-breakpoint
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
CREATE TABLE "financial_profiles" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"date_of_birth" date,
	"dependants" integer,
	"annual_income_cents" bigint,
	"monthly_debt_payments_cents" bigint,
	"employment_status" "employment_status",
	"employment_years" numeric(5, 2),
	"housing" "housing_status",
	"open_credit_lines" integer,
	"real_estate_loans" integer,
	"revolving_utilization_percent" numeric(7, 2),
	"past_due_30_59" integer,
	"past_due_60_89" integer,
	"past_due_90_plus" integer,
	"credit_history_years" numeric(5, 2),
	"recent_inquiries" integer,
	"wallet_address" text,
	"phone_number" text,
	"wallet_anchor_consent" boolean DEFAULT false NOT NULL,
	"wallet_linked_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "financial_profiles_wallet_address_unique" UNIQUE("wallet_address")
);
--> statement-breakpoint
ALTER TABLE "one_time_codes" ADD CONSTRAINT "one_time_codes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recovery_codes" ADD CONSTRAINT "recovery_codes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chain_subjects" ADD CONSTRAINT "chain_subjects_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chain_transactions" ADD CONSTRAINT "chain_transactions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_anchors" ADD CONSTRAINT "score_anchors_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_anchors" ADD CONSTRAINT "score_anchors_transaction_id_chain_transactions_id_fk" FOREIGN KEY ("transaction_id") REFERENCES "public"."chain_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallet_challenges" ADD CONSTRAINT "wallet_challenges_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "aml_alerts" ADD CONSTRAINT "aml_alerts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "aml_alerts" ADD CONSTRAINT "aml_alerts_closed_by_users_id_fk" FOREIGN KEY ("closed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kyc_applications" ADD CONSTRAINT "kyc_applications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kyc_applications" ADD CONSTRAINT "kyc_applications_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "money_movements" ADD CONSTRAINT "money_movements_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_scores" ADD CONSTRAINT "credit_scores_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
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
ALTER TABLE "financial_profiles" ADD CONSTRAINT "financial_profiles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor_id");--> statement-breakpoint
CREATE INDEX "audit_log_action_idx" ON "audit_log" USING btree ("action");--> statement-breakpoint
CREATE INDEX "audit_log_occurred_at_idx" ON "audit_log" USING btree ("occurred_at");--> statement-breakpoint
CREATE INDEX "one_time_codes_user_idx" ON "one_time_codes" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "recovery_codes_user_idx" ON "recovery_codes" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_user_id_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "chain_transactions_user_idx" ON "chain_transactions" USING btree ("user_id","seq");--> statement-breakpoint
CREATE INDEX "chain_transactions_key_idx" ON "chain_transactions" USING btree ("chain_key","seq");--> statement-breakpoint
CREATE INDEX "chain_transactions_reference_idx" ON "chain_transactions" USING btree ("kind","reference_id");--> statement-breakpoint
CREATE UNIQUE INDEX "score_anchors_record_hash_idx" ON "score_anchors" USING btree ("record_hash");--> statement-breakpoint
CREATE INDEX "score_anchors_user_idx" ON "score_anchors" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "wallet_challenges_user_idx" ON "wallet_challenges" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "aml_alerts_status_idx" ON "aml_alerts" USING btree ("status","seq");--> statement-breakpoint
CREATE INDEX "aml_alerts_user_idx" ON "aml_alerts" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "kyc_applications_user_idx" ON "kyc_applications" USING btree ("user_id","seq");--> statement-breakpoint
CREATE INDEX "kyc_applications_status_idx" ON "kyc_applications" USING btree ("status","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "kyc_applications_one_active_idx" ON "kyc_applications" USING btree ("user_id") WHERE "kyc_applications"."status" <> 'rejected';--> statement-breakpoint
CREATE INDEX "money_movements_user_time_idx" ON "money_movements" USING btree ("user_id","occurred_at");--> statement-breakpoint
CREATE INDEX "credit_scores_user_idx" ON "credit_scores" USING btree ("user_id","calculated_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
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