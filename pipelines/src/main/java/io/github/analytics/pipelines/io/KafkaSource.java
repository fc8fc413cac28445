package io.github.analytics.pipelines.io;

import io.github.analytics.schemas.RawEvent;
import io.github.analytics.schemas.RawEventCoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaReadSource;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Reads the event topic as {@link RawEvent}s: the record value as the payload, byte for byte, the record
 * timestamp (the collector's arrival time, Kafka {@code CreateTime}) as {@code received_at}, and the
 * record's coordinates as the source ({@code kafka:events/3@1042}, followed by the producer's {@code
 * source} header when it sets one).
 *
 * <p>Watermark: per partition, the highest record timestamp seen minus {@code maxOutOfOrderness}
 * (arrival times of one partition are close to ordered; the delay absorbs producers whose clocks
 * differ), but at most the wall clock minus the delay (KafkaIO's policy: a time ahead of the clock is
 * taken for a wrong clock), unless {@link #withWatermarkAheadOfClock} lets replays faster than real
 * time move it ({@link ArrivalTimePolicy}). A partition with nothing left to read moves its watermark
 * to the wall clock minus the delay, so an idle partition does not hold every window open; a
 * partition that never had a record holds the watermark back. Event time is assigned later, by parsing ({@code ParseEvents}).
 *
 * <p>Only committed records are read ({@code read_committed}): what a transactional producer (the
 * dead-letter replay) aborted never reaches the job.
 *
 * <p>Offsets are committed to the consumer group when a checkpoint finalizes, so a job started again
 * without its state resumes where the group left off; a job restored from a checkpoint or savepoint
 * resumes from the offsets in that state.
 */
public final class KafkaSource extends PTransform<PBegin, PCollection<RawEvent>> {
  private static final long serialVersionUID = 1L;

  /**
   * Records per element out of the reader, at most: what one consumer poll returns by default ({@code
   * max.poll.records}).
   */
  static final int MAX_RECORDS_PER_BATCH = 500;

  private static final Coder<byte[]> BYTES = NullableCoder.of(ByteArrayCoder.of());

  /** The record header a producer may set to say where a record came from. */
  public static final String SOURCE_HEADER = "source";

  private final String bootstrapServers;
  private final String topic;
  private final String consumerGroup;
  private final Duration maxOutOfOrderness;
  private final boolean watermarkAheadOfClock;

  private KafkaSource(String bootstrapServers, String topic, String consumerGroup, Duration maxOutOfOrderness,
      boolean watermarkAheadOfClock) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.consumerGroup = consumerGroup;
    this.maxOutOfOrderness = maxOutOfOrderness;
    this.watermarkAheadOfClock = watermarkAheadOfClock;
  }

  /**
   * A source reading {@code topic} at {@code bootstrapServers} as consumer group {@code consumerGroup};
   * a group without committed offsets starts at the earliest record.
   */
  public static KafkaSource read(
      String bootstrapServers, String topic, String consumerGroup, Duration maxOutOfOrderness) {
    if (maxOutOfOrderness.isShorterThan(Duration.ZERO)) {
      throw new IllegalArgumentException("The out-of-orderness bound must not be negative");
    }
    return new KafkaSource(bootstrapServers, topic, consumerGroup, maxOutOfOrderness, false);
  }

  /**
   * Whether record times ahead of the wall clock move the watermark ({@link ArrivalTimePolicy}), for
   * replays faster than real time; by default KafkaIO's policy holds it at the clock then.
   */
  public KafkaSource withWatermarkAheadOfClock(boolean value) {
    return new KafkaSource(bootstrapServers, topic, consumerGroup, maxOutOfOrderness, value);
  }

  /**
   * Fails with what to do when {@code topic} does not exist at {@code bootstrapServers} (or the
   * brokers do not answer): a Kafka read of a missing topic would fail inside the job and restart.
   */
  public static void checkTopicExists(String bootstrapServers, String topic) {
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(
            Map.of(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                org.apache.kafka.clients.admin.AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                10_000,
                org.apache.kafka.clients.admin.AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                15_000))) {
      if (!admin.listTopics().names().get(20, java.util.concurrent.TimeUnit.SECONDS).contains(topic)) {
        throw new IllegalArgumentException(
            "The topic '" + topic + "' does not exist at " + bootstrapServers + ". Create it (kafka-topics.sh"
                + " --bootstrap-server " + bootstrapServers + " --create --topic " + topic
                + " --partitions 4), publish to it (analytics generate --kafka " + bootstrapServers
                + " --format NONE), or pass --inputTopic.");
      }
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalArgumentException(
          "No Kafka broker answers at " + bootstrapServers + " (--bootstrapServers): start one, for"
              + " example with `./analytics stack`, and pass its address.", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while checking the topic " + topic, e);
    }
  }

  @Override
  public PCollection<RawEvent> expand(PBegin input) {
    // KafkaIO's own (legacy, unbounded-source) reader, in batches of what a consumer poll returns:
    // see BatchedUnboundedSource for why.
    PCollection<RawEvent> raw =
        input
            .apply("ReadKafka",
                Read.from(BatchedUnboundedSource.of(KafkaReadSource.of(kafkaRead()), MAX_RECORDS_PER_BATCH)))
            .apply("ToRawEvents", ParDo.of(new ToRawEventFn()));
    return raw.setCoder(RawEventCoder.of());
  }

  /**
   * The KafkaIO read this source runs. Only committed records are read: the dead-letter replay writes
   * into the event topic in transactions, and the copies of a run killed mid-transaction are aborted
   * (the collector's producer is not transactional, so for its records this changes nothing).
   */
  KafkaIO.Read<byte[], byte[]> kafkaRead() {
    Map<String, Object> consumer = new HashMap<>();
    consumer.put(ConsumerConfig.GROUP_ID_CONFIG, consumerGroup);
    consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return
        KafkaIO.<byte[], byte[]>read()
            .withBootstrapServers(bootstrapServers)
            .withTopic(topic)
            // Nullable, as KafkaIO infers them: a record may have no key, or no value.
            .withKeyDeserializerAndCoder(ByteArrayDeserializer.class, BYTES)
            .withValueDeserializerAndCoder(ByteArrayDeserializer.class, BYTES)
            .withConsumerConfigUpdates(consumer)
            .withTimestampPolicyFactory(watermarkAheadOfClock
                ? arrivalTime(maxOutOfOrderness)
                : TimestampPolicyFactory.withCreateTime(maxOutOfOrderness))
            .commitOffsetsInFinalize();
  }

  /**
   * Each Kafka record of a batch to a {@link RawEvent} at the record's timestamp; a record without a
   * value is kept as an empty payload.
   */
  static final class ToRawEventFn extends DoFn<List<KafkaRecord<byte[], byte[]>>, RawEvent> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void processElement(
        @Element List<KafkaRecord<byte[], byte[]>> records, OutputReceiver<RawEvent> out) {
      for (KafkaRecord<byte[], byte[]> record : records) {
        byte[] value = record.getKV().getValue();
        Instant timestamp = new Instant(record.getTimestamp());
        out.outputWithTimestamp(
            RawEvent.of(value == null ? new byte[0] : value, timestamp, source(record)), timestamp);
      }
    }

    static String source(KafkaRecord<?, ?> record) {
      String coordinates =
          "kafka:" + record.getTopic() + "/" + record.getPartition() + "@" + record.getOffset();
      @Nullable String producer = header(record, SOURCE_HEADER);
      return producer == null ? coordinates : coordinates + " from " + producer;
    }

    private static @Nullable String header(KafkaRecord<?, ?> record, String name) {
      if (record.getHeaders() == null) {
        return null;
      }
      Header header = record.getHeaders().lastHeader(name);
      return header == null || header.value() == null
          ? null
          : new String(header.value(), StandardCharsets.UTF_8);
    }
  }

  /** {@link ArrivalTimePolicy} for every partition. */
  private static TimestampPolicyFactory<byte[], byte[]> arrivalTime(Duration maxDelay) {
    return (partition, previousWatermark) -> new ArrivalTimePolicy<>(maxDelay, previousWatermark);
  }
}
