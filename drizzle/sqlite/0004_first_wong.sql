CREATE TABLE `budgets` (
	`budget_id` text PRIMARY KEY NOT NULL,
	`max_budget_nano` integer,
	`soft_budget_nano` integer,
	`max_parallel_requests` integer,
	`tpm_limit` integer,
	`rpm_limit` integer,
	`budget_duration` text,
	`budget_reset_at` integer,
	`model_max_budget` text,
	`created_by` text,
	`updated_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `daily_end_user_spend` (
	`day` text NOT NULL,
	`end_user` text NOT NULL,
	`model_group` text NOT NULL,
	`spend_nano` integer DEFAULT 0 NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`successful_requests` integer DEFAULT 0 NOT NULL,
	`failed_requests` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `end_user`, `model_group`)
);
--> statement-breakpoint
CREATE INDEX `daily_end_user_spend_user_idx` ON `daily_end_user_spend` (`end_user`,`day`);--> statement-breakpoint
CREATE TABLE `daily_spend` (
	`day` text NOT NULL,
	`api_key` text NOT NULL,
	`user_id` text NOT NULL,
	`team_id` text NOT NULL,
	`model_group` text NOT NULL,
	`model` text NOT NULL,
	`provider` text NOT NULL,
	`spend_nano` integer DEFAULT 0 NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`successful_requests` integer DEFAULT 0 NOT NULL,
	`failed_requests` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `api_key`, `user_id`, `team_id`, `model_group`, `model`, `provider`)
);
--> statement-breakpoint
CREATE INDEX `daily_spend_user_idx` ON `daily_spend` (`user_id`,`day`);--> statement-breakpoint
CREATE INDEX `daily_spend_team_idx` ON `daily_spend` (`team_id`,`day`);--> statement-breakpoint
ALTER TABLE `end_users` ADD `budget_id` text;--> statement-breakpoint
ALTER TABLE `end_users` ADD `soft_budget_nano` integer;--> statement-breakpoint
ALTER TABLE `end_users` ADD `allowed_model_region` text;--> statement-breakpoint
ALTER TABLE `end_users` ADD `default_model` text;