package io.github.analytics.pipelines.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.pipelines.io.KafkaSinks;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.schemas.RawEventCoder;
import io.github.analytics.stack.KafkaBroker;
import io.github.analytics.transforms.ingest.ParseEvents;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link DeadLetterReplay} against a real Kafka broker. Dead letters are written by hand as the
 * streaming job's sink writes them (payload as value, no key, the reason, message, step and source
 * headers, the original arrival as timestamp), except in the last case, where the job's own sink
 * writes them. What should come back is decided by how each payload was built, not by the parser.
 */
class DeadLetterReplayTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static KafkaBroker kafka;
  private static KafkaProducer<byte[], byte[]> producer;
  private static final List<java.util.concurrent.Future<?>> pending = new ArrayList<>();

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = KafkaBroker.start(Files.createTempDirectory("replay-kafka"));
  }

  /** A producer per test, so that one test's failed sends cannot fail the next. */
  @BeforeEach
  void openProducer() {
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterEach
  void closeProducer() {
    pending.clear();
    producer.close();
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  /** A native event as the collector writes it; {@code server} null leaves server_timestamp out. */
  static String event(String userId, Instant client, Instant server) {
    return "{\"event_id\":\"" + UUID.randomUUID() + "\",\"event_type\":\"page_view\",\"user_id\":\"" + userId
        + "\",\"session_id\":\"s-" + userId + "\",\"platform\":\"web\",\"client_timestamp\":\"" + client + "\""
        + (server == null ? "" : ",\"server_timestamp\":\"" + server + "\"") + ",\"properties\":{\"page\":\"/\"}}";
  }

  static void deadLetter(String topic, String payload, String reason, String step, String source, Instant arrival) {
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, arrival.toEpochMilli(), null,
        payload == null ? null : payload.getBytes(StandardCharsets.UTF_8));
    record.headers().add(KafkaSinks.REASON_HEADER, bytes(reason));
    record.headers().add(KafkaSinks.MESSAGE_HEADER, bytes("rejected by the rule of the day"));
    record.headers().add(KafkaSinks.STEP_HEADER, bytes(step));
    if (source != null) {
      record.headers().add(KafkaSinks.SOURCE_HEADER, bytes(source));
    }
    pending.add(producer.send(record));
  }

  /** Waits until every dead letter written is acknowledged; fails the test if one was not. */
  static void flush() throws Exception {
    producer.flush();
    for (java.util.concurrent.Future<?> sent : pending) {
      try {
        sent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new AssertionError("A dead letter was not acknowledged; the broker's log is " + kafka.log(), e);
      }
    }
    pending.clear();
  }


  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static ReplayResult replay(ReplaySettings settings, ByteArrayOutputStream printed) {
    return DeadLetterReplay.run(settings, new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  private static ReplayResult replay(ReplaySettings settings) {
    return replay(settings, new ByteArrayOutputStream());
  }

  /** The event topic's committed records by payload, each payload's copies. */
  private static Map<String, List<ConsumerRecord<String, byte[]>>> byPayload(String topic, int expected) {
    Map<String, List<ConsumerRecord<String, byte[]>>> copies = new TreeMap<>();
    for (ConsumerRecord<String, byte[]> record : kafka.readAll(topic, expected, WAIT)) {
      copies.computeIfAbsent(new String(record.value(), StandardCharsets.UTF_8), k -> new ArrayList<>()).add(record);
    }
    return copies;
  }

  private static String header(ConsumerRecord<?, ?> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static void assertEachOnce(Map<String, String> expectedKeys, String eventTopic) {
    Map<String, List<ConsumerRecord<String, byte[]>>> copies = byPayload(eventTopic, expectedKeys.size());
    assertEquals(expectedKeys.keySet(), copies.keySet(), "the records that parse, and only they");
    copies.forEach((payload, records) -> {
      assertEquals(1, records.size(), "sent once: " + payload);
      assertEquals(expectedKeys.get(payload), records.get(0).key(), "keyed by user_id: " + payload);
    });
  }

  @Test
  void sendsWhatParsesNowEachOnceKeyedByUserWithItsSourceAndNothingOnASecondRun() throws Exception {
    String dl = "dl-mixed";
    String events = "events-mixed";
    kafka.createTopics(dl, events);
    Instant now = Instant.now();
    Instant yesterday = now.minus(Duration.ofDays(1));
    Map<String, String> parses = new HashMap<>(); // payload -> user_id
    Map<String, String> sources = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      // Valid events an old rule refused (a reason that no longer exists).
      String payload = event("u" + i, yesterday, yesterday.plusSeconds(1));
      parses.put(payload, "u" + i);
      sources.put(payload, "kafka:events/" + (i % 4) + "@" + (100 + i) + " from web");
      deadLetter(dl, payload, "OLD_RULE", "ParseEvents", sources.get(payload), yesterday.plusSeconds(1));
    }
    // No server_timestamp: the arrival is the reference. An hour old is fine when it arrives now.
    String recent = event("u-recent", now.minus(Duration.ofHours(1)), null);
    parses.put(recent, "u-recent");
    deadLetter(dl, recent, "OLD_RULE", "ParseEvents", null, now.minus(Duration.ofHours(1)));
    // 40 days old was fine at its arrival, but the job would see it arrive now: not sent.
    Instant old = now.minus(Duration.ofDays(40));
    deadLetter(dl, event("u-old", old, null), "OLD_RULE", "ParseEvents", "kafka:events/0@1", old.plusSeconds(5));
    // Still broken, with the same reason or another one now.
    deadLetter(dl, event("u-bad", now, now).substring(0, 40), "MALFORMED_JSON", "ParseEvents", "x", now);
    deadLetter(dl, null, "MALFORMED_JSON", "ParseEvents", "x", now);
    deadLetter(dl, event("u-bad", now, now).replaceFirst("\"event_id\":\"[^\"]+\"", "\"event_id\":\"nope\""),
        "INVALID_EVENT_ID", "ParseEvents", "x", now);
    deadLetter(dl, event("u-bad", now, now).replace(now.toString() + "\",\"server", "yesterday\",\"server"),
        "OLD_RULE", "ParseEvents", "x", now);
    // The collector's own dead letter: not an event yet, whatever the parser says.
    deadLetter(dl, event("u-collector", now, null), "MISSING_FIELD", "collector", "web", now);
    // An event a metric threw on: it parses, but the job counted it already; not sent.
    deadLetter(dl, event("u-step", now, now), "STEP_FAILED", "EventCountsPerMinute/Key", null, now);
    flush();

    ReplaySettings settings = ReplaySettings.of(kafka.bootstrapServers()).withTopics(dl, events)
        .withGroup("replay-mixed");
    long before = System.currentTimeMillis();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ReplayResult result = replay(settings, printed);
    long after = System.currentTimeMillis();

    assertEquals(28, result.read(), printed.toString());
    assertEquals(21, result.replayed(), printed.toString());
    assertEquals(5, result.stillFailing(), printed.toString());
    assertEquals(1, result.skippedCollector(), printed.toString());
    assertEquals(1, result.skippedEvents(), printed.toString());
    assertTrue(result.complete());
    assertEquals(Map.of(
            new ReplayResult.Outcome("INVALID_EVENT_ID", "INVALID_EVENT_ID"), 1L,
            new ReplayResult.Outcome("MALFORMED_JSON", "MALFORMED_JSON"), 2L,
            new ReplayResult.Outcome("MISSING_FIELD", ReplayResult.SKIPPED_COLLECTOR), 1L,
            new ReplayResult.Outcome("OLD_RULE", "INVALID_TIMESTAMP"), 1L,
            new ReplayResult.Outcome("OLD_RULE", "TIMESTAMP_OUT_OF_RANGE"), 1L,
            new ReplayResult.Outcome("OLD_RULE", "replayed"), 21L,
            new ReplayResult.Outcome("STEP_FAILED", ReplayResult.SKIPPED_EVENT), 1L),
        result.outcomes());
    result.print(new PrintStream(printed, true, StandardCharsets.UTF_8), settings);
    String summary = printed.toString(StandardCharsets.UTF_8);
    assertTrue(summary.matches("(?s).*OLD_RULE\\s+-> TIMESTAMP_OUT_OF_RANGE\\s+1\\n.*"), summary);

    assertEachOnce(parses, events);
    for (List<ConsumerRecord<String, byte[]>> copies : byPayload(events, parses.size()).values()) {
      ConsumerRecord<String, byte[]> record = copies.get(0);
      String payload = new String(record.value(), StandardCharsets.UTF_8);
      assertEquals(sources.get(payload), header(record, KafkaSinks.SOURCE_HEADER), "source carried over");
      assertTrue(header(record, DeadLetterReplay.REPLAYED_FROM_HEADER).startsWith(dl + "/"));
      assertTrue(record.timestamp() >= before && record.timestamp() <= after,
          "arrives at the replay's time: " + Instant.ofEpochMilli(record.timestamp()));
    }

    // Again: the group is at the end, nothing is sent.
    ReplayResult again = replay(settings);
    assertEquals(0, again.read());
    assertEachOnce(parses, events);

    // New dead letters since: only they are read.
    String late = event("u-late", now, now);
    parses.put(late, "u-late");
    deadLetter(dl, late, "OLD_RULE", "ParseEvents", "web", now);
    deadLetter(dl, "{", "MALFORMED_JSON", "ParseEvents", "web", now);
    flush();
    ReplayResult third = replay(settings);
    assertEquals(2, third.read());
    assertEquals(1, third.replayed());
    assertEachOnce(parses, events);
  }

  @Test
  void replaysOnlyTheReasonsAskedForAndADryRunSendsAndCommitsNothing() throws Exception {
    String dl = "dl-filter";
    String events = "events-filter";
    kafka.createTopics(dl, events);
    Instant now = Instant.now();
    Map<String, String> tooLarge = new HashMap<>();
    for (int i = 0; i < 5; i++) {
      String payload = event("big" + i, now, now);
      tooLarge.put(payload, "big" + i);
      deadLetter(dl, payload, "PAYLOAD_TOO_LARGE", "ParseEvents", "web", now);
    }
    for (int i = 0; i < 3; i++) {
      deadLetter(dl, event("other" + i, now, now), "OLD_RULE", "ParseEvents", "web", now);
    }
    flush();
    ReplaySettings settings = ReplaySettings.of(kafka.bootstrapServers()).withTopics(dl, events)
        .withGroup("replay-filter").withReasons(Set.of("PAYLOAD_TOO_LARGE"));

    ReplayResult dry = replay(settings.withDryRun(true));
    assertTrue(dry.dryRun());
    assertEquals(8, dry.read());
    assertEquals(5, dry.replayed(), "would be replayed");
    assertEquals(3, dry.skippedByReason());
    assertTrue(kafka.readAll(events, 1, Duration.ofSeconds(2)).isEmpty(), "a dry run sends nothing");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      assertTrue(admin.listConsumerGroupOffsets("replay-filter").partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS).isEmpty(), "a dry run commits nothing");
    }

    ReplayResult result = replay(settings);
    assertEquals(8, result.read(), "the dry run left the group where it was");
    assertEquals(5, result.replayed());
    assertEquals(3, result.skippedByReason());
    assertEquals(Map.of(new ReplayResult.Outcome("OLD_RULE", ReplayResult.SKIPPED_REASON), 3L,
        new ReplayResult.Outcome("PAYLOAD_TOO_LARGE", "replayed"), 5L), result.outcomes());
    assertEachOnce(tooLarge, events);
  }

  @Test
  void aRunStoppedByItsLimitOrKilledMidTransactionThenResumedSendsEveryRecordOnce() throws Exception {
    String dl = "dl-resume";
    String events = "events-resume";
    String group = "replay-resume";
    kafka.createTopics(dl, events);
    Instant now = Instant.now();
    Map<String, String> all = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      String payload = event("u" + (i % 50), now, now);
      all.put(payload, "u" + (i % 50));
      deadLetter(dl, payload, "OLD_RULE", "ParseEvents", "web", now);
    }
    flush();
    ReplaySettings settings = ReplaySettings.of(kafka.bootstrapServers()).withTopics(dl, events).withGroup(group);

    ReplayResult first = replay(settings.withMaxRecords(300));
    assertEquals(300, first.read());
    assertEquals(300, first.replayed());
    assertTrue(!first.complete());
    Map<String, List<ConsumerRecord<String, byte[]>>> sent = byPayload(events, 300);
    assertEquals(300, sent.size());
    assertTrue(all.keySet().containsAll(sent.keySet()));

    // A run in a JVM of its own dies in its first transaction, its records sent but not committed.
    Path log = Files.createTempFile("killed-replay", ".log");
    Process killed = new ProcessBuilder(
            Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
            "-cp", System.getProperty("java.class.path"), KilledReplayMain.class.getName(),
            kafka.bootstrapServers(), dl, events, group)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(killed.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the killed replay did not end");
    String killedLog = Files.readString(log);
    assertEquals(KilledReplayMain.HALT_STATUS, killed.exitValue(), killedLog);
    assertTrue(killedLog.matches("(?s).*halting with [1-9]\\d* records sent.*"), killedLog);
    long inLog = countUncommitted(events);
    assertTrue(inLog > 300, "the killed run's records reached the log: " + inLog);

    ReplayResult rest = replay(settings);
    assertEquals(700, rest.read(), "the killed run committed nothing");
    assertEquals(700, rest.replayed());
    assertTrue(rest.complete());
    assertEachOnce(all, events);
  }

  /** Records in {@code topic}'s log, including those of open or aborted transactions. */
  private static long countUncommitted(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long count = 0;
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        count += consumer.poll(Duration.ofMillis(200)).count();
      }
      return count;
    }
  }

  @Test
  void deadLettersOfTheStreamingJobsOwnSinkReplayOnceTheLimitIsFixed() throws Exception {
    // The job ran with a payload limit too small for its traffic: its sink dead-lettered every record.
    String dl = "dl-sink";
    String events = "events-sink";
    kafka.createTopics(dl, events);
    Instant now = Instant.now();
    Map<String, String> expected = new HashMap<>();
    List<RawEvent> raw = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String payload = event("s" + i, now, now);
      expected.put(payload, "s" + i);
      raw.add(RawEvent.of(bytes(payload), new org.joda.time.Instant(now.toEpochMilli()),
          "kafka:events/1@" + i + " from web"));
    }
    ParseEvents tooStrict = ParseEvents.of().withMaxPayloadBytes(100);
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    pipeline.apply(Create.of(raw).withCoder(RawEventCoder.of()))
        .apply("ParseEvents", tooStrict).failures()
        .apply(KafkaSinks.deadLetters(kafka.bootstrapServers(), dl));
    pipeline.run().waitUntilFinish();

    ReplaySettings settings = ReplaySettings.of(kafka.bootstrapServers()).withTopics(dl, events)
        .withGroup("replay-sink");
    ReplayResult unfixed = replay(settings.withParsing(tooStrict).withDryRun(true));
    assertEquals(Map.of(new ReplayResult.Outcome("PAYLOAD_TOO_LARGE", "PAYLOAD_TOO_LARGE"), 3L),
        unfixed.outcomes(), "with the job's old limit, nothing parses");

    ReplayResult fixed = replay(settings);
    assertEquals(Map.of(new ReplayResult.Outcome("PAYLOAD_TOO_LARGE", "replayed"), 3L), fixed.outcomes());
    assertEachOnce(expected, events);
    for (List<ConsumerRecord<String, byte[]>> copies : byPayload(events, 3).values()) {
      assertTrue(header(copies.get(0), KafkaSinks.SOURCE_HEADER).matches("kafka:events/1@\\d from web"));
    }
  }
}
