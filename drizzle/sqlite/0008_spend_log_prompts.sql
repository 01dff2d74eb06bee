ALTER TABLE `spend_logs` ADD `messages` text;--> statement-breakpoint
ALTER TABLE `spend_logs` ADD `response` text;