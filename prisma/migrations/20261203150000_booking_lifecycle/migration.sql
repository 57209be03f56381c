-- Branch notification settings (API.md "The booking after confirmation"): reminders and the
-- default language; an empty object means the documented defaults.
ALTER TABLE "branches" ADD COLUMN "notifications" JSONB NOT NULL DEFAULT '{}';
