package io.github.analytics.bench.streaming;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratedRecord;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.generator.KafkaWriter;
import io.github.analytics.generator.RecordKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Valid events happening now, at any rate, for the freshness section. The generator's live mode
 * ({@code LiveRun}) replays a day at that day's own traffic, which at 20k events/s would take a day of
 * about 1.7 billion events; instead this takes a pool of the generator's valid events (realistic users,
 * sessions, properties, IPs and user agents) as templates and sends each with a fresh {@code event_id}
 * and with {@code client_timestamp} = {@code server_timestamp} = the record timestamp = the moment
 * of sending, so its event time is its produce time and its minute is the wall clock's. Templates are
 * pre-split around those three values, so a send costs a few small copies, not a JSON round trip.
 * Published as the collector does ({@link KafkaWriter}'s settings): key {@code user_id}, acks=all,
 * idempotent, lz4, linger 5 ms.
 */
final class LiveEvents implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ID = "@@EVENT_ID@@";
  private static final String CLIENT = "@@CLIENT_TS@@";
  private static final String SERVER = "@@SERVER_TS@@";
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** A payload cut at its three variable values, in payload order, and its user. */
  private record Template(String userId, byte[][] parts, int[] slots) {}

  private final List<Template> templates;
  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private long next;

  private LiveEvents(List<Template> templates, KafkaProducer<String, byte[]> producer, String topic) {
    this.templates = templates;
    this.producer = producer;
    this.topic = topic;
  }

  /** Up to {@code count} templates from a generated day of {@code users} users, and a producer. */
  static LiveEvents open(String bootstrapServers, String topic, int count, int users, long seed) {
    List<Template> templates = new ArrayList<>(count);
    for (GeneratedRecord record : EventGenerator.of(GeneratorConfig.forDay(LocalDate.of(2026, 11, 27))
        .withSeed(seed).withEvents(Math.max(count + count / 5, 1000)).withUsers(users).withLateShare(0))) {
      if (record.kind() == RecordKind.ON_TIME) {
        templates.add(template(record.payload()));
        if (templates.size() == count) {
          break;
        }
      }
    }
    return new LiveEvents(templates, KafkaWriter.producer(bootstrapServers), topic);
  }

  /** Sends the next event stamped {@code nowMillis} (the caller's wall clock), partitioned by its key. */
  void send(long nowMillis) {
    send(nowMillis, null);
  }

  /** Sends the next event stamped {@code nowMillis} to {@code partition} (null: by its key). */
  void send(long nowMillis, Integer partition) {
    Template t = templates.get((int) (next++ % templates.size()));
    byte[] time = ISO.format(java.time.Instant.ofEpochMilli(nowMillis)).getBytes(StandardCharsets.US_ASCII);
    byte[] id = uuid().getBytes(StandardCharsets.US_ASCII);
    int length = 0;
    for (byte[] part : t.parts()) {
      length += part.length;
    }
    for (int slot : t.slots()) {
      length += slot == 0 ? id.length : time.length;
    }
    byte[] payload = new byte[length];
    int at = 0;
    for (int i = 0; i < t.parts().length; i++) {
      System.arraycopy(t.parts()[i], 0, payload, at, t.parts()[i].length);
      at += t.parts()[i].length;
      if (i < t.slots().length) {
        byte[] value = t.slots()[i] == 0 ? id : time;
        System.arraycopy(value, 0, payload, at, value.length);
        at += value.length;
      }
    }
    ProducerRecord<String, byte[]> message = new ProducerRecord<>(topic, partition, nowMillis, t.userId(), payload);
    message.headers().add(KafkaWriter.SOURCE_HEADER, "bench".getBytes(StandardCharsets.US_ASCII));
    producer.send(message, (metadata, e) -> {
      if (e != null) {
        System.err.println("[bench] a send to " + topic + " failed: " + e);
      }
    });
  }

  @Override
  public void close() {
    producer.close();
  }

  private static Template template(byte[] payload) {
    try {
      ObjectNode node = (ObjectNode) JSON.readTree(payload);
      String user = node.get("user_id").asText();
      node.put("event_id", ID);
      node.put("client_timestamp", CLIENT);
      node.put("server_timestamp", SERVER);
      String json = JSON.writeValueAsString(node);
      String[] placeholders = {ID, CLIENT, SERVER};
      int[][] found = {{json.indexOf(ID), 0}, {json.indexOf(CLIENT), 1}, {json.indexOf(SERVER), 2}};
      Arrays.sort(found, (a, b) -> Integer.compare(a[0], b[0]));
      byte[][] parts = new byte[4][];
      int[] slots = new int[3];
      int from = 0;
      for (int i = 0; i < 3; i++) {
        parts[i] = json.substring(from, found[i][0]).getBytes(StandardCharsets.UTF_8);
        slots[i] = found[i][1];
        from = found[i][0] + placeholders[found[i][1]].length();
      }
      parts[3] = json.substring(from).getBytes(StandardCharsets.UTF_8);
      return new Template(user, parts, slots);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("A generated valid payload cannot be made a template: "
          + new String(payload, StandardCharsets.UTF_8), e);
    }
  }

  /** A random version-4 UUID, lower case, without SecureRandom's cost. */
  private static String uuid() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new java.util.UUID(msb, lsb).toString();
  }

}
