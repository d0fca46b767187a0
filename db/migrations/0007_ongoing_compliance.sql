CREATE TYPE "public"."case_kind" AS ENUM('sanctions', 'aml');--> statement-breakpoint
CREATE TYPE "public"."case_status" AS ENUM('open', 'investigating', 'closed', 'reported');--> statement-breakpoint
CREATE TYPE "public"."sanctions_rescreen_scope" AS ENUM('changes', 'full');--> statement-breakpoint
CREATE TYPE "public"."sanctions_rescreen_status" AS ENUM('queued', 'running', 'done', 'failed');--> statement-breakpoint
CREATE TYPE "public"."sanctions_fetch_outcome" AS ENUM('updated', 'unchanged', 'not_modified', 'failed');--> statement-breakpoint
CREATE TABLE "case_alerts" (
	"case_id" uuid NOT NULL,
	"alert_id" uuid NOT NULL,
	CONSTRAINT "case_alerts_case_id_alert_id_pk" PRIMARY KEY("case_id","alert_id"),
	CONSTRAINT "case_alerts_alert_id_unique" UNIQUE("alert_id")
);
--> statement-breakpoint
CREATE TABLE "case_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"author_id" uuid,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "compliance_cases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" "case_kind" NOT NULL,
	"status" "case_status" DEFAULT 'open' NOT NULL,
	"assignee_id" uuid,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" uuid,
	"close_reason" text,
	"sar" jsonb,
	CONSTRAINT "compliance_cases_seq_unique" UNIQUE("seq"),
	CONSTRAINT "compliance_cases_decision" CHECK (("compliance_cases"."status" in ('closed', 'reported')) = ("compliance_cases"."decided_at" is not null))
);
--> statement-breakpoint
CREATE TABLE "sanctions_hits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"entry_id" integer NOT NULL,
	"entry_name" text NOT NULL,
	"programs" jsonb NOT NULL,
	"matched_name" text NOT NULL,
	"screened_name" text NOT NULL,
	"score" real NOT NULL,
	"dob_match" boolean NOT NULL,
	"version_id" integer NOT NULL,
	"rescreen_id" uuid,
	"case_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sanctions_list_entries" (
	"version_id" integer NOT NULL,
	"entry_id" integer NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"programs" jsonb NOT NULL,
	"aliases" jsonb NOT NULL,
	"dates_of_birth" jsonb NOT NULL,
	"remarks" text,
	"digest" text NOT NULL,
	CONSTRAINT "sanctions_list_entries_version_id_entry_id_pk" PRIMARY KEY("version_id","entry_id")
);
--> statement-breakpoint
CREATE TABLE "sanctions_list_fetches" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"trigger" text NOT NULL,
	"source" text NOT NULL,
	"outcome" "sanctions_fetch_outcome" NOT NULL,
	"version_id" integer,
	"error" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sanctions_list_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"version_id" integer NOT NULL,
	"generation" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sanctions_list_versions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sanctions_list_versions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"source" text NOT NULL,
	"checksum" text NOT NULL,
	"entry_count" integer NOT NULL,
	"skipped_rows" integer NOT NULL,
	"added" integer NOT NULL,
	"changed" integer NOT NULL,
	"removed" integer NOT NULL,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sanctions_rescreens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"version_id" integer NOT NULL,
	"scope" "sanctions_rescreen_scope" NOT NULL,
	"entry_ids" jsonb,
	"status" "sanctions_rescreen_status" DEFAULT 'queued' NOT NULL,
	"screened" integer DEFAULT 0 NOT NULL,
	"hits" integer DEFAULT 0 NOT NULL,
	"cursor" uuid,
	"job_id" text,
	"requested_by" uuid,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sanctions_sources" (
	"url" text PRIMARY KEY NOT NULL,
	"etag" text,
	"last_modified" text,
	"body" text NOT NULL,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "case_alerts" ADD CONSTRAINT "case_alerts_case_id_compliance_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."compliance_cases"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_alerts" ADD CONSTRAINT "case_alerts_alert_id_aml_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."aml_alerts"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_notes" ADD CONSTRAINT "case_notes_case_id_compliance_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."compliance_cases"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_notes" ADD CONSTRAINT "case_notes_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_cases" ADD CONSTRAINT "compliance_cases_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_cases" ADD CONSTRAINT "compliance_cases_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_cases" ADD CONSTRAINT "compliance_cases_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sanctions_hits" ADD CONSTRAINT "sanctions_hits_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sanctions_hits" ADD CONSTRAINT "sanctions_hits_version_id_sanctions_list_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."sanctions_list_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sanctions_hits" ADD CONSTRAINT "sanctions_hits_rescreen_id_sanctions_rescreens_id_fk" FOREIGN KEY ("rescreen_id") REFERENCES "public"."sanctions_rescreens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sanctions_hits" ADD CONSTRAINT "sanctions_hits_case_id_compliance_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."compliance_cases"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sanctions_list_entries" ADD CONSTRAINT "sanctions_list_entries_version_id_sanctions_list_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."sanctions_list_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sanctions_list_fetches" ADD CONSTRAINT "sanctions_list_fetches_version_id_sanctions_list_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."sanctions_list_versions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sanctions_list_head" ADD CONSTRAINT "sanctions_list_head_version_id_sanctions_list_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."sanctions_list_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sanctions_rescreens" ADD CONSTRAINT "sanctions_rescreens_version_id_sanctions_list_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."sanctions_list_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sanctions_rescreens" ADD CONSTRAINT "sanctions_rescreens_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_notes_case_idx" ON "case_notes" USING btree ("case_id","created_at");--> statement-breakpoint
CREATE INDEX "compliance_cases_status_idx" ON "compliance_cases" USING btree ("status","seq");--> statement-breakpoint
CREATE INDEX "compliance_cases_user_idx" ON "compliance_cases" USING btree ("user_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "sanctions_hits_user_entry_idx" ON "sanctions_hits" USING btree ("user_id","entry_id");--> statement-breakpoint
CREATE INDEX "sanctions_hits_case_idx" ON "sanctions_hits" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "sanctions_list_fetches_at_idx" ON "sanctions_list_fetches" USING btree ("at");