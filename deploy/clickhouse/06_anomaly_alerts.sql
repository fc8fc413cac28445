-- 06: the stored alerts, one per alert_id once deduplicated.
--
-- An alert is published again when the pipeline replays its input, with the same alert_id. A
-- ReplacingMergeTree keeps, among rows with the same sorting key, the one with the greatest version
-- (here emitted_at, so the latest emission wins; on a tie the last inserted). It deduplicates only
-- when parts merge, at an unknown time: read through the view (08), which deduplicates at query time.
-- window_start leads the sorting key for time-range queries; it is part of alert_id, so the sorting
-- key is as unique as alert_id, and all copies of an alert land in the same monthly partition.
CREATE TABLE IF NOT EXISTS analytics.anomaly_alerts
(
    window_start     DateTime,
    alert_id         String,
    series           String,
    series_key       String,
    window_end       DateTime,
    value            Float64,
    mean             Float64,
    stddev           Float64,
    z_score          Float64,
    direction        String,
    emitted_at       DateTime
)
ENGINE = ReplacingMergeTree(emitted_at)
PARTITION BY toYYYYMM(window_start)
ORDER BY (window_start, alert_id)
