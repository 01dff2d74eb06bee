DROP INDEX "spend_logs_key_idx";--> statement-breakpoint
DROP INDEX "spend_logs_team_idx";--> statement-breakpoint
DROP INDEX "spend_logs_user_idx";--> statement-breakpoint
CREATE INDEX "spend_logs_key_idx" ON "spend_logs" USING btree ("api_key","start_time") WHERE "spend_logs"."api_key" is not null;--> statement-breakpoint
CREATE INDEX "spend_logs_team_idx" ON "spend_logs" USING btree ("team_id","start_time") WHERE "spend_logs"."team_id" is not null;--> statement-breakpoint
CREATE INDEX "spend_logs_user_idx" ON "spend_logs" USING btree ("user_id","start_time") WHERE "spend_logs"."user_id" is not null;