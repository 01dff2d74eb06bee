-- daily_spend re-keyed in the spend report's order (day, team, key, model, ...) and both rollup
-- tables made WITHOUT ROWID (written by hand: drizzle-kit has no such option), so a range of days
-- is read in key order straight from the table's b-tree (src/db/schema/sqlite.ts).
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_daily_spend` (
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
	PRIMARY KEY(`day`, `team_id`, `api_key`, `model`, `user_id`, `model_group`, `provider`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_daily_spend`("day", "api_key", "user_id", "team_id", "model_group", "model", "provider", "spend_nano", "prompt_tokens", "completion_tokens", "requests", "successful_requests", "failed_requests") SELECT "day", "api_key", "user_id", "team_id", "model_group", "model", "provider", "spend_nano", "prompt_tokens", "completion_tokens", "requests", "successful_requests", "failed_requests" FROM `daily_spend`;--> statement-breakpoint
DROP TABLE `daily_spend`;--> statement-breakpoint
ALTER TABLE `__new_daily_spend` RENAME TO `daily_spend`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `daily_spend_user_idx` ON `daily_spend` (`user_id`,`day`);--> statement-breakpoint
CREATE INDEX `daily_spend_team_idx` ON `daily_spend` (`team_id`,`day`);--> statement-breakpoint
CREATE TABLE `__new_daily_end_user_spend` (
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
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_daily_end_user_spend`("day", "end_user", "model_group", "spend_nano", "prompt_tokens", "completion_tokens", "requests", "successful_requests", "failed_requests") SELECT "day", "end_user", "model_group", "spend_nano", "prompt_tokens", "completion_tokens", "requests", "successful_requests", "failed_requests" FROM `daily_end_user_spend`;--> statement-breakpoint
DROP TABLE `daily_end_user_spend`;--> statement-breakpoint
ALTER TABLE `__new_daily_end_user_spend` RENAME TO `daily_end_user_spend`;--> statement-breakpoint
CREATE INDEX `daily_end_user_spend_user_idx` ON `daily_end_user_spend` (`end_user`,`day`);
