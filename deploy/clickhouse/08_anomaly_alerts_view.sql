-- 08: one row per alert, whether or not its copies have been merged yet (FINAL deduplicates at query
-- time; alerts are few, so its cost is small).
--
--   SELECT window_start, series, series_key, value, z_score, direction
--   FROM analytics.anomaly_alerts_final
--   WHERE window_start >= now() - INTERVAL 1 DAY
--   ORDER BY window_start DESC
CREATE VIEW IF NOT EXISTS analytics.anomaly_alerts_final
AS SELECT *
FROM analytics.anomaly_alerts FINAL
