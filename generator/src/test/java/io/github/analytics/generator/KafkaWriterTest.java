package io.github.analytics.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.stack.KafkaBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * `generate --kafka` against a real broker: every record arrives, keyed by user (when the payload is a
 * JSON object in valid UTF-8 with a string user_id), at its arrival time.
 */
class KafkaWriterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The oracle for keys: strict UTF-8 decoding and a full JSON parse, not the writer's scan. */
  private static String expectedKey(byte[] payload) {
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(payload)).toString();
      JsonNode node = JSON.readTree(text);
      JsonNode user = node == null || !node.isObject() ? null : node.get("user_id");
      return user != null && user.isTextual() ? user.asText() : null;
    } catch (Exception e) {
      return null;
    }
  }

  @Test
  void generatePublishesEveryRecordKeyedByUserAtItsArrivalTime(@TempDir Path dir) throws Exception {
    LocalDate day = LocalDate.parse("2026-11-27");
    try (KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"))) {
      StringWriter out = new StringWriter();
      CommandLine command = new CommandLine(new GenerateCommand());
      command.setOut(new PrintWriter(out));
      int code = command.execute("--date", day.toString(), "--events", "2000", "--users", "200",
          "--format", "NONE", "--kafka", kafka.bootstrapServers(), "--topic", "raw-events",
          "--out", dir.toString());
      assertEquals(0, code, out.toString());

      // What the generator makes for these options, record by record (it is deterministic).
      List<GeneratedRecord> expected = new ArrayList<>();
      EventGenerator.of(GeneratorConfig.forDay(day).withEvents(2000).withUsers(200))
          .generate(expected::add);

      Properties props = new Properties();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      props.put(ConsumerConfig.GROUP_ID_CONFIG, "test");
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      List<ConsumerRecord<String, byte[]>> received = new ArrayList<>();
      try (KafkaConsumer<String, byte[]> consumer =
          new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of("raw-events"));
        Instant deadline = Instant.now().plusSeconds(60);
        while (received.size() < expected.size() && Instant.now().isBefore(deadline)) {
          consumer.poll(Duration.ofMillis(500)).forEach(received::add);
        }
      }
      assertEquals(expected.size(), received.size(), "records in the topic");

      // Match by payload: each record arrived once, with its key, timestamp and source.
      Map<String, GeneratedRecord> byPayload = new HashMap<>();
      for (GeneratedRecord r : expected) {
        byPayload.put(new String(r.payload(), StandardCharsets.ISO_8859_1) + "@" + r.receivedAtMillis(), r);
      }
      Map<String, Set<Integer>> partitionsByUser = new HashMap<>();
      int unkeyed = 0;
      for (ConsumerRecord<String, byte[]> r : received) {
        GeneratedRecord sent = byPayload.remove(
            new String(r.value(), StandardCharsets.ISO_8859_1) + "@" + r.timestamp());
        assertEquals(true, sent != null, "an unexpected or repeated record at " + r.timestamp());
        assertEquals(expectedKey(sent.payload()), r.key());
        assertArrayEquals("generator".getBytes(StandardCharsets.UTF_8),
            r.headers().lastHeader(KafkaWriter.SOURCE_HEADER).value());
        if (r.key() == null) {
          unkeyed++;
        } else {
          partitionsByUser.computeIfAbsent(r.key(), k -> new HashSet<>()).add(r.partition());
        }
      }
      assertEquals(0, byPayload.size(), "records never published");
      partitionsByUser.forEach((user, partitions) ->
          assertEquals(1, partitions.size(), "partitions of " + user));
      // Malformed records without a readable user id exist and were still published.
      assertEquals(true, unkeyed > 0, "unkeyed (malformed) records");
    }
  }

  /** A day ahead of the broker's clock: it refuses the records, and the error says what to change. */
  @Test
  void aFutureDayFailsWithWhatToChange(@TempDir Path dir) throws Exception {
    LocalDate future = LocalDate.now(java.time.ZoneOffset.UTC).plusDays(3);
    try (KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"))) {
      StringWriter err = new StringWriter();
      CommandLine command = new CommandLine(new GenerateCommand());
      command.setOut(new PrintWriter(new StringWriter()));
      command.setErr(new PrintWriter(err));
      int code = command.execute("--date", future.toString(), "--events", "200", "--users", "20",
          "--format", "NONE", "--kafka", kafka.bootstrapServers(), "--topic", "future-events",
          "--out", dir.toString());
      assertEquals(true, code != 0, "exit code " + code);
      assertEquals(true, err.toString().contains("Kafka acknowledged 0 of "), err.toString());
      assertEquals(true, err.toString().contains("message.timestamp.after.max.ms"), err.toString());
    }
  }

  @Test
  void userIdIsReadFromTheTopLevelObjectOnly() {
    assertEquals("u1", KafkaWriter.userId("{\"a\":{\"user_id\":\"x\"},\"user_id\":\"u1\"}".getBytes()));
    assertNull(KafkaWriter.userId("{\"user_id\":7}".getBytes()));
    assertNull(KafkaWriter.userId("[\"user_id\"]".getBytes()));
    assertNull(KafkaWriter.userId("{\"user_id\":".getBytes()));
    assertNull(KafkaWriter.userId(new byte[] {(byte) 0xff, (byte) 0xfe}));
  }
}
