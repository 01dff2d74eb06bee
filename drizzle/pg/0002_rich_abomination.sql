DROP INDEX "keys_user_idx";--> statement-breakpoint
DROP INDEX "keys_team_idx";--> statement-breakpoint
DROP INDEX "keys_created_idx";--> statement-breakpoint
CREATE INDEX "keys_user_created_idx" ON "keys" USING btree ("user_id","created_at","token");--> statement-breakpoint
CREATE INDEX "keys_team_created_idx" ON "keys" USING btree ("team_id","created_at","token");--> statement-breakpoint
CREATE INDEX "keys_created_token_idx" ON "keys" USING btree ("created_at","token");