package io.github.analytics.generator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Publishes generated records to a Kafka topic as the collector will: the payload bytes unchanged as
 * the value, the {@code user_id} as the key (so one user's events share a partition and keep their
 * order), the arrival time as the record's timestamp, and a {@code source} header. A record without a
 * readable {@code user_id} (a malformed one) is sent without a key, as a collector forwarding it to
 * the dead-letter path would.
 *
 * <p>Nothing is dropped silently: sends are acknowledged by every in-sync replica, and {@link #close()}
 * flushes and throws if any send failed.
 */
public final class KafkaWriter implements AutoCloseable {
  /** The header naming where a record came from, as {@code RawEvent.source}. */
  public static final String SOURCE_HEADER = "source";
  private static final JsonFactory JSON = new JsonFactory();

  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final AtomicLong acknowledged = new AtomicLong();
  private long sent;

  private KafkaWriter(KafkaProducer<String, byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  /** A writer to {@code topic} on the cluster at {@code bootstrapServers}. */
  public static KafkaWriter open(String bootstrapServers, String topic) {
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("The Kafka topic is empty: name one, e.g. --topic events");
    }
    return new KafkaWriter(producer(bootstrapServers), topic);
  }

  /**
   * A producer configured as the collector's: every replica acknowledges, idempotent (a retried send
   * is written once), small batches compressed with lz4; keys are user ids, values payload bytes.
   */
  public static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
        new StringSerializer(), new ByteArraySerializer());
  }

  /** Sends one record; fails fast once an earlier send has failed. */
  public void write(GeneratedRecord record) {
    Exception earlier = failure.get();
    if (earlier != null) {
      throw new IllegalStateException("An earlier send to Kafka topic " + topic + " failed", earlier);
    }
    ProducerRecord<String, byte[]> message = new ProducerRecord<>(
        topic, null, record.receivedAtMillis(), userId(record.payload()), record.payload());
    message.headers().add(SOURCE_HEADER, EventGenerator.SOURCE.getBytes(StandardCharsets.UTF_8));
    sent++;
    latestTimestamp = Math.max(latestTimestamp, record.receivedAtMillis());
    producer.send(message, (metadata, e) -> {
      if (e != null) {
        failure.compareAndSet(null, e);
      } else {
        acknowledged.incrementAndGet();
      }
    });
  }

  /** The latest record timestamp sent, to explain a broker's refusal of future timestamps. */
  private long latestTimestamp = Long.MIN_VALUE;

  /** Records handed to the producer so far. */
  public long sent() {
    return sent;
  }

  /** Flushes, closes, and throws if any record was not acknowledged. */
  @Override
  public void close() {
    try {
      producer.flush();
    } finally {
      producer.close();
    }
    Exception e = failure.get();
    if (e != null || acknowledged.get() != sent) {
      String refused = String.format(java.util.Locale.ROOT,
          "Kafka acknowledged %,d of %,d records sent to topic %s%s", acknowledged.get(), sent, topic,
          e == null ? "" : ": " + e.getMessage());
      long hourAhead = System.currentTimeMillis() + 3_600_000L;
      if (latestTimestamp > hourAhead) {
        // The broker's default message.timestamp.after.max.ms refuses these; say what to change.
        throw new IllegalArgumentException(refused + ". The records' timestamps (arrival times) reach "
            + java.time.Instant.ofEpochMilli(latestTimestamp) + ", more than an hour ahead of now, and"
            + " a broker refuses timestamps beyond message.timestamp.after.max.ms (1 hour by default):"
            + " generate a past --date, use --live to send each record when its time comes, or raise"
            + " that setting on the topic.", e);
      }
      throw new IllegalStateException(refused, e);
    }
  }

  /**
   * The top-level {@code user_id} string of a payload that is a whole JSON object in valid UTF-8 (the
   * last one, if repeated), or null: a record that does not parse is sent without a key.
   */
  static @Nullable String userId(byte[] payload) {
    try (JsonParser parser = JSON.createParser(payload)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String userId = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("user_id".equals(field)) {
          userId = value == JsonToken.VALUE_STRING ? parser.getText() : null;
        } else {
          parser.skipChildren();
        }
      }
      // The object must close and nothing may follow it.
      return parser.currentToken() == JsonToken.END_OBJECT && parser.nextToken() == null ? userId : null;
    } catch (IOException | RuntimeException e) {
      return null; // malformed JSON, invalid UTF-8: no key, the parser downstream dead-letters it
    }
  }
}
