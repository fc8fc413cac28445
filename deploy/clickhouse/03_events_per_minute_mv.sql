-- 03: moves each block consumed by the Kafka table (01) into the aggregate table (02).
--
-- window_start comes from window_start_ms (epoch milliseconds) rather than from parsing the ISO
-- string: integer division is exact and independent of the server's time zone. emitted_at is parsed
-- with parseDateTimeBestEffort, which 18.16 has and which honours the trailing 'Z' (tested with a
-- server whose time zone is not UTC); its milliseconds are dropped.
CREATE MATERIALIZED VIEW IF NOT EXISTS analytics.events_per_minute_mv
TO analytics.events_per_minute_agg
AS SELECT
    toDateTime(intDiv(window_start_ms, 1000))                  AS window_start,
    event_type,
    platform,
    country,
    maxState(event_count)                                      AS event_count,
    maxState(parseDateTimeBestEffort(window_end))              AS window_end,
    maxState(parseDateTimeBestEffort(emitted_at))              AS last_emitted_at
FROM analytics.events_per_minute_queue
GROUP BY window_start, event_type, platform, country
