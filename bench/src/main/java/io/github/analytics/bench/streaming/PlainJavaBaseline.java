package io.github.analytics.bench.streaming;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.zetasketch.HyperLogLogPlusPlus;
import io.github.analytics.generator.PayloadLimits;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The practical limit on this machine: one thread, no framework, computing the streaming layer's
 * headline outputs from the same topic. A {@link KafkaConsumer} reads every partition from the start;
 * each payload is parsed with Jackson's streaming parser (the required fields, as the pipeline checks
 * them: size, duplicate keys, ids, type, user, timestamps as ISO-8601 or epoch ms and in range,
 * properties an object within its limit); copies of an {@code event_id} are
 * dropped (a primitive hash set of 64-bit id hashes); event time is {@code client_timestamp} capped at
 * {@code server_timestamp} (or the record's timestamp); then per-minute counts by event type and
 * hourly distinct users per event type and overall with ZetaSketch HLL++ at the pipeline's default
 * precision (15). No enrichment, sessions, funnels or anomalies: those are the pipeline's extra work.
 */
final class PlainJavaBaseline {
  private static final JsonFactory JSON =
      new JsonFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final long DAY_MILLIS = 86_400_000L;
  private static final int HLL_PRECISION = 15;

  private PlainJavaBaseline() {}

  /** What the baseline measured and computed. */
  record Result(
      long records,
      long validEvents,
      long invalid,
      long duplicates,
      double seconds,
      double eventsPerSecond,
      int minuteRows,
      int hourlySketches,
      long distinctUsersAllHoursSum) {}

  /**
   * Reads {@code topic} from the beginning to the end offsets it has when called (a pre-loaded topic)
   * and returns the figures; fails after {@code timeout}.
   */
  static Result run(String bootstrapServers, String topic, long expectedRecords, Duration timeout) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
    props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));

      State state = new State(expectedRecords);
      long started = System.nanoTime();
      long deadline = started + timeout.toNanos();
      Map<TopicPartition, Long> remaining = new HashMap<>(end);
      remaining.values().removeIf(offset -> offset == 0);
      while (!remaining.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("The plain-Java baseline read " + state.records + " of "
              + expectedRecords + " records of " + topic + " in " + timeout
              + "; raise the timeout or check the broker");
        }
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> record : batch) {
          state.accept(record.value(), record.timestamp());
        }
        remaining.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      long usersSum = 0;
      for (Map.Entry<String, HyperLogLogPlusPlus<String>> e : state.hourly.entrySet()) {
        if (e.getKey().startsWith("all|")) {
          usersSum += e.getValue().result();
        }
      }
      int minuteRows = 0;
      for (Map<String, long[]> m : state.perMinute.values()) {
        minuteRows += m.size();
      }
      return new Result(state.records, state.valid, state.invalid, state.duplicates, seconds,
          state.records / seconds, minuteRows, state.hourly.size(), usersSum);
    }
  }

  /** The running computation. */
  private static final class State {
    final Map<Long, Map<String, long[]>> perMinute = new HashMap<>();
    final Map<String, HyperLogLogPlusPlus<String>> hourly = new HashMap<>();
    final LongHashSet seenIds;
    long records;
    long valid;
    long invalid;
    long duplicates;

    State(long expectedRecords) {
      seenIds = new LongHashSet(expectedRecords);
    }

    void accept(byte[] payload, long recordTimestamp) {
      records++;
      Fields f = Fields.parse(payload);
      if (f == null) {
        invalid++;
        return;
      }
      if (!seenIds.add(f.idHash)) {
        duplicates++;
        return;
      }
      valid++;
      long cap = f.serverMillis == Long.MIN_VALUE ? recordTimestamp : f.serverMillis;
      long eventTime = Math.min(f.clientMillis, cap);
      long minute = Math.floorDiv(eventTime, 60_000L);
      perMinute.computeIfAbsent(minute, m -> new HashMap<>())
          .computeIfAbsent(f.eventType, t -> new long[1])[0]++;
      long hour = Math.floorDiv(eventTime, 3_600_000L);
      sketch(hour + "|" + f.eventType).add(f.userId);
      sketch("all|" + hour).add(f.userId);
    }

    private HyperLogLogPlusPlus<String> sketch(String key) {
      return hourly.computeIfAbsent(key,
          k -> new HyperLogLogPlusPlus.Builder().normalPrecision(HLL_PRECISION).buildForStrings());
    }
  }

  /** The fields the baseline needs, or null for a record the pipeline would dead-letter. */
  private static final class Fields {
    long idHash;
    String eventType;
    String userId;
    long clientMillis = Long.MIN_VALUE;
    long serverMillis = Long.MIN_VALUE;

    static Fields parse(byte[] payload) {
      if (payload.length > PayloadLimits.DEFAULT_MAX_PAYLOAD_BYTES) {
        return null;
      }
      Fields f = new Fields();
      boolean session = false;
      boolean platform = false;
      String eventId = null;
      try (JsonParser p = JSON.createParser(payload)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return null;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken value = p.nextToken();
          switch (name) {
            case "event_id" -> eventId = value == JsonToken.VALUE_STRING ? p.getText() : null;
            case "event_type" -> f.eventType = value == JsonToken.VALUE_STRING ? p.getText() : null;
            case "user_id" -> f.userId = value == JsonToken.VALUE_STRING ? p.getText() : null;
            case "session_id" -> session = value == JsonToken.VALUE_STRING && !p.getText().isEmpty();
            case "platform" -> platform = value == JsonToken.VALUE_STRING && !p.getText().isEmpty();
            case "client_timestamp" -> f.clientMillis = millis(p, value);
            case "server_timestamp" -> f.serverMillis = millis(p, value);
            case "properties" -> {
              if (value != JsonToken.START_OBJECT) {
                return null;
              }
              long from = p.currentTokenLocation().getByteOffset();
              p.skipChildren();
              if (p.currentLocation().getByteOffset() - from > PayloadLimits.DEFAULT_MAX_PROPERTIES_BYTES) {
                return null;
              }
            }
            default -> p.skipChildren();
          }
        }
        if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
          return null;
        }
      } catch (IOException | RuntimeException e) {
        return null;
      }
      if (eventId == null || f.eventType == null || f.eventType.isEmpty() || f.userId == null
          || f.userId.isEmpty() || !session || !platform || f.clientMillis == Long.MIN_VALUE) {
        return null;
      }
      if (f.serverMillis != Long.MIN_VALUE
          && (f.clientMillis < f.serverMillis - PayloadLimits.MAX_CLIENT_DAYS_BEFORE_SERVER * DAY_MILLIS
              || f.clientMillis > f.serverMillis + PayloadLimits.MAX_CLIENT_DAYS_AFTER_SERVER * DAY_MILLIS)) {
        return null;
      }
      try {
        java.util.UUID id = java.util.UUID.fromString(eventId);
        f.idHash = id.getMostSignificantBits() * 0x9E3779B97F4A7C15L ^ id.getLeastSignificantBits();
      } catch (IllegalArgumentException e) {
        return null;
      }
      return f;
    }

    private static long millis(JsonParser p, JsonToken value) throws IOException {
      if (value == JsonToken.VALUE_NUMBER_INT) {
        return p.getLongValue();
      }
      if (value == JsonToken.VALUE_STRING) {
        return Instant.parse(p.getText()).toEpochMilli();
      }
      throw new IOException("not a timestamp");
    }
  }

  /** An open-addressing set of non-zero longs (0 is stored as a flag). */
  private static final class LongHashSet {
    private long[] slots;
    private int size;
    private boolean hasZero;

    LongHashSet(long expected) {
      int capacity = Integer.highestOneBit((int) Math.min(1L << 29, Math.max(16, expected * 2)) - 1) << 1;
      slots = new long[capacity];
    }

    boolean add(long value) {
      if (value == 0) {
        boolean added = !hasZero;
        hasZero = true;
        return added;
      }
      if (size * 2 >= slots.length) {
        grow();
      }
      int mask = slots.length - 1;
      int i = (int) (mix(value) & mask);
      while (slots[i] != 0) {
        if (slots[i] == value) {
          return false;
        }
        i = (i + 1) & mask;
      }
      slots[i] = value;
      size++;
      return true;
    }

    private void grow() {
      long[] old = slots;
      slots = new long[old.length * 2];
      size = 0;
      for (long v : old) {
        if (v != 0) {
          add(v);
        }
      }
    }

    private static long mix(long v) {
      v ^= v >>> 33;
      v *= 0xff51afd7ed558ccdL;
      v ^= v >>> 33;
      return v;
    }
  }
}
