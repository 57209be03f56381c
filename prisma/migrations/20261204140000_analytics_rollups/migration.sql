-- Analytics rollups (issue 16, bench:analytics). GET /v1/analytics aggregated every booking of
-- the period per request: for a company-wide year of 100,000 bookings that was a full scan with
-- three time-zone conversions per row (p95 1.1 s). The figures are now sums over small tables kept
-- exact by the triggers below, in the transaction that changes the booking:
-- * analytics_service_days  (company, local day, branch, service): counts, sources, lead and kept
--   time, paid bookings (revenue = paid × the service's current price, as before): totals, service
--   demand and the branch/service/company series.
-- * analytics_staff_days / analytics_staff_weeks (company, local day or local ISO week starting
--   Monday, branch, staff): the staff series; revenue stored as money, re-priced when a service's
--   price changes. A year of staff figures reads ~52 week rows per person plus the loose days at
--   the edges instead of 365 day rows (the week level is what keeps groupBy=staff cheap).
-- * analytics_branch_hours  (company, local day, branch, local hour): popular times.
-- "Local" is the booking's branch zone, as before; changing a branch's zone rebuilds its rows.
-- Counted bookings are those GET /v1/analytics always counted: not reschedule-hold placeholders,
-- not failed, not a package's later parts. Rows are never deleted when they fall back to zero:
-- readers keep only groups with bookings > 0, exactly the groups a scan of bookings would find.
--
-- Concurrency: the trigger is per statement (transition tables), so one statement changes each
-- rollup row once, in key order (ORDER BY before ON CONFLICT): two statements touching the same
-- rows lock them in the same order. Updates that change no counted figure (calendar status, notes,
-- history) touch no rollup row at all.

CREATE TABLE "analytics_service_days" (
    "company_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "branch_id" TEXT NOT NULL,
    "service_id" TEXT NOT NULL,
    "bookings" INTEGER NOT NULL DEFAULT 0,
    "cancellations" INTEGER NOT NULL DEFAULT 0,
    "no_shows" INTEGER NOT NULL DEFAULT 0,
    "paid" INTEGER NOT NULL DEFAULT 0,
    "phone" INTEGER NOT NULL DEFAULT 0,
    "web" INTEGER NOT NULL DEFAULT 0,
    "api" INTEGER NOT NULL DEFAULT 0,
    "mobile" INTEGER NOT NULL DEFAULT 0,
    "lead_ms" BIGINT NOT NULL DEFAULT 0,
    "kept_ms" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "analytics_service_days_pkey" PRIMARY KEY ("company_id", "day", "branch_id", "service_id")
);

CREATE TABLE "analytics_staff_days" (
    "company_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "branch_id" TEXT NOT NULL,
    "staff_id" TEXT NOT NULL,
    "bookings" INTEGER NOT NULL DEFAULT 0,
    "cancellations" INTEGER NOT NULL DEFAULT 0,
    "no_shows" INTEGER NOT NULL DEFAULT 0,
    "kept_ms" BIGINT NOT NULL DEFAULT 0,
    "revenue" DECIMAL(14,2) NOT NULL DEFAULT 0,
    CONSTRAINT "analytics_staff_days_pkey" PRIMARY KEY ("company_id", "day", "branch_id", "staff_id")
);

CREATE TABLE "analytics_staff_weeks" (
    "company_id" TEXT NOT NULL,
    "week" DATE NOT NULL,
    "branch_id" TEXT NOT NULL,
    "staff_id" TEXT NOT NULL,
    "bookings" INTEGER NOT NULL DEFAULT 0,
    "cancellations" INTEGER NOT NULL DEFAULT 0,
    "no_shows" INTEGER NOT NULL DEFAULT 0,
    "kept_ms" BIGINT NOT NULL DEFAULT 0,
    "revenue" DECIMAL(14,2) NOT NULL DEFAULT 0,
    CONSTRAINT "analytics_staff_weeks_pkey" PRIMARY KEY ("company_id", "week", "branch_id", "staff_id")
);

CREATE TABLE "analytics_branch_hours" (
    "company_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "branch_id" TEXT NOT NULL,
    "hour" INTEGER NOT NULL,
    "bookings" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "analytics_branch_hours_pkey" PRIMARY KEY ("company_id", "day", "branch_id", "hour")
);

ALTER TABLE "analytics_service_days" ADD CONSTRAINT "analytics_service_days_branch_id_fkey" FOREIGN KEY ("branch_id") REFERENCES "branches"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "analytics_staff_days" ADD CONSTRAINT "analytics_staff_days_branch_id_fkey" FOREIGN KEY ("branch_id") REFERENCES "branches"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "analytics_staff_weeks" ADD CONSTRAINT "analytics_staff_weeks_branch_id_fkey" FOREIGN KEY ("branch_id") REFERENCES "branches"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "analytics_branch_hours" ADD CONSTRAINT "analytics_branch_hours_branch_id_fkey" FOREIGN KEY ("branch_id") REFERENCES "branches"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The counted bookings among p_old (sign -1) and p_new (sign +1) with their local day, hour and
-- week in the branch zone (converted once per row) and their service's current price.
CREATE FUNCTION "analytics_rollup_changes"(p_old "bookings"[], p_new "bookings"[])
RETURNS TABLE ("sign" INTEGER, "company_id" TEXT, "branch_id" TEXT, "staff_id" TEXT, "service_id" TEXT, "day" DATE, "hour" INTEGER, "week" DATE,
               "status" TEXT, "source" TEXT, "lead_ms" BIGINT, "length_ms" BIGINT, "price" NUMERIC)
LANGUAGE sql STABLE AS $$
  SELECT c.sign, c.company_id, c.branch_id, c.staff_id, c.service_id,
         l.local::date, extract(hour FROM l.local)::int, l.local::date - (extract(isodow FROM l.local)::int - 1),
         c.status, c.source,
         round(extract(epoch FROM c.start_at - c.created_at) * 1000)::bigint,
         round(extract(epoch FROM c.end_at - c.start_at) * 1000)::bigint,
         s.price
    FROM (SELECT -1 AS sign, o.* FROM unnest(p_old) o UNION ALL SELECT 1, n.* FROM unnest(p_new) n) c
    JOIN "branches" br ON br.id = c.branch_id
    JOIN "services" s ON s.id = c.service_id
    CROSS JOIN LATERAL (SELECT c.start_at AT TIME ZONE br.timezone AS local) l
   WHERE c.source <> 'hold' AND c.status <> 'failed' AND c.package_booking_id IS NULL
$$;

-- Adds p_new and subtracts p_old from every rollup: one statement, each row once, in key order.
CREATE FUNCTION "analytics_rollup_apply"(p_old "bookings"[], p_new "bookings"[]) RETURNS void LANGUAGE sql AS $$
  WITH c AS MATERIALIZED (SELECT * FROM analytics_rollup_changes(p_old, p_new)),
  service_days AS (
    INSERT INTO analytics_service_days AS r (company_id, day, branch_id, service_id, bookings, cancellations, no_shows, paid, phone, web, api, mobile, lead_ms, kept_ms)
    SELECT * FROM (
      SELECT company_id, day, branch_id, service_id, sum(sign)::int AS bookings,
             coalesce(sum(sign) FILTER (WHERE status = 'cancelled'), 0)::int AS cancellations,
             coalesce(sum(sign) FILTER (WHERE status = 'no_show'), 0)::int AS no_shows,
             coalesce(sum(sign) FILTER (WHERE status IN ('confirmed', 'completed')), 0)::int AS paid,
             coalesce(sum(sign) FILTER (WHERE source = 'phone'), 0)::int AS phone,
             coalesce(sum(sign) FILTER (WHERE source = 'web'), 0)::int AS web,
             coalesce(sum(sign) FILTER (WHERE source = 'api'), 0)::int AS api,
             coalesce(sum(sign) FILTER (WHERE source = 'mobile'), 0)::int AS mobile,
             sum(sign * lead_ms)::bigint AS lead_ms,
             coalesce(sum(sign * length_ms) FILTER (WHERE status IN ('confirmed', 'completed', 'no_show')), 0)::bigint AS kept_ms
        FROM c GROUP BY company_id, day, branch_id, service_id) d
     WHERE (bookings, cancellations, no_shows, paid, phone, web, api, mobile, lead_ms, kept_ms) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
     ORDER BY company_id, day, branch_id, service_id
    ON CONFLICT (company_id, day, branch_id, service_id) DO UPDATE SET
      bookings = r.bookings + EXCLUDED.bookings, cancellations = r.cancellations + EXCLUDED.cancellations,
      no_shows = r.no_shows + EXCLUDED.no_shows, paid = r.paid + EXCLUDED.paid, phone = r.phone + EXCLUDED.phone,
      web = r.web + EXCLUDED.web, api = r.api + EXCLUDED.api, mobile = r.mobile + EXCLUDED.mobile,
      lead_ms = r.lead_ms + EXCLUDED.lead_ms, kept_ms = r.kept_ms + EXCLUDED.kept_ms
    RETURNING 1),
  staff AS (
    SELECT company_id, day, week, branch_id, staff_id, sum(sign)::int AS bookings,
           coalesce(sum(sign) FILTER (WHERE status = 'cancelled'), 0)::int AS cancellations,
           coalesce(sum(sign) FILTER (WHERE status = 'no_show'), 0)::int AS no_shows,
           coalesce(sum(sign * length_ms) FILTER (WHERE status IN ('confirmed', 'completed', 'no_show')), 0)::bigint AS kept_ms,
           coalesce(sum(sign * price) FILTER (WHERE status IN ('confirmed', 'completed')), 0)::numeric(14,2) AS revenue
      FROM c GROUP BY company_id, day, week, branch_id, staff_id),
  staff_days AS (
    INSERT INTO analytics_staff_days AS r (company_id, day, branch_id, staff_id, bookings, cancellations, no_shows, kept_ms, revenue)
    SELECT company_id, day, branch_id, staff_id, bookings, cancellations, no_shows, kept_ms, revenue FROM staff
     WHERE (bookings, cancellations, no_shows, kept_ms, revenue) <> (0, 0, 0, 0, 0)
     ORDER BY company_id, day, branch_id, staff_id
    ON CONFLICT (company_id, day, branch_id, staff_id) DO UPDATE SET
      bookings = r.bookings + EXCLUDED.bookings, cancellations = r.cancellations + EXCLUDED.cancellations,
      no_shows = r.no_shows + EXCLUDED.no_shows, kept_ms = r.kept_ms + EXCLUDED.kept_ms, revenue = r.revenue + EXCLUDED.revenue
    RETURNING 1),
  staff_weeks AS (
    INSERT INTO analytics_staff_weeks AS r (company_id, week, branch_id, staff_id, bookings, cancellations, no_shows, kept_ms, revenue)
    SELECT * FROM (
      SELECT company_id, week, branch_id, staff_id, sum(bookings)::int AS bookings, sum(cancellations)::int AS cancellations,
             sum(no_shows)::int AS no_shows, sum(kept_ms)::bigint AS kept_ms, sum(revenue)::numeric(14,2) AS revenue
        FROM staff GROUP BY company_id, week, branch_id, staff_id) w
     WHERE (bookings, cancellations, no_shows, kept_ms, revenue) <> (0, 0, 0, 0, 0)
     ORDER BY company_id, week, branch_id, staff_id
    ON CONFLICT (company_id, week, branch_id, staff_id) DO UPDATE SET
      bookings = r.bookings + EXCLUDED.bookings, cancellations = r.cancellations + EXCLUDED.cancellations,
      no_shows = r.no_shows + EXCLUDED.no_shows, kept_ms = r.kept_ms + EXCLUDED.kept_ms, revenue = r.revenue + EXCLUDED.revenue
    RETURNING 1)
  INSERT INTO analytics_branch_hours AS r (company_id, day, branch_id, hour, bookings)
  SELECT * FROM (SELECT company_id, day, branch_id, hour, sum(sign)::int AS bookings FROM c GROUP BY company_id, day, branch_id, hour) h
   WHERE bookings <> 0
   ORDER BY company_id, day, branch_id, hour
  ON CONFLICT (company_id, day, branch_id, hour) DO UPDATE SET bookings = r.bookings + EXCLUDED.bookings
$$;

-- (Transition-table rows are anonymous records: assigning them to bookings[] variables types them.)
CREATE FUNCTION "bookings_analytics_rollup"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  before_rows "bookings"[] := '{}';
  after_rows "bookings"[] := '{}';
BEGIN
  -- (Each branch names only the transition tables its trigger has.)
  IF TG_OP = 'INSERT' THEN
    after_rows := ARRAY(SELECT n FROM new_rows n);
  ELSIF TG_OP = 'DELETE' THEN
    before_rows := ARRAY(SELECT o FROM old_rows o);
  ELSE
    -- Most updates (calendar status, notes, workflow ids) change no counted figure: no rollup row is touched.
    IF NOT EXISTS (
      SELECT 1 FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
       WHERE o.id IS NULL OR n.id IS NULL
          OR (o.company_id, o.branch_id, o.staff_id, o.service_id, o.start_at, o.end_at, o.created_at, o.status, o.source, o.package_booking_id)
             IS DISTINCT FROM (n.company_id, n.branch_id, n.staff_id, n.service_id, n.start_at, n.end_at, n.created_at, n.status, n.source, n.package_booking_id)
    ) THEN
      RETURN NULL;
    END IF;
    before_rows := ARRAY(SELECT o FROM old_rows o);
    after_rows := ARRAY(SELECT n FROM new_rows n);
  END IF;
  PERFORM analytics_rollup_apply(before_rows, after_rows);
  RETURN NULL;
END
$$;
CREATE TRIGGER "bookings_analytics_insert" AFTER INSERT ON "bookings"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "bookings_analytics_rollup"();
CREATE TRIGGER "bookings_analytics_update" AFTER UPDATE ON "bookings"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "bookings_analytics_rollup"();
CREATE TRIGGER "bookings_analytics_delete" AFTER DELETE ON "bookings"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "bookings_analytics_rollup"();

-- Staff revenue is money: a new price re-prices the paid bookings of that service (rare; the
-- service's company bookings through the (company_id, start_at) index).
CREATE FUNCTION "services_analytics_price"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta NUMERIC := coalesce(NEW.price, 0) - coalesce(OLD.price, 0);
  paid "bookings"[] := ARRAY(SELECT b FROM "bookings" b WHERE b.company_id = NEW.company_id AND b.service_id = NEW.id AND b.status IN ('confirmed', 'completed'));
BEGIN
  UPDATE analytics_staff_days r SET revenue = r.revenue + x.n * delta
    FROM (SELECT company_id, day, branch_id, staff_id, sum(sign) AS n FROM analytics_rollup_changes('{}', paid) GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4) x
   WHERE r.company_id = x.company_id AND r.day = x.day AND r.branch_id = x.branch_id AND r.staff_id = x.staff_id;
  UPDATE analytics_staff_weeks r SET revenue = r.revenue + x.n * delta
    FROM (SELECT company_id, week, branch_id, staff_id, sum(sign) AS n FROM analytics_rollup_changes('{}', paid) GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4) x
   WHERE r.company_id = x.company_id AND r.week = x.week AND r.branch_id = x.branch_id AND r.staff_id = x.staff_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER "services_analytics_price" AFTER UPDATE OF "price" ON "services"
    FOR EACH ROW WHEN (OLD."price" IS DISTINCT FROM NEW."price") EXECUTE FUNCTION "services_analytics_price"();

-- A branch's bookings counted afresh (a new zone moves their local days and hours).
CREATE FUNCTION "analytics_rollup_rebuild"(p_company TEXT, p_branch TEXT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM analytics_service_days WHERE company_id = p_company AND branch_id = p_branch;
  DELETE FROM analytics_staff_days WHERE company_id = p_company AND branch_id = p_branch;
  DELETE FROM analytics_staff_weeks WHERE company_id = p_company AND branch_id = p_branch;
  DELETE FROM analytics_branch_hours WHERE company_id = p_company AND branch_id = p_branch;
  PERFORM analytics_rollup_apply('{}', ARRAY(SELECT b FROM "bookings" b WHERE b.company_id = p_company AND b.branch_id = p_branch));
END
$$;
CREATE FUNCTION "branches_analytics_timezone"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_rollup_rebuild(NEW.company_id, NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER "branches_analytics_timezone" AFTER UPDATE OF "timezone" ON "branches"
    FOR EACH ROW WHEN (OLD."timezone" IS DISTINCT FROM NEW."timezone") EXECUTE FUNCTION "branches_analytics_timezone"();

-- Existing bookings, branch by branch.
SELECT analytics_rollup_rebuild(company_id, id) FROM "branches";
