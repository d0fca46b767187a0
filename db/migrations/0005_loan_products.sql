CREATE TYPE "public"."loan_product_status" AS ENUM('active', 'retired');--> statement-breakpoint
ALTER TYPE "public"."journal_entry_kind" ADD VALUE 'late_fee';--> statement-breakpoint
ALTER TYPE "public"."ledger_account" ADD VALUE 'fees_receivable';--> statement-breakpoint
ALTER TYPE "public"."ledger_account" ADD VALUE 'fee_income';--> statement-breakpoint
CREATE TABLE "loan_product_versions" (
	"product_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"min_amount_cents" bigint NOT NULL,
	"max_amount_cents" bigint NOT NULL,
	"min_term_months" integer NOT NULL,
	"max_term_months" integer NOT NULL,
	"schedule_type" text NOT NULL,
	"score_floor" integer NOT NULL,
	"max_dti_basis_points" integer NOT NULL,
	"grace_days" integer NOT NULL,
	"origination_fee_basis_points" integer NOT NULL,
	"origination_fee_fixed_cents" bigint NOT NULL,
	"origination_fee_financed" boolean NOT NULL,
	"late_fee_fixed_cents" bigint NOT NULL,
	"late_fee_basis_points" integer NOT NULL,
	"late_fee_cap_cents" bigint,
	"pricing" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "loan_product_versions_product_id_version_pk" PRIMARY KEY("product_id","version"),
	CONSTRAINT "loan_product_versions_schedule_type" CHECK ("loan_product_versions"."schedule_type" in ('equal_installments', 'equal_principal')),
	CONSTRAINT "loan_product_versions_amounts" CHECK ("loan_product_versions"."min_amount_cents" > 0 and "loan_product_versions"."min_amount_cents" <= "loan_product_versions"."max_amount_cents"),
	CONSTRAINT "loan_product_versions_terms" CHECK ("loan_product_versions"."min_term_months" > 0 and "loan_product_versions"."min_term_months" <= "loan_product_versions"."max_term_months"),
	CONSTRAINT "loan_product_versions_fees" CHECK ("loan_product_versions"."origination_fee_basis_points" >= 0 and "loan_product_versions"."origination_fee_fixed_cents" >= 0 and "loan_product_versions"."late_fee_fixed_cents" >= 0 and "loan_product_versions"."late_fee_basis_points" >= 0 and coalesce("loan_product_versions"."late_fee_cap_cents", 0) >= 0)
);
--> statement-breakpoint
CREATE TABLE "loan_products" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"status" "loan_product_status" DEFAULT 'active' NOT NULL,
	"current_version" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "journal_entries" ADD COLUMN "instalment_n" integer;--> statement-breakpoint
ALTER TABLE "loans" ADD COLUMN "product_id" uuid;--> statement-breakpoint
ALTER TABLE "loans" ADD COLUMN "product_version" integer;--> statement-breakpoint
ALTER TABLE "loans" ADD COLUMN "origination_fee_cents" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "loans" ADD COLUMN "origination_fee_financed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "loan_product_versions" ADD CONSTRAINT "loan_product_versions_product_id_loan_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."loan_products"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_product_versions" ADD CONSTRAINT "loan_product_versions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "loan_products_one_default_idx" ON "loan_products" USING btree ("is_default") WHERE "loan_products"."is_default";--> statement-breakpoint
ALTER TABLE "loans" ADD CONSTRAINT "loans_product_version_fk" FOREIGN KEY ("product_id","product_version") REFERENCES "public"."loan_product_versions"("product_id","version") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "journal_entries_one_late_fee_idx" ON "journal_entries" USING btree ("loan_id","instalment_n");--> statement-breakpoint
ALTER TABLE "loans" ADD CONSTRAINT "loans_origination_fee_non_negative" CHECK ("loans"."origination_fee_cents" >= 0);