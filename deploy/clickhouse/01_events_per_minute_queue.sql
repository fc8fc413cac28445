-- 01: a Kafka engine table reading the streaming pipeline's per-minute counts.
--
-- A Kafka engine table stores nothing: each row is consumed once (the consumer group's offsets are
-- committed in Kafka) and handed to the materialized views that read from it (03). Selecting from it
-- directly steals rows from the views: do not.
--
-- Every field of the JSON record is declared: JSONEachRow rejects a field the table does not have
-- unless input_format_skip_unknown_fields is on, and 18.16's Kafka engine has no table setting for it
-- (nor kafka_skip_broken_messages: "Unknown setting ... for storage Kafka"). If the pipeline adds a
-- field, add the column here first.
--
-- Placeholders (apply.sh fills them from the environment):
--   ${KAFKA_BROKERS}         host:port[,host:port...] of the brokers
--   ${METRICS_TOPIC}         the pipeline's topic, by default metrics.events_per_minute
--   ${METRICS_GROUP}         the consumer group ClickHouse commits its offsets under
CREATE TABLE IF NOT EXISTS analytics.events_per_minute_queue
(
    window_start     String,   -- ISO-8601, e.g. 2026-11-28T14:05:00Z (03 uses window_start_ms instead)
    window_start_ms  UInt64,   -- epoch milliseconds of window_start
    window_end       String,
    window_end_ms    UInt64,
    event_type       String,
    platform         String,
    country          String,   -- may be the string 'unknown'
    event_count      UInt64,   -- ABSOLUTE count of the key as of one pane: never sum these
    pane_timing      String,   -- EARLY, ON_TIME, LATE or UNKNOWN
    pane_index       UInt64,
    emitted_at       String    -- ISO-8601 with milliseconds
)
ENGINE = Kafka
SETTINGS kafka_broker_list = '${KAFKA_BROKERS}',
         kafka_topic_list = '${METRICS_TOPIC}',
         kafka_group_name = '${METRICS_GROUP}',
         kafka_format = 'JSONEachRow',
         kafka_num_consumers = 1
