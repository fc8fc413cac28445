-- 05: a Kafka engine table reading the pipeline's anomaly alerts (same rules as 01: it stores nothing,
-- do not select from it, every JSON field is declared).
--
-- Placeholders (apply.sh fills them from the environment):
--   ${KAFKA_BROKERS}         host:port[,host:port...] of the brokers
--   ${ALERTS_TOPIC}          the pipeline's topic, by default alerts.anomalies
--   ${ALERTS_GROUP}          the consumer group ClickHouse commits its offsets under
CREATE TABLE IF NOT EXISTS analytics.anomaly_alerts_queue
(
    alert_id         String,   -- <series>|<series_key>|<window_start>: the same alert has the same id
    series           String,   -- e.g. event_type
    series_key       String,   -- e.g. error
    window_start     String,
    window_start_ms  UInt64,
    window_end       String,
    window_end_ms    UInt64,
    value            Float64,
    mean             Float64,
    stddev           Float64,
    z_score          Float64,
    direction        String,   -- above or below
    pane_timing      String,
    pane_index       UInt64,
    emitted_at       String
)
ENGINE = Kafka
SETTINGS kafka_broker_list = '${KAFKA_BROKERS}',
         kafka_topic_list = '${ALERTS_TOPIC}',
         kafka_group_name = '${ALERTS_GROUP}',
         kafka_format = 'JSONEachRow',
         kafka_num_consumers = 1
