-- A send attempt claims its outbox row until "claimed_until" (a lease): an overlapping attempt of
-- the same notification (a retry started while a timed-out attempt is still talking to SMTP)
-- finds the claim and waits instead of sending the mail a second time.
ALTER TABLE "notifications" ADD COLUMN "claimed_until" TIMESTAMPTZ(3);
