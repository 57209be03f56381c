-- Calendar connections: each company connects its own Cal.com account (issue 10). The API key and
-- the webhook secret are stored encrypted (infra/secrets: AES-256-GCM, key id inside the text).
-- A branch names its connection; deleting a connection unlinks its branches (SET NULL), bookings stay.
CREATE TABLE "calendar_connections" (
    "id" TEXT NOT NULL,
    "company_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "provider" TEXT NOT NULL DEFAULT 'calcom',
    "base_url" TEXT NOT NULL,
    "api_key_enc" TEXT NOT NULL,
    "key_version" INTEGER NOT NULL DEFAULT 1,
    "account_id" INTEGER NOT NULL,
    "account_email" TEXT,
    "webhook_id" TEXT,
    "webhook_secret_enc" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "last_reconciled_at" TIMESTAMPTZ(3),
    "drift_repaired" INTEGER NOT NULL DEFAULT 0,
    "drift_open" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "calendar_connections_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "calendar_connections_company_id_idx" ON "calendar_connections"("company_id");

ALTER TABLE "calendar_connections" ADD CONSTRAINT "calendar_connections_company_id_fkey" FOREIGN KEY ("company_id") REFERENCES "companies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "branches" ADD COLUMN "calendar_connection_id" TEXT;

CREATE INDEX "branches_calendar_connection_id_idx" ON "branches"("calendar_connection_id");

ALTER TABLE "branches" ADD CONSTRAINT "branches_calendar_connection_id_fkey" FOREIGN KEY ("calendar_connection_id") REFERENCES "calendar_connections"("id") ON DELETE SET NULL ON UPDATE CASCADE;
