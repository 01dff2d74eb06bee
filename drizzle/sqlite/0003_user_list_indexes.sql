DROP INDEX `users_created_idx`;--> statement-breakpoint
CREATE INDEX `users_created_id_idx` ON `users` (`created_at`,`user_id`);--> statement-breakpoint
CREATE INDEX `users_role_created_idx` ON `users` (`user_role`,`created_at`,`user_id`);--> statement-breakpoint
CREATE INDEX `users_email_created_idx` ON `users` (`user_email_lower`,`created_at`,`user_id`);