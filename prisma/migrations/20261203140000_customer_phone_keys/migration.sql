-- Customers by phone (API.md "Reservations, next free slots, phone lookup").
--
-- 1. Companies and branches name a `country` (ISO 3166 alpha-2) that national phone numbers are
--    read with; companies default to DE, a branch without one uses its company's.
ALTER TABLE "companies" ADD COLUMN "country" TEXT NOT NULL DEFAULT 'DE';
ALTER TABLE "branches" ADD COLUMN "country" TEXT;

-- 2. Stored phone numbers become E.164 (new ones are normalised by libphonenumber-js in the API).
--    SQL cannot run libphonenumber, so this is the same reading for the spellings that occur:
--    separators dropped, a "(0)" after the country code dropped, "00" → "+", a national number
--    (leading trunk 0 or none) gets +49: every company is DE at this point (the column above is
--    new, default DE). A value that does not come out as +<7..15 digits> is left as it was.
UPDATE "customers" c
SET "phone" = n.e164
FROM (
  SELECT id,
    CASE
      WHEN d LIKE '+%' THEN '+' || regexp_replace(d, '[^0-9]', '', 'g')
      WHEN d LIKE '00%' THEN '+' || substr(d, 3)
      WHEN d LIKE '0%' THEN '+49' || substr(d, 2)
      ELSE '+49' || d
    END AS e164
  FROM (SELECT id, regexp_replace(replace("phone", '(0)', ''), '[^0-9+]', '', 'g') AS d FROM "customers" WHERE "phone" IS NOT NULL) s
) n
WHERE c.id = n.id AND n.e164 ~ '^\+[1-9][0-9]{6,14}$' AND c."phone" IS DISTINCT FROM n.e164;

CREATE INDEX "customers_company_id_phone_idx" ON "customers"("company_id", "phone");

-- 3. Which customer a phone number or e-mail address finds (find-or-create). The primary key is
--    the arbiter of concurrent find-or-creates: INSERT ... ON CONFLICT DO NOTHING lets exactly one
--    claim a number. A table of its own, not a unique index on customers.phone: two customers may
--    share a number (a family's landline), and existing data may already hold such pairs.
CREATE TABLE "customer_keys" (
    "company_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_keys_pkey" PRIMARY KEY ("company_id","kind","value")
);
CREATE INDEX "customer_keys_customer_id_idx" ON "customer_keys"("customer_id");
ALTER TABLE "customer_keys" ADD CONSTRAINT "customer_keys_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The oldest customer with a number (or an e-mail address, case-insensitive) is the one it finds.
INSERT INTO "customer_keys" ("company_id", "kind", "value", "customer_id")
SELECT DISTINCT ON ("company_id", "phone") "company_id", 'phone', "phone", "id"
FROM "customers" WHERE "phone" IS NOT NULL
ORDER BY "company_id", "phone", "created_at", "id";
INSERT INTO "customer_keys" ("company_id", "kind", "value", "customer_id")
SELECT DISTINCT ON ("company_id", lower("email")) "company_id", 'email', lower("email"), "id"
FROM "customers" WHERE "email" IS NOT NULL
ORDER BY "company_id", lower("email"), "created_at", "id";
