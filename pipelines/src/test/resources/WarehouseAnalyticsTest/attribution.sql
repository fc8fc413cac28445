-- The revenue attribution oracle: computes, with DuckDB SQL alone over the warehouse's `events` table
-- (event_id, event_type, user_id, properties VARCHAR holding a JSON object, event_timestamp TIMESTAMPTZ),
-- what revenue_attribution must hold, straight from the definitions (the contract shared by the Beam
-- transforms and this oracle). Statements are separated by ';' + newline. It does not depend on the
-- session's TimeZone: the purchase day is taken as the UTC calendar day (timezone('UTC', ts)), and
-- time differences as differences of epoch microseconds.
--
-- Reading of the contract:
--   * A property value counts only if it is a JSON string (json_type = 'VARCHAR'): numbers, booleans,
--     objects, arrays and null are ignored as if absent. Strings are trimmed of spaces (trim(), i.e.
--     the ' ' character only) and an empty result is ignored too. This applies to utm_source,
--     utm_medium, utm_campaign and referrer alike.
--   * Properties that are not a valid JSON object (NULL, not JSON, an array, a scalar) have no
--     properties: never a touchpoint, revenue 0.
--   * revenue: a JSON number (json_type BIGINT, UBIGINT or DOUBLE) whose DOUBLE value is finite
--     (DuckDB reads 1e999, NaN, Infinity as non-finite doubles), else 0 (strings such as "12.5" too).
--   * The referrer's host: the authority of `scheme://authority/...` (or `//authority/...`), without
--     userinfo (`...@`) and port (`:nnn`); a bracketed IPv6 literal is kept whole. An empty or missing
--     host means "no host": the source is then the whole (trimmed) referrer, lower-cased, with no
--     "www." removal. With a host: lower-cased first, then one leading "www." removed.
--   * Any event can be a touchpoint, whatever its event_type (a purchase carrying utm_source is a
--     touchpoint, inside its own window since touch time = t is included).
--   * The window is 0 <= t - touch time <= 30 * 24 h, both ends inclusive, to the microsecond; touch
--     time = t is included whatever the event_ids. Ties in time are ordered by event_id (VARCHAR order).
--   * Purchases and touchpoints are matched on user_id equality (a NULL user_id matches nothing, so such
--     a purchase is '(direct)').
-- Helper tables are prefixed oracle_h_.

-- Every event with its properties parsed: the string values (trimmed, NULL when not a non-empty JSON
-- string) and the revenue.
CREATE OR REPLACE TABLE oracle_h_attr_events AS
WITH objects AS (
  SELECT event_id, event_type, user_id, event_timestamp AS ts,
    CASE WHEN json_valid(properties) AND json_type(properties) = 'OBJECT' THEN properties END AS p
  FROM events
)
SELECT event_id, event_type, user_id, ts,
  CASE WHEN json_type(p, '$.utm_source') = 'VARCHAR'
    THEN nullif(trim(json_extract_string(p, '$.utm_source')), '') END AS utm_source,
  CASE WHEN json_type(p, '$.utm_medium') = 'VARCHAR'
    THEN nullif(trim(json_extract_string(p, '$.utm_medium')), '') END AS utm_medium,
  CASE WHEN json_type(p, '$.utm_campaign') = 'VARCHAR'
    THEN nullif(trim(json_extract_string(p, '$.utm_campaign')), '') END AS utm_campaign,
  CASE WHEN json_type(p, '$.referrer') = 'VARCHAR'
    THEN nullif(trim(json_extract_string(p, '$.referrer')), '') END AS referrer,
  CASE WHEN json_type(p, '$.revenue') IN ('BIGINT', 'UBIGINT', 'DOUBLE')
      AND isfinite(try_cast(json_extract(p, '$.revenue') AS DOUBLE))
    THEN try_cast(json_extract(p, '$.revenue') AS DOUBLE) ELSE CAST(0 AS DOUBLE) END AS revenue
FROM objects;

-- Touchpoints: events with a utm_source or a referrer, and their channel.
CREATE OR REPLACE TABLE oracle_h_touchpoints AS
WITH touches AS (
  SELECT event_id, user_id, ts, utm_source, utm_medium, utm_campaign, referrer,
    nullif(lower(regexp_extract(referrer,
      '^(?:[A-Za-z][A-Za-z0-9+.-]*:)?//(?:[^/?#@]*@)?(\[[^\]/?#]*\]|[^/?#:]*)', 1)), '') AS referrer_host
  FROM oracle_h_attr_events
  WHERE utm_source IS NOT NULL OR referrer IS NOT NULL
)
SELECT event_id, user_id, ts,
  CASE WHEN utm_source IS NOT NULL THEN utm_source
       WHEN referrer_host IS NOT NULL THEN regexp_replace(referrer_host, '^www\.', '')
       ELSE lower(referrer) END AS source,
  coalesce(utm_medium, CASE WHEN utm_source IS NULL THEN 'referral' ELSE '(not set)' END) AS medium,
  coalesce(utm_campaign, '(not set)') AS campaign
FROM touches;

-- Purchases (pk: a row number, so that the windows below do not rely on event_id being unique).
CREATE OR REPLACE TABLE oracle_h_purchases AS
SELECT row_number() OVER (ORDER BY ts, event_id) AS pk, event_id, user_id, ts, revenue,
  CAST(CAST(timezone('UTC', ts) AS DATE) AS TIMESTAMP) AS day
FROM oracle_h_attr_events
WHERE event_type = 'purchase';

-- Each purchase's window: its user's touchpoints with 0 <= t - touch time <= 30 days, numbered i = 1..n
-- by (time, event_id), with their age in weeks (of 7 * 24 h).
CREATE OR REPLACE TABLE oracle_h_attr_windows AS
SELECT p.pk, p.day, p.revenue, t.source, t.medium, t.campaign,
  row_number() OVER (PARTITION BY p.pk ORDER BY t.ts, t.event_id) AS i,
  count(*) OVER (PARTITION BY p.pk) AS n,
  CAST(epoch_us(p.ts) - epoch_us(t.ts) AS DOUBLE) / (7.0 * 24 * 3600 * 1000000) AS age_weeks
FROM oracle_h_purchases p
JOIN oracle_h_touchpoints t
  ON t.user_id = p.user_id
  AND epoch_us(p.ts) - epoch_us(t.ts) BETWEEN 0 AND CAST(30 AS BIGINT) * 24 * 3600 * 1000000;

-- The share of each (purchase, model, touchpoint), zeros left out; purchases with an empty window
-- give share 1 to ('(direct)', '(none)', '(not set)') in every model.
CREATE OR REPLACE TABLE oracle_h_attr_shares AS
SELECT pk, day, revenue, 'first_touch' AS model, source, medium, campaign, CAST(1 AS DOUBLE) AS share
FROM oracle_h_attr_windows WHERE i = 1
UNION ALL
SELECT pk, day, revenue, 'last_touch', source, medium, campaign, CAST(1 AS DOUBLE)
FROM oracle_h_attr_windows WHERE i = n
UNION ALL
SELECT pk, day, revenue, 'linear', source, medium, campaign, CAST(1 AS DOUBLE) / n
FROM oracle_h_attr_windows
UNION ALL
SELECT pk, day, revenue, 'position_based', source, medium, campaign,
  CASE WHEN n = 1 THEN CAST(1 AS DOUBLE)
       WHEN n = 2 THEN CAST(0.5 AS DOUBLE)
       WHEN i = 1 OR i = n THEN CAST(0.4 AS DOUBLE)
       ELSE CAST(0.2 AS DOUBLE) / (n - 2) END
FROM oracle_h_attr_windows
UNION ALL
SELECT pk, day, revenue, 'time_decay', source, medium, campaign,
  pow(2.0, -age_weeks) / sum(pow(2.0, -age_weeks)) OVER (PARTITION BY pk)
FROM oracle_h_attr_windows
UNION ALL
SELECT p.pk, p.day, p.revenue, m.model, '(direct)', '(none)', '(not set)', CAST(1 AS DOUBLE)
FROM oracle_h_purchases p
CROSS JOIN (VALUES ('first_touch'), ('last_touch'), ('linear'), ('position_based'), ('time_decay')) m(model)
WHERE NOT EXISTS (SELECT 1 FROM oracle_h_attr_windows w WHERE w.pk = p.pk);

-- revenue_attribution: per (day, model, channel), revenue = sum(revenue * share), purchases = sum(share).
CREATE OR REPLACE TABLE oracle_revenue_attribution AS
SELECT day, model, source, medium, campaign,
  CAST(sum(revenue * share) AS DOUBLE) AS revenue,
  CAST(sum(share) AS DOUBLE) AS purchases
FROM oracle_h_attr_shares
WHERE share <> 0
GROUP BY day, model, source, medium, campaign
ORDER BY day, model, source, medium, campaign;
