ALTER TABLE "budgets" ALTER COLUMN "tpm_limit" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "budgets" ALTER COLUMN "rpm_limit" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "end_users" ALTER COLUMN "tpm_limit" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "end_users" ALTER COLUMN "rpm_limit" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "keys" ALTER COLUMN "tpm_limit" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "keys" ALTER COLUMN "rpm_limit" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "team_members" ALTER COLUMN "tpm_limit" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "team_members" ALTER COLUMN "rpm_limit" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "teams" ALTER COLUMN "tpm_limit" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "teams" ALTER COLUMN "rpm_limit" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "tpm_limit" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "rpm_limit" SET DATA TYPE bigint;