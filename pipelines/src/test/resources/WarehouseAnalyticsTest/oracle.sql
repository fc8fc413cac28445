-- The warehouse analytics oracle: computes, with DuckDB SQL alone over the warehouse's `events` table,
-- what the user analytics tables must hold, straight from the definitions (the contract shared
-- by the Beam transforms and this oracle). Run it with `SET TimeZone = 'UTC'` in effect: every day is a
-- UTC calendar day, taken as CAST(event_timestamp AS DATE).
--
-- Start and return events are `any`: every event counts, so "active (with the start event)" and
-- "active (with the return event)" both mean simply "active".
--
-- Everything is computed on DATE values and cast to TIMESTAMP (midnight, no time zone) on output.
-- DuckDB has DATE + INTEGER but not DATE + BIGINT, hence the CASTs to INTEGER around range() values.
-- Weeks are ISO weeks, named by their Monday: d - (isodow(d) - 1), isodow being 1 (Monday) to 7 (Sunday).
-- Helper tables are prefixed oracle_h_.

-- One row per user and UTC day on which the user has at least one event.
CREATE OR REPLACE TABLE oracle_h_active_days AS
SELECT DISTINCT user_id, CAST(event_timestamp AS DATE) AS d
FROM events;

-- One row per user and ISO week (its Monday) in which the user is active.
CREATE OR REPLACE TABLE oracle_h_active_weeks AS
SELECT DISTINCT user_id, d - CAST(isodow(d) - 1 AS INTEGER) AS w
FROM oracle_h_active_days;

-- data_from / data_through: the earliest and latest day on which any user is active.
CREATE OR REPLACE TABLE oracle_h_bounds AS
SELECT min(d) AS data_from, max(d) AS data_through
FROM oracle_h_active_days;

-- Each user's first active day over all data, and the week holding it.
CREATE OR REPLACE TABLE oracle_h_first_day AS
SELECT user_id, min(d) AS first_day, min(d) - CAST(isodow(min(d)) - 1 AS INTEGER) AS first_week
FROM oracle_h_active_days
GROUP BY user_id;

-- user_first_seen: per (user, event type) the first day of an event of that type, plus 'all'.
CREATE OR REPLACE TABLE oracle_user_first_seen AS
SELECT user_id, event_type, CAST(min(CAST(event_timestamp AS DATE)) AS TIMESTAMP) AS first_seen_day
FROM events
GROUP BY user_id, event_type
UNION ALL
SELECT user_id, 'all' AS event_type, CAST(first_day AS TIMESTAMP) AS first_seen_day
FROM oracle_h_first_day;

-- Daily cohorts: (cohort_type, cohort_day, member).
--   first_time: each user once, in the cohort of their first active day.
--   recurring: each user in the cohort of every day they are active.
CREATE OR REPLACE TABLE oracle_h_daily_cohorts AS
SELECT 'first_time' AS cohort_type, user_id, first_day AS cohort_day FROM oracle_h_first_day
UNION ALL
SELECT 'recurring' AS cohort_type, user_id, d AS cohort_day FROM oracle_h_active_days;

-- retention_daily. For a cohort member, let its offsets be the N in 0..30 with the member active on D+N.
--   retained(N)          = members with offset N.
--   retained_or_later(N) = members active on some day of [D+N, D+30]
--                        = members whose largest offset (last active day within [D, D+30]) is >= N,
--   computed as the count of members by largest offset, summed over all offsets >= N.
CREATE OR REPLACE TABLE oracle_retention_daily AS
WITH member_offsets AS (
  SELECT c.cohort_type, c.cohort_day, c.user_id, a.d - c.cohort_day AS day_n
  FROM oracle_h_daily_cohorts c
  JOIN oracle_h_active_days a
    ON a.user_id = c.user_id AND a.d >= c.cohort_day AND a.d <= c.cohort_day + 30
),
retained AS (
  SELECT cohort_type, cohort_day, day_n, count(DISTINCT user_id) AS retained
  FROM member_offsets GROUP BY ALL
),
last_offsets AS (
  SELECT cohort_type, cohort_day, user_id, max(day_n) AS last_n
  FROM member_offsets GROUP BY ALL
),
last_offset_counts AS (
  SELECT cohort_type, cohort_day, last_n AS day_n, count(*) AS users
  FROM last_offsets GROUP BY ALL
),
sizes AS (
  SELECT cohort_type, cohort_day, count(DISTINCT user_id) AS cohort_size
  FROM oracle_h_daily_cohorts GROUP BY ALL
),
grid AS (
  SELECT s.cohort_type, s.cohort_day, s.cohort_size, n.day_n
  FROM sizes s CROSS JOIN range(0, 31) n(day_n)
)
SELECT
  g.cohort_type,
  CAST(g.cohort_day AS TIMESTAMP) AS cohort_day,
  CAST(g.day_n AS BIGINT) AS day_n,
  CAST(g.cohort_size AS BIGINT) AS cohort_size,
  CAST(coalesce(r.retained, 0) AS BIGINT) AS retained,
  CAST(sum(coalesce(l.users, 0)) OVER (
    PARTITION BY g.cohort_type, g.cohort_day ORDER BY g.day_n DESC
    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT) AS retained_or_later,
  g.cohort_day + CAST(g.day_n AS INTEGER) <= b.data_through AS complete
FROM grid g
CROSS JOIN oracle_h_bounds b
LEFT JOIN retained r USING (cohort_type, cohort_day, day_n)
LEFT JOIN last_offset_counts l USING (cohort_type, cohort_day, day_n)
ORDER BY 1, 2, 3;

-- Weekly cohorts, as the daily ones with ISO weeks (their Monday) for days.
CREATE OR REPLACE TABLE oracle_h_weekly_cohorts AS
SELECT 'first_time' AS cohort_type, user_id, first_week AS cohort_week FROM oracle_h_first_day
UNION ALL
SELECT 'recurring' AS cohort_type, user_id, w AS cohort_week FROM oracle_h_active_weeks;

-- retention_weekly: as retention_daily, with week_n in 0..12 and week offsets (days apart / 7).
-- complete: the Sunday ending week W+N, i.e. W + 7N + 6, is on or before data_through.
CREATE OR REPLACE TABLE oracle_retention_weekly AS
WITH member_offsets AS (
  SELECT c.cohort_type, c.cohort_week, c.user_id, (a.w - c.cohort_week) // 7 AS week_n
  FROM oracle_h_weekly_cohorts c
  JOIN oracle_h_active_weeks a
    ON a.user_id = c.user_id AND a.w >= c.cohort_week AND a.w <= c.cohort_week + 7 * 12
),
retained AS (
  SELECT cohort_type, cohort_week, week_n, count(DISTINCT user_id) AS retained
  FROM member_offsets GROUP BY ALL
),
last_offsets AS (
  SELECT cohort_type, cohort_week, user_id, max(week_n) AS last_n
  FROM member_offsets GROUP BY ALL
),
last_offset_counts AS (
  SELECT cohort_type, cohort_week, last_n AS week_n, count(*) AS users
  FROM last_offsets GROUP BY ALL
),
sizes AS (
  SELECT cohort_type, cohort_week, count(DISTINCT user_id) AS cohort_size
  FROM oracle_h_weekly_cohorts GROUP BY ALL
),
grid AS (
  SELECT s.cohort_type, s.cohort_week, s.cohort_size, n.week_n
  FROM sizes s CROSS JOIN range(0, 13) n(week_n)
)
SELECT
  g.cohort_type,
  CAST(g.cohort_week AS TIMESTAMP) AS cohort_week,
  CAST(g.week_n AS BIGINT) AS week_n,
  CAST(g.cohort_size AS BIGINT) AS cohort_size,
  CAST(coalesce(r.retained, 0) AS BIGINT) AS retained,
  CAST(sum(coalesce(l.users, 0)) OVER (
    PARTITION BY g.cohort_type, g.cohort_week ORDER BY g.week_n DESC
    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT) AS retained_or_later,
  g.cohort_week + CAST(7 * g.week_n + 6 AS INTEGER) <= b.data_through AS complete
FROM grid g
CROSS JOIN oracle_h_bounds b
LEFT JOIN retained r USING (cohort_type, cohort_week, week_n)
LEFT JOIN last_offset_counts l USING (cohort_type, cohort_week, week_n)
ORDER BY 1, 2, 3;

-- stickiness. A user active on day d is in the window [X-w+1, X] of exactly the days X = d + k,
-- k in 0..w-1, so spreading each active day over those X and counting per (X, w, user) gives the
-- user's number of distinct active days in each window (active days are already distinct).
-- users_at_least(n) = users with a count >= n, summed from the per-count histogram.
CREATE OR REPLACE TABLE oracle_stickiness AS
WITH windows AS (
  SELECT * FROM (VALUES (7), (28)) t(window_days)
),
days AS (
  SELECT b.data_from + CAST(i AS INTEGER) AS day
  FROM oracle_h_bounds b, range(0, b.data_through - b.data_from + 1) r(i)
),
user_counts AS (
  SELECT a.d + CAST(k.k AS INTEGER) AS day, w.window_days, a.user_id, count(*) AS active_days
  FROM oracle_h_active_days a
  CROSS JOIN windows w
  CROSS JOIN range(0, 28) k(k)
  WHERE k.k < w.window_days
  GROUP BY ALL
),
histogram AS (
  SELECT day, window_days, active_days, count(*) AS users
  FROM user_counts GROUP BY ALL
),
data_days AS (
  SELECT DISTINCT d FROM oracle_h_active_days
),
days_with_data AS (
  SELECT x.day, w.window_days, count(dd.d) AS days_with_data
  FROM days x
  CROSS JOIN windows w
  LEFT JOIN data_days dd
    ON dd.d <= x.day AND dd.d >= x.day - CAST(w.window_days - 1 AS INTEGER)
  GROUP BY ALL
),
grid AS (
  SELECT x.day, w.window_days, n.active_days
  FROM days x
  CROSS JOIN windows w
  CROSS JOIN range(1, 29) n(active_days)
  WHERE n.active_days <= w.window_days
)
SELECT
  CAST(g.day AS TIMESTAMP) AS day,
  CAST(g.window_days AS BIGINT) AS window_days,
  CAST(g.active_days AS BIGINT) AS active_days,
  CAST(coalesce(h.users, 0) AS BIGINT) AS users_exactly,
  CAST(sum(coalesce(h.users, 0)) OVER (
    PARTITION BY g.day, g.window_days ORDER BY g.active_days DESC
    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT) AS users_at_least,
  CAST(dwd.days_with_data AS BIGINT) AS days_with_data
FROM grid g
LEFT JOIN histogram h USING (day, window_days, active_days)
JOIN days_with_data dwd USING (day, window_days)
ORDER BY 1, 2, 3;

-- user_lifecycle. Per period kind: each user's active periods (p = the day, or the week's Monday), the
-- period holding the user's first active day, and the grid of every period from the one holding
-- data_from to the one holding data_through; `step` is the period's length in days, so P-1 = P - step.
CREATE OR REPLACE TABLE oracle_h_user_periods AS
SELECT 'day' AS period, user_id, d AS p FROM oracle_h_active_days
UNION ALL
SELECT 'week' AS period, user_id, w AS p FROM oracle_h_active_weeks;

CREATE OR REPLACE TABLE oracle_h_first_periods AS
SELECT 'day' AS period, user_id, first_day AS first_p FROM oracle_h_first_day
UNION ALL
SELECT 'week' AS period, user_id, first_week AS first_p FROM oracle_h_first_day;

CREATE OR REPLACE TABLE oracle_h_periods AS
WITH kinds AS (
  SELECT 'day' AS period, 1 AS step, b.data_from AS first_p, b.data_through AS last_p
  FROM oracle_h_bounds b
  UNION ALL
  SELECT 'week' AS period, 7 AS step,
    b.data_from - CAST(isodow(b.data_from) - 1 AS INTEGER) AS first_p,
    b.data_through - CAST(isodow(b.data_through) - 1 AS INTEGER) AS last_p
  FROM oracle_h_bounds b
)
SELECT k.period, k.step, k.first_p + CAST(i * k.step AS INTEGER) AS p
FROM kinds k, range(0, (k.last_p - k.first_p) // k.step + 1) r(i);

-- For every grid period P and every user active in P or in P-1: whether active in P (a row of the user's
-- periods at P), in P-1 (a row at P - step), and the user's first active period; then the counts
-- straight from the definitions.
CREATE OR REPLACE TABLE oracle_user_lifecycle AS
WITH now_and_prev AS (
  SELECT
    coalesce(cur.period, prev.period) AS period,
    coalesce(cur.user_id, prev.user_id) AS user_id,
    coalesce(cur.p, prev.next_p) AS p,
    cur.user_id IS NOT NULL AS active_now,
    prev.user_id IS NOT NULL AS active_prev
  FROM oracle_h_user_periods cur
  FULL OUTER JOIN (
    SELECT u.period, u.user_id, u.p + CAST(k.step AS INTEGER) AS next_p
    FROM oracle_h_user_periods u
    JOIN (SELECT DISTINCT period, step FROM oracle_h_periods) k USING (period)
  ) prev
    ON prev.period = cur.period AND prev.user_id = cur.user_id AND prev.next_p = cur.p
),
flags AS (
  SELECT n.period, n.p, n.user_id, n.active_now, n.active_prev, f.first_p,
    n.p - CAST(g.step AS INTEGER) AS prev_p
  FROM now_and_prev n
  JOIN oracle_h_periods g ON g.period = n.period AND g.p = n.p
  JOIN oracle_h_first_periods f ON f.period = n.period AND f.user_id = n.user_id
),
counts AS (
  SELECT
    period, p,
    count(*) FILTER (WHERE active_now) AS active_users,
    count(*) FILTER (WHERE active_now AND first_p = p) AS new_users,
    count(*) FILTER (WHERE active_now AND active_prev AND first_p < p) AS returning_users,
    count(*) FILTER (WHERE active_now AND NOT active_prev AND first_p < prev_p) AS resurrecting_users,
    count(*) FILTER (WHERE active_prev AND NOT active_now) AS dormant_users
  FROM flags GROUP BY ALL
)
SELECT
  g.period,
  CAST(g.p AS TIMESTAMP) AS period_start,
  CAST(coalesce(c.active_users, 0) AS BIGINT) AS active_users,
  CAST(coalesce(c.new_users, 0) AS BIGINT) AS new_users,
  CAST(coalesce(c.returning_users, 0) AS BIGINT) AS returning_users,
  CAST(coalesce(c.resurrecting_users, 0) AS BIGINT) AS resurrecting_users,
  CAST(coalesce(c.dormant_users, 0) AS BIGINT) AS dormant_users
FROM oracle_h_periods g
LEFT JOIN counts c USING (period, p)
ORDER BY 1, 2;

-- Rows exist only where someone is active: a stickiness window with a day of data, a lifecycle
-- period with users active in it or in the period before (active(P-1) = returning + dormant, and
-- returning needs activity in P).
DELETE FROM oracle_stickiness WHERE days_with_data = 0;
DELETE FROM oracle_user_lifecycle WHERE active_users = 0 AND dormant_users = 0;
