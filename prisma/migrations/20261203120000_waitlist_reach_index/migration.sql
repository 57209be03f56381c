-- Waiting lists at scale (issue 12): a freed slot finds the open entries whose dates contain it
-- with one indexed query (GiST over the branch and the entry's date range), instead of reading
-- every entry of the branch. Dates are stored as 'YYYY-MM-DD' text; a text-to-date cast is not
-- immutable (it depends on DateStyle), so the range is built by an immutable function.
CREATE FUNCTION waitlist_day(day text) RETURNS date
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT make_date(substr(day, 1, 4)::int, substr(day, 6, 2)::int, substr(day, 9, 2)::int) $$;

CREATE INDEX waiting_list_entries_open_reach ON waiting_list_entries
  USING gist (branch_id, daterange(waitlist_day(from_date), waitlist_day(to_date), '[]'))
  WHERE status IN ('waiting', 'notified');
