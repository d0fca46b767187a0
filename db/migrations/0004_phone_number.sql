ALTER TABLE "financial_profiles" ADD COLUMN "phone_number" text;--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "phone_number";