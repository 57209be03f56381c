-- Notifications in the customer's language over email and SMS (issue 15): the outbox keeps the
-- HTML part and the calendar invite of a mail, so the relay resends the whole message; an SMS row
-- (channel 'sms') keeps its text in "body". The branch's postal address is shown in messages.
ALTER TABLE "notifications" ADD COLUMN "html" TEXT;
ALTER TABLE "notifications" ADD COLUMN "ics" JSONB;
ALTER TABLE "branches" ADD COLUMN "address" TEXT;
