-- Example analyst queries on the warehouse's BigQuery tables (see tables.sql).
-- Run one with: bq query --use_legacy_sql=false --dataset_id=PROJECT:DATASET '<query>'
-- Every table is partitioned by day: a filter on the day column reads only those days' partitions.
-- The sketch columns are ZetaSketch HLL++ sketches (Beam's HllCount), the format of BigQuery's
-- HLL_COUNT functions: merge them, never add distinct counts of different hours or days.

-- 1. Daily active users (DAU) for November 2026, merged from the hourly sketches.
--    The same numbers are stored per day in distinct_users_daily (event_type = 'all').
SELECT
  DATE(window_start) AS day,
  HLL_COUNT.MERGE(sketch) AS dau
FROM distinct_users_hourly
WHERE event_type = 'all'
  AND window_start >= TIMESTAMP('2026-11-01') AND window_start < TIMESTAMP('2026-12-01')
GROUP BY day
ORDER BY day;

-- 2. Weekly active users (WAU): for each day, the users seen in it and the 6 days before, by a
--    rolling merge of the daily sketches (MERGE_PARTIAL keeps a sketch, EXTRACT counts it).
--    The first 6 days of the output cover fewer than 7 days of data: read 6 days earlier.
WITH daily AS (
  SELECT DATE(day) AS day, sketch
  FROM distinct_users_daily
  WHERE event_type = 'all'
    AND day >= TIMESTAMP('2026-10-26') AND day < TIMESTAMP('2026-12-01')
)
SELECT
  d.day,
  HLL_COUNT.EXTRACT(HLL_COUNT.MERGE_PARTIAL(w.sketch)) AS wau,
  COUNT(*) AS days_with_data
FROM (SELECT DISTINCT day FROM daily) AS d
JOIN daily AS w
  ON w.day BETWEEN DATE_SUB(d.day, INTERVAL 6 DAY) AND d.day
WHERE d.day >= '2026-11-01'
GROUP BY d.day
ORDER BY d.day;

-- 3. Checkout funnel conversion by day: users at each step, the share of the step before and of
--    step 1 (an attempt belongs to the day it started).
SELECT
  DATE(day) AS day,
  step,
  step_name,
  users,
  ROUND(100 * step_conversion, 1) AS pct_of_previous_step,
  ROUND(100 * overall_conversion, 1) AS pct_of_first_step,
  median_seconds_to_step
FROM funnel_conversion
WHERE funnel = 'checkout'
  AND day >= TIMESTAMP('2026-11-01') AND day < TIMESTAMP('2026-12-01')
ORDER BY day, step;

-- 4. End-to-end checkout conversion per day, one row a day.
SELECT
  DATE(day) AS day,
  MAX(IF(step = 1, users, NULL)) AS started,
  ARRAY_AGG(users ORDER BY step DESC LIMIT 1)[OFFSET(0)] AS completed,
  ROUND(100 * ARRAY_AGG(overall_conversion ORDER BY step DESC LIMIT 1)[OFFSET(0)], 1) AS pct_completed
FROM funnel_conversion
WHERE funnel = 'checkout'
  AND day >= TIMESTAMP('2026-11-01') AND day < TIMESTAMP('2026-12-01')
GROUP BY day
ORDER BY day;
