package io.github.analytics.pipelines.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.analytics.schemas.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.ProducerRecordCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The streaming layer's Kafka outputs. Every producer uses {@code acks=all} with idempotence, so a
 * record the pipeline has handed over is not lost by a broker failover; records can still repeat after
 * a job restarts, and each carries what a consumer needs to deduplicate.
 *
 * <ul>
 *   <li>{@link #deadLetters}: the rejected record's payload byte for byte as the value (so the topic
 *       can be replayed into the event topic once the cause is fixed), and headers {@code
 *       dead_letter_reason}, {@code dead_letter_message}, {@code dead_letter_step}, {@code source};
 *       the record timestamp is the original arrival time.
 *   <li>{@link #metricRows}: one JSON object per metric row and firing ({@link RowJson}), keyed by the
 *       metric's key columns joined with {@code |}, with {@code pane_timing} ({@code EARLY}, {@code
 *       ON_TIME}, {@code LATE}), {@code pane_index} and {@code emitted_at}. Values are absolute: a later
 *       record of a key replaces an earlier one, and counts only grow, so consumers keep the maximum
 *       (or the latest) per key, never the sum.
 * </ul>
 */
public final class KafkaSinks {
  public static final String REASON_HEADER = "dead_letter_reason";
  public static final String MESSAGE_HEADER = "dead_letter_message";
  public static final String STEP_HEADER = "dead_letter_step";
  public static final String SOURCE_HEADER = KafkaSource.SOURCE_HEADER;

  private KafkaSinks() {}

  /** Dead letters to {@code topic}. */
  public static PTransform<PCollection<DeadLetter>, PDone> deadLetters(
      String bootstrapServers, String topic) {
    return new Write<>(bootstrapServers, topic, new DeadLetterFn(topic));
  }

  /**
   * Rows of a metric to {@code topic}, keyed by {@code keyColumns}; when {@code idField} is not null
   * the key is also in the JSON under that name (for example {@code alert_id}).
   */
  public static PTransform<PCollection<Row>, PDone> metricRows(
      String bootstrapServers, String topic, List<String> keyColumns, @Nullable String idField) {
    return new Write<>(bootstrapServers, topic, new MetricRowFn(topic, keyColumns, idField));
  }

  /** Turns elements into records, then writes them. */
  private static final class Write<T> extends PTransform<PCollection<T>, PDone> {
    private static final long serialVersionUID = 1L;
    private final String bootstrapServers;
    private final String topic;
    private final DoFn<T, ProducerRecord<byte[], byte[]>> toRecord;

    Write(String bootstrapServers, String topic, DoFn<T, ProducerRecord<byte[], byte[]>> toRecord) {
      this.bootstrapServers = bootstrapServers;
      this.topic = topic;
      this.toRecord = toRecord;
    }

    @Override
    public PDone expand(PCollection<T> input) {
      return input
          .apply("ToRecords", ParDo.of(toRecord))
          .setCoder(ProducerRecordCoder.of(NullableCoder.of(ByteArrayCoder.of()), ByteArrayCoder.of()))
          .apply(
              "WriteKafka",
              KafkaIO.<byte[], byte[]>writeRecords()
                  .withBootstrapServers(bootstrapServers)
                  .withTopic(topic)
                  .withKeySerializer(ByteArraySerializer.class)
                  .withValueSerializer(ByteArraySerializer.class)
                  .withProducerConfigUpdates(
                      Map.of(
                          ProducerConfig.ACKS_CONFIG, "all",
                          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)));
    }
  }

  private static final class DeadLetterFn extends DoFn<DeadLetter, ProducerRecord<byte[], byte[]>> {
    private static final long serialVersionUID = 1L;
    private final String topic;

    DeadLetterFn(String topic) {
      this.topic = topic;
    }

    @ProcessElement
    public void processElement(
        @Element DeadLetter dead, OutputReceiver<ProducerRecord<byte[], byte[]>> out) {
      RecordHeaders headers = new RecordHeaders();
      headers.add(new RecordHeader(REASON_HEADER, utf8(dead.getReason())));
      headers.add(new RecordHeader(MESSAGE_HEADER, utf8(dead.getMessage())));
      headers.add(new RecordHeader(STEP_HEADER, utf8(dead.getStep())));
      if (dead.getSource() != null) {
        headers.add(new RecordHeader(SOURCE_HEADER, utf8(dead.getSource())));
      }
      out.output(
          new ProducerRecord<>(
              topic, null, dead.getReceivedAt().getMillis(), null, dead.getPayload(), headers));
    }
  }

  private static final class MetricRowFn extends DoFn<Row, ProducerRecord<byte[], byte[]>> {
    private static final long serialVersionUID = 1L;
    private final String topic;
    private final List<String> keyColumns;
    private final @Nullable String idField;

    MetricRowFn(String topic, List<String> keyColumns, @Nullable String idField) {
      this.topic = topic;
      this.keyColumns = List.copyOf(keyColumns);
      this.idField = idField;
    }

    @ProcessElement
    public void processElement(
        @Element Row row, PaneInfo pane, OutputReceiver<ProducerRecord<byte[], byte[]>> out) {
      String key = RowJson.key(row, keyColumns);
      ObjectNode json = RowJson.toJson(row, List.of());
      if (idField != null) {
        json.put(idField, key);
      }
      json.put("pane_timing", pane.getTiming().name());
      json.put("pane_index", pane.getIndex());
      json.put("emitted_at", RowJson.instant(System.currentTimeMillis()));
      out.output(
          new ProducerRecord<>(
              topic, utf8(key), utf8(RowJson.write(json))));
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
