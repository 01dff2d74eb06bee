CREATE TABLE `end_users` (
	`user_id` text PRIMARY KEY NOT NULL,
	`alias` text,
	`blocked` integer DEFAULT false NOT NULL,
	`max_budget_nano` integer,
	`budget_duration` text,
	`budget_reset_at` integer,
	`tpm_limit` integer,
	`rpm_limit` integer,
	`spend_nano` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `key_grace_tokens` (
	`old_token` text PRIMARY KEY NOT NULL,
	`token` text NOT NULL,
	`valid_until` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `keys` (
	`token` text PRIMARY KEY NOT NULL,
	`key_name` text NOT NULL,
	`key_alias` text,
	`user_id` text,
	`team_id` text,
	`models` text NOT NULL,
	`aliases` text NOT NULL,
	`config` text NOT NULL,
	`permissions` text NOT NULL,
	`metadata` text NOT NULL,
	`max_budget_nano` integer,
	`soft_budget_nano` integer,
	`budget_duration` text,
	`budget_reset_at` integer,
	`tpm_limit` integer,
	`rpm_limit` integer,
	`max_parallel_requests` integer,
	`model_rpm_limit` text,
	`model_tpm_limit` text,
	`allowed_routes` text NOT NULL,
	`blocked` integer DEFAULT false NOT NULL,
	`expires_at` integer,
	`spend_nano` integer DEFAULT 0 NOT NULL,
	`created_by` text,
	`updated_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `keys_alias_uq` ON `keys` (`key_alias`);--> statement-breakpoint
CREATE INDEX `keys_user_idx` ON `keys` (`user_id`);--> statement-breakpoint
CREATE INDEX `keys_team_idx` ON `keys` (`team_id`);--> statement-breakpoint
CREATE INDEX `keys_created_idx` ON `keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `models` (
	`model_id` text PRIMARY KEY NOT NULL,
	`model_name` text NOT NULL,
	`litellm_params` text NOT NULL,
	`model_info` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `spend_logs` (
	`request_id` text PRIMARY KEY NOT NULL,
	`call_type` text NOT NULL,
	`api_key` text,
	`model` text NOT NULL,
	`model_group` text,
	`model_id` text,
	`provider` text,
	`api_base` text,
	`user_id` text,
	`team_id` text,
	`end_user` text,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`total_tokens` integer DEFAULT 0 NOT NULL,
	`spend_nano` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`request_tags` text NOT NULL,
	`metadata` text NOT NULL,
	`start_time` integer NOT NULL,
	`end_time` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `spend_logs_start_idx` ON `spend_logs` (`start_time`);--> statement-breakpoint
CREATE INDEX `spend_logs_key_idx` ON `spend_logs` (`api_key`,`start_time`);--> statement-breakpoint
CREATE INDEX `spend_logs_team_idx` ON `spend_logs` (`team_id`,`start_time`);--> statement-breakpoint
CREATE INDEX `spend_logs_user_idx` ON `spend_logs` (`user_id`,`start_time`);--> statement-breakpoint
CREATE TABLE `team_members` (
	`team_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`max_budget_in_team_nano` integer,
	`budget_duration` text,
	`budget_reset_at` integer,
	`tpm_limit` integer,
	`rpm_limit` integer,
	`spend_nano` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`team_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `team_members_user_idx` ON `team_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `teams` (
	`team_id` text PRIMARY KEY NOT NULL,
	`team_alias` text,
	`models` text NOT NULL,
	`max_budget_nano` integer,
	`soft_budget_nano` integer,
	`budget_duration` text,
	`budget_reset_at` integer,
	`tpm_limit` integer,
	`rpm_limit` integer,
	`max_parallel_requests` integer,
	`model_aliases` text NOT NULL,
	`model_rpm_limit` text,
	`model_tpm_limit` text,
	`team_member_permissions` text,
	`metadata` text NOT NULL,
	`blocked` integer DEFAULT false NOT NULL,
	`spend_nano` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`user_id` text PRIMARY KEY NOT NULL,
	`user_email` text,
	`user_email_lower` text,
	`user_alias` text,
	`user_role` text,
	`models` text NOT NULL,
	`max_budget_nano` integer,
	`soft_budget_nano` integer,
	`budget_duration` text,
	`budget_reset_at` integer,
	`tpm_limit` integer,
	`rpm_limit` integer,
	`max_parallel_requests` integer,
	`spend_nano` integer DEFAULT 0 NOT NULL,
	`metadata` text NOT NULL,
	`password_hash` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_lower_uq` ON `users` (`user_email_lower`);--> statement-breakpoint
CREATE INDEX `users_created_idx` ON `users` (`created_at`);