package io.github.analytics.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The Kafka topics the streaming layer reads and writes. */
public interface KafkaOptions extends PipelineOptions {
  @Description("Kafka bootstrap servers, host:port[,host:port...] (`analytics stack` prints its own).")
  @Default.String("localhost:9092")
  String getBootstrapServers();

  void setBootstrapServers(String value);

  @Description(
      "Topic of raw events, as the collector publishes them: the JSON payload as value, keyed by"
          + " user_id, the arrival time as the record timestamp.")
  @Default.String("events")
  String getInputTopic();

  void setInputTopic(String value);

  @Description(
      "Consumer group: offsets are committed under it at each checkpoint. A group without offsets"
          + " starts at the earliest record. Use another group to read the topic again from the start.")
  @Default.String("analytics-streaming")
  String getConsumerGroup();

  void setConsumerGroup(String value);

  @Description(
      "Watermark: how many seconds a partition's records may arrive out of order by their arrival"
          + " time. On-time results wait this long after a window ends.")
  @Default.Integer(5)
  int getMaxOutOfOrdernessSeconds();

  void setMaxOutOfOrdernessSeconds(int value);

  @Description(
      "Watermark: let record times ahead of the wall clock move it, for replays faster than real time"
          + " (./analytics demo streams a day at 60 times real time). Off by default: a record time ahead"
          + " of the clock is taken for a wrong clock, and the watermark then stays at the clock minus"
          + " --maxOutOfOrdernessSeconds (KafkaIO's own policy), so windows of a replay ahead of the clock"
          + " only close once the clock reaches them.")
  @Default.Boolean(false)
  boolean getWatermarkAheadOfClock();

  void setWatermarkAheadOfClock(boolean value);

  @Description(
      "Topic for dead letters: each rejected record's payload as received, with headers"
          + " dead_letter_reason, dead_letter_message, dead_letter_step and source. Empty: none.")
  @Default.String("events.dead_letters")
  String getDeadLetterTopic();

  void setDeadLetterTopic(String value);

  @Description(
      "Topic for per-minute rollups (event_counts_per_minute rows as JSON, absolute counts: keep the"
          + " max per key), for Druid or ClickHouse (see deploy/). Empty: none.")
  @Default.String("metrics.events_per_minute")
  String getRollupTopic();

  void setRollupTopic(String value);

  @Description("Topic for anomaly alerts (anomalies rows as JSON, keyed by alert id). Empty: none.")
  @Default.String("alerts.anomalies")
  String getAlertTopic();

  void setAlertTopic(String value);
}
