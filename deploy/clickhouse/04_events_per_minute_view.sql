-- 04: the final count of each (minute, event_type, platform, country): what dashboards query.
-- maxMerge ... GROUP BY combines every part, merged or not, so the answer is exact at any moment.
--
--   SELECT window_start, sum(event_count) AS events
--   FROM analytics.events_per_minute
--   WHERE window_start >= now() - INTERVAL 1 HOUR
--   GROUP BY window_start ORDER BY window_start
--
-- (Summing across keys is right here: each row of this view is already one key's final count.)
CREATE VIEW IF NOT EXISTS analytics.events_per_minute
AS SELECT
    window_start,
    maxMerge(window_end)       AS window_end,
    event_type,
    platform,
    country,
    maxMerge(event_count)      AS event_count,
    maxMerge(last_emitted_at)  AS last_emitted_at
FROM analytics.events_per_minute_agg
GROUP BY window_start, event_type, platform, country
