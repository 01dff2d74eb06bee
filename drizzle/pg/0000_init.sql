CREATE TABLE "end_users" (
	"user_id" text PRIMARY KEY NOT NULL,
	"alias" text,
	"blocked" boolean DEFAULT false NOT NULL,
	"max_budget_nano" bigint,
	"budget_duration" text,
	"budget_reset_at" timestamp with time zone,
	"tpm_limit" integer,
	"rpm_limit" integer,
	"spend_nano" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "key_grace_tokens" (
	"old_token" text PRIMARY KEY NOT NULL,
	"token" text NOT NULL,
	"valid_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "keys" (
	"token" text PRIMARY KEY NOT NULL,
	"key_name" text NOT NULL,
	"key_alias" text,
	"user_id" text,
	"team_id" text,
	"models" jsonb NOT NULL,
	"aliases" jsonb NOT NULL,
	"config" jsonb NOT NULL,
	"permissions" jsonb NOT NULL,
	"metadata" jsonb NOT NULL,
	"max_budget_nano" bigint,
	"soft_budget_nano" bigint,
	"budget_duration" text,
	"budget_reset_at" timestamp with time zone,
	"tpm_limit" integer,
	"rpm_limit" integer,
	"max_parallel_requests" integer,
	"model_rpm_limit" jsonb,
	"model_tpm_limit" jsonb,
	"allowed_routes" jsonb NOT NULL,
	"blocked" boolean DEFAULT false NOT NULL,
	"expires_at" timestamp with time zone,
	"spend_nano" bigint DEFAULT 0 NOT NULL,
	"created_by" text,
	"updated_by" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "models" (
	"model_id" text PRIMARY KEY NOT NULL,
	"model_name" text NOT NULL,
	"litellm_params" jsonb NOT NULL,
	"model_info" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "spend_logs" (
	"request_id" text PRIMARY KEY NOT NULL,
	"call_type" text NOT NULL,
	"api_key" text,
	"model" text NOT NULL,
	"model_group" text,
	"model_id" text,
	"provider" text,
	"api_base" text,
	"user_id" text,
	"team_id" text,
	"end_user" text,
	"prompt_tokens" integer DEFAULT 0 NOT NULL,
	"completion_tokens" integer DEFAULT 0 NOT NULL,
	"total_tokens" integer DEFAULT 0 NOT NULL,
	"spend_nano" bigint DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"request_tags" jsonb NOT NULL,
	"metadata" jsonb NOT NULL,
	"start_time" timestamp with time zone NOT NULL,
	"end_time" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "team_members" (
	"team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"max_budget_in_team_nano" bigint,
	"budget_duration" text,
	"budget_reset_at" timestamp with time zone,
	"tpm_limit" integer,
	"rpm_limit" integer,
	"spend_nano" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "team_members_team_id_user_id_pk" PRIMARY KEY("team_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"team_id" text PRIMARY KEY NOT NULL,
	"team_alias" text,
	"models" jsonb NOT NULL,
	"max_budget_nano" bigint,
	"soft_budget_nano" bigint,
	"budget_duration" text,
	"budget_reset_at" timestamp with time zone,
	"tpm_limit" integer,
	"rpm_limit" integer,
	"max_parallel_requests" integer,
	"model_aliases" jsonb NOT NULL,
	"model_rpm_limit" jsonb,
	"model_tpm_limit" jsonb,
	"team_member_permissions" jsonb,
	"metadata" jsonb NOT NULL,
	"blocked" boolean DEFAULT false NOT NULL,
	"spend_nano" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"user_id" text PRIMARY KEY NOT NULL,
	"user_email" text,
	"user_email_lower" text,
	"user_alias" text,
	"user_role" text,
	"models" jsonb NOT NULL,
	"max_budget_nano" bigint,
	"soft_budget_nano" bigint,
	"budget_duration" text,
	"budget_reset_at" timestamp with time zone,
	"tpm_limit" integer,
	"rpm_limit" integer,
	"max_parallel_requests" integer,
	"spend_nano" bigint DEFAULT 0 NOT NULL,
	"metadata" jsonb NOT NULL,
	"password_hash" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "keys_alias_uq" ON "keys" USING btree ("key_alias");--> statement-breakpoint
CREATE INDEX "keys_user_idx" ON "keys" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "keys_team_idx" ON "keys" USING btree ("team_id");--> statement-breakpoint
CREATE INDEX "keys_created_idx" ON "keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "spend_logs_start_idx" ON "spend_logs" USING btree ("start_time");--> statement-breakpoint
CREATE INDEX "spend_logs_key_idx" ON "spend_logs" USING btree ("api_key","start_time");--> statement-breakpoint
CREATE INDEX "spend_logs_team_idx" ON "spend_logs" USING btree ("team_id","start_time");--> statement-breakpoint
CREATE INDEX "spend_logs_user_idx" ON "spend_logs" USING btree ("user_id","start_time");--> statement-breakpoint
CREATE INDEX "team_members_user_idx" ON "team_members" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_lower_uq" ON "users" USING btree ("user_email_lower");--> statement-breakpoint
CREATE INDEX "users_created_idx" ON "users" USING btree ("created_at");