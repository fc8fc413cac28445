-- The metrics oracle: computes, with SQL alone over the oracle's unique events, what the metric tables
-- must hold for the day {day}. Each statement creates one expected_* table.

-- Copies of one event_id whose event times differ (a retry with a later server clock, from a client
-- whose clock runs ahead): which copy the pipeline keeps is the runner's choice, so each may move one
-- event by a few minutes. The comparisons allow that much and no more.
CREATE OR REPLACE TABLE ambiguous AS
SELECT event_id FROM oracle WHERE outcome = 'VALID' GROUP BY 1 HAVING count(DISTINCT event_time) > 1;

CREATE OR REPLACE TABLE expected_per_minute AS
SELECT event_type, platform, date_trunc('minute', event_time) AS minute, count(*) AS n
FROM unique_events WHERE CAST(event_time AS DATE) = DATE '{day}' GROUP BY ALL;

CREATE OR REPLACE TABLE expected_errors_per_version AS
SELECT coalesce(app_version, 'unknown') AS app_version, platform,
       date_trunc('minute', event_time) AS minute, count(*) AS n
FROM unique_events WHERE event_type = 'error' AND CAST(event_time AS DATE) = DATE '{day}' GROUP BY ALL;

CREATE OR REPLACE TABLE expected_distinct_users AS
SELECT event_type, count(DISTINCT user_id) AS n FROM unique_events
WHERE CAST(event_time AS DATE) = DATE '{day}' GROUP BY ALL
UNION ALL
SELECT 'all', count(DISTINCT user_id) FROM unique_events WHERE CAST(event_time AS DATE) = DATE '{day}';

-- Sessions: a user's events, in time order, split wherever the gap is 30 minutes or more; a session
-- belongs to the day it starts.
CREATE OR REPLACE TABLE expected_sessions AS
WITH marked AS (
  SELECT user_id, event_id, event_type, event_time,
    CASE WHEN event_time - lag(event_time) OVER (PARTITION BY user_id ORDER BY event_time, event_id)
        < INTERVAL 30 MINUTE THEN 0 ELSE 1 END AS starts
  FROM unique_events
), numbered AS (
  SELECT *, sum(starts) OVER (PARTITION BY user_id ORDER BY event_time, event_id
      ROWS UNBOUNDED PRECEDING) AS session FROM marked
)
SELECT user_id, session, min(event_time) AS session_start, count(*) AS events,
       count(*) FILTER (WHERE event_type = 'page_view') AS page_views
FROM numbered GROUP BY ALL HAVING CAST(min(event_time) AS DATE) = DATE '{day}';

-- The default checkout funnel, ordered, within 60 minutes of the first step (inclusive): from each
-- page view, the earliest matching event of each next step. Taking the earliest match at every step
-- is optimal for an ordered funnel, so a user reaches step k that day if any attempt does.
CREATE OR REPLACE TABLE funnel_events AS
SELECT user_id, event_type, event_time, json_extract_string(properties, '$.page') AS page
FROM unique_events;
CREATE OR REPLACE TABLE expected_funnel AS
WITH a1 AS (
  SELECT user_id, event_time AS t1 FROM funnel_events
  WHERE event_type = 'page_view' AND CAST(event_time AS DATE) = DATE '{day}'
), a2 AS (
  SELECT a1.*, (SELECT min(f.event_time) FROM funnel_events f WHERE f.user_id = a1.user_id
      AND f.event_type = 'add_to_cart' AND f.event_time > a1.t1
      AND f.event_time <= a1.t1 + INTERVAL 60 MINUTE) AS t2 FROM a1
), a3 AS (
  SELECT a2.*, (SELECT min(f.event_time) FROM funnel_events f WHERE f.user_id = a2.user_id
      AND f.event_type = 'page_view' AND f.page = '/checkout' AND f.event_time > a2.t2
      AND f.event_time <= a2.t1 + INTERVAL 60 MINUTE) AS t3 FROM a2
), a4 AS (
  SELECT a3.*, (SELECT min(f.event_time) FROM funnel_events f WHERE f.user_id = a3.user_id
      AND f.event_type = 'purchase' AND f.event_time > a3.t3
      AND f.event_time <= a3.t1 + INTERVAL 60 MINUTE) AS t4 FROM a3
)
SELECT 1 AS step, count(DISTINCT user_id) AS users FROM a4
UNION ALL SELECT 2, count(DISTINCT user_id) FILTER (WHERE t2 IS NOT NULL) FROM a4
UNION ALL SELECT 3, count(DISTINCT user_id) FILTER (WHERE t3 IS NOT NULL) FROM a4
UNION ALL SELECT 4, count(DISTINCT user_id) FILTER (WHERE t4 IS NOT NULL) FROM a4;
