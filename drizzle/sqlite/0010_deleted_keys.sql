CREATE TABLE `deleted_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`token` text NOT NULL,
	`key_alias` text,
	`user_id` text,
	`team_id` text,
	`key` text NOT NULL,
	`deleted_at` integer NOT NULL,
	`deleted_by` text
);
--> statement-breakpoint
CREATE INDEX `deleted_keys_deleted_idx` ON `deleted_keys` (`deleted_at`,`id`);--> statement-breakpoint
CREATE INDEX `deleted_keys_user_idx` ON `deleted_keys` (`user_id`,`deleted_at`);--> statement-breakpoint
CREATE INDEX `deleted_keys_team_idx` ON `deleted_keys` (`team_id`,`deleted_at`);