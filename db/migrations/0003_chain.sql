CREATE TYPE "public"."chain_tx_kind" AS ENUM('score_anchor', 'loan_status');--> statement-breakpoint
CREATE TYPE "public"."chain_tx_status" AS ENUM('queued', 'pending', 'confirmed', 'failed');--> statement-breakpoint
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
ALTER TABLE "financial_profiles" ADD COLUMN "wallet_anchor_consent" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "financial_profiles" ADD COLUMN "wallet_linked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "chain_subjects" ADD CONSTRAINT "chain_subjects_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chain_transactions" ADD CONSTRAINT "chain_transactions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_anchors" ADD CONSTRAINT "score_anchors_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_anchors" ADD CONSTRAINT "score_anchors_transaction_id_chain_transactions_id_fk" FOREIGN KEY ("transaction_id") REFERENCES "public"."chain_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallet_challenges" ADD CONSTRAINT "wallet_challenges_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chain_transactions_user_idx" ON "chain_transactions" USING btree ("user_id","seq");--> statement-breakpoint
CREATE INDEX "chain_transactions_key_idx" ON "chain_transactions" USING btree ("chain_key","seq");--> statement-breakpoint
CREATE INDEX "chain_transactions_reference_idx" ON "chain_transactions" USING btree ("kind","reference_id");--> statement-breakpoint
CREATE UNIQUE INDEX "score_anchors_record_hash_idx" ON "score_anchors" USING btree ("record_hash");--> statement-breakpoint
CREATE INDEX "score_anchors_user_idx" ON "score_anchors" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "wallet_challenges_user_idx" ON "wallet_challenges" USING btree ("user_id");