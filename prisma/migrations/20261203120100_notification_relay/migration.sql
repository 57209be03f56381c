-- Mail is never lost (issue 12): a `pending` notification whose send failed is retried by the
-- notification relay with backoff (next_attempt_at) until sent or 72 hours old, then `failed`.
ALTER TABLE "notifications" ADD COLUMN "next_attempt_at" TIMESTAMPTZ(3);
CREATE INDEX "notifications_status_created_at_idx" ON "notifications"("status", "created_at");
