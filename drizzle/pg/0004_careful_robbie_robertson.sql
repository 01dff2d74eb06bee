CREATE TABLE "budgets" (
	"budget_id" text PRIMARY KEY NOT NULL,
	"max_budget_nano" bigint,
	"soft_budget_nano" bigint,
	"max_parallel_requests" integer,
	"tpm_limit" integer,
	"rpm_limit" integer,
	"budget_duration" text,
	"budget_reset_at" timestamp with time zone,
	"model_max_budget" jsonb,
	"created_by" text,
	"updated_by" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "daily_end_user_spend" (
	"day" text NOT NULL,
	"end_user" text NOT NULL,
	"model_group" text NOT NULL,
	"spend_nano" bigint DEFAULT 0 NOT NULL,
	"prompt_tokens" bigint DEFAULT 0 NOT NULL,
	"completion_tokens" bigint DEFAULT 0 NOT NULL,
	"requests" bigint DEFAULT 0 NOT NULL,
	"successful_requests" bigint DEFAULT 0 NOT NULL,
	"failed_requests" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "daily_end_user_spend_day_end_user_model_group_pk" PRIMARY KEY("day","end_user","model_group")
);
--> statement-breakpoint
CREATE TABLE "daily_spend" (
	"day" text NOT NULL,
	"api_key" text NOT NULL,
	"user_id" text NOT NULL,
	"team_id" text NOT NULL,
	"model_group" text NOT NULL,
	"model" text NOT NULL,
	"provider" text NOT NULL,
	"spend_nano" bigint DEFAULT 0 NOT NULL,
	"prompt_tokens" bigint DEFAULT 0 NOT NULL,
	"completion_tokens" bigint DEFAULT 0 NOT NULL,
	"requests" bigint DEFAULT 0 NOT NULL,
	"successful_requests" bigint DEFAULT 0 NOT NULL,
	"failed_requests" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "daily_spend_day_api_key_user_id_team_id_model_group_model_provider_pk" PRIMARY KEY("day","api_key","user_id","team_id","model_group","model","provider")
);
--> statement-breakpoint
ALTER TABLE "end_users" ADD COLUMN "budget_id" text;--> statement-breakpoint
ALTER TABLE "end_users" ADD COLUMN "soft_budget_nano" bigint;--> statement-breakpoint
ALTER TABLE "end_users" ADD COLUMN "allowed_model_region" text;--> statement-breakpoint
ALTER TABLE "end_users" ADD COLUMN "default_model" text;--> statement-breakpoint
CREATE INDEX "daily_end_user_spend_user_idx" ON "daily_end_user_spend" USING btree ("end_user","day");--> statement-breakpoint
CREATE INDEX "daily_spend_user_idx" ON "daily_spend" USING btree ("user_id","day");--> statement-breakpoint
CREATE INDEX "daily_spend_team_idx" ON "daily_spend" USING btree ("team_id","day");