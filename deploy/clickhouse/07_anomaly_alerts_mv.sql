-- 07: moves each block consumed by the Kafka table (05) into the alerts table (06). Time stamps as in
-- 03: window_start from the epoch milliseconds, the others with parseDateTimeBestEffort.
CREATE MATERIALIZED VIEW IF NOT EXISTS analytics.anomaly_alerts_mv
TO analytics.anomaly_alerts
AS SELECT
    toDateTime(intDiv(window_start_ms, 1000))       AS window_start,
    alert_id,
    series,
    series_key,
    parseDateTimeBestEffort(window_end)             AS window_end,
    value,
    mean,
    stddev,
    z_score,
    direction,
    parseDateTimeBestEffort(emitted_at)             AS emitted_at
FROM analytics.anomaly_alerts_queue
