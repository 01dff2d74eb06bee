ALTER TABLE "spend_logs" ADD COLUMN "messages" jsonb;--> statement-breakpoint
ALTER TABLE "spend_logs" ADD COLUMN "response" jsonb;