CREATE TABLE `rate_limit_buckets` (
	`bucket_key` text PRIMARY KEY NOT NULL,
	`tokens` real NOT NULL,
	`capacity` real NOT NULL,
	`updated_ms` integer NOT NULL
);
