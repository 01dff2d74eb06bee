CREATE TABLE "audit_logs" (
	"id" text PRIMARY KEY NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"changed_by" text DEFAULT '' NOT NULL,
	"changed_by_api_key" text DEFAULT '' NOT NULL,
	"action" text NOT NULL,
	"table_name" text NOT NULL,
	"object_id" text NOT NULL,
	"before_value" jsonb,
	"updated_values" jsonb
);
--> statement-breakpoint
CREATE INDEX "audit_logs_updated_idx" ON "audit_logs" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "audit_logs_object_idx" ON "audit_logs" USING btree ("table_name","object_id","updated_at");