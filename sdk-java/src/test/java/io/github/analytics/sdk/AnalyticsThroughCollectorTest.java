package io.github.analytics.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.collector.CollectorServer;
import io.github.analytics.collector.CollectorSettings;
import io.github.analytics.collector.WriteKeys;
import io.github.analytics.stack.KafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SDK against the real collector and a real Kafka broker: what the SDK was told is delivered is
 * in Kafka exactly once, through collector restarts and while the broker is away.
 */
class AnalyticsThroughCollectorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "wk_sdk_test";
  private static final Duration WAIT = Duration.ofSeconds(90);

  private static Path dir;
  private static KafkaBroker kafka;

  @BeforeAll
  static void startKafka() throws IOException {
    dir = Files.createTempDirectory("sdk-test");
    kafka = KafkaBroker.start(dir.resolve("kafka"));
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  private static CollectorServer collector(int port, String topic) {
    return CollectorServer.start(CollectorSettings.defaults().withPort(port).withTopics(topic, topic + ".dead_letters")
            .withDeliveryTimeout(Duration.ofSeconds(4)),
        WriteKeys.of(Map.of(KEY, "sdk-test")), kafka.bootstrapServers());
  }

  private static AnalyticsSettings sdk(CollectorServer collector) {
    return AnalyticsSettings.of(java.net.URI.create("http://127.0.0.1:" + collector.port()), KEY)
        .withFlushInterval(Duration.ofMillis(50))
        .withRetries(20, Duration.ofMillis(50), Duration.ofSeconds(2))
        .withCloseTimeout(WAIT);
  }

  /** Sends {@code count} track calls; returns their message ids in order. */
  private static List<String> send(Analytics analytics, int from, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      Message message = Message.track("user-" + (i % 37), "tap").withProperties(Map.of("n", i));
      assertTrue(analytics.enqueue(message), "the queue has room");
      ids.add(message.messageId());
    }
    return ids;
  }

  /** Asserts that {@code topic} holds each of {@code ids} exactly once, as its event_id. */
  private static void assertExactlyOnce(String topic, List<String> ids) throws IOException {
    List<ConsumerRecord<String, byte[]>> records = kafka.readAll(topic, ids.size(), WAIT);
    Map<String, Integer> seen = new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : records) {
      seen.merge(JSON.readTree(record.value()).path("event_id").asText(), 1, Integer::sum);
    }
    for (String id : ids) {
      assertEquals(1, seen.getOrDefault(id, 0), "message " + id + " in Kafka");
    }
    assertEquals(ids.size(), records.size(), "nothing else in " + topic);
  }

  /**
   * Asserts that {@code topic} holds each of {@code ids} at least once and nothing else; returns how
   * many records are second copies. A batch the broker wrote just before it was killed, without
   * answering, is refused to the SDK (503) and sent again: Kafka then holds it twice, and the ingest
   * path keeps each event id once and counts the copies ({@code LostResponsesDrillTest}).
   */
  private static int assertAtLeastOnce(String topic, List<String> ids) throws IOException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      List<ConsumerRecord<String, byte[]>> records = kafka.readAll(topic, ids.size(), WAIT);
      Map<String, Integer> seen = new HashMap<>();
      for (ConsumerRecord<String, byte[]> record : records) {
        seen.merge(JSON.readTree(record.value()).path("event_id").asText(), 1, Integer::sum);
      }
      List<String> missing = ids.stream().filter(id -> !seen.containsKey(id)).toList();
      if (missing.isEmpty() || System.nanoTime() > deadline) {
        assertEquals(List.of(), missing, "messages the SDK was told delivered, not in Kafka");
        assertEquals(new java.util.HashSet<>(ids), seen.keySet(), "nothing else in " + topic);
        return records.size() - ids.size();
      }
    }
  }

  @Test
  void everyDeliveredEventIsInKafkaOnceThroughCollectorRestarts() throws Exception {
    String topic = "sdk-restarts";
    kafka.createTopics(topic, topic + ".dead_letters");
    CollectorServer collector = collector(0, topic);
    int port = collector.port();
    List<String> ids = new ArrayList<>();
    try (Analytics analytics = Analytics.start(sdk(collector))) {
      // A restart while the SDK sends: requests under way are answered, later ones are refused (503)
      // or find no listener, and are sent again.
      ids.addAll(send(analytics, 0, 200));
      collector.close();
      // Sent while no collector listens: every batch fails at first.
      ids.addAll(send(analytics, 200, 200));
      await(() -> analytics.stats().retries() > 0, "the SDK retries while the collector is away");
      collector = collector(port, topic);
      ids.addAll(send(analytics, 400, 200));
      collector.close();
      collector = collector(port, topic);
      assertTrue(analytics.flush(WAIT), "the SDK delivered everything: " + analytics.stats());
      ClientStats stats = analytics.stats();
      assertEquals(ids.size(), stats.delivered(), stats.toString());
      assertEquals(0, stats.failed() + stats.dropped() + stats.rejected(), stats.toString());
    } finally {
      collector.close();
    }
    assertExactlyOnce(topic, ids);
  }

  @Test
  void eventsSentWhileTheBrokerIsDownArriveAfterItReturns() throws Exception {
    String topic = "sdk-outage";
    kafka.createTopics(topic, topic + ".dead_letters");
    try (CollectorServer collector = collector(0, topic);
        Analytics analytics = Analytics.start(sdk(collector))) {
      List<String> ids = new ArrayList<>(send(analytics, 0, 20));
      assertTrue(analytics.flush(WAIT), "delivered while the broker is up: " + analytics.stats());

      kafka.close();
      await(() -> !collector.healthy(), "the collector sees the broker gone");
      ids.addAll(send(analytics, 20, 50));
      CompletableFuture<Boolean> flushed = CompletableFuture.supplyAsync(() -> analytics.flush(WAIT));
      await(() -> analytics.stats().retries() >= 2, "the collector refused batches (503) and the SDK retried");
      assertEquals(20, analytics.stats().delivered(), "nothing was told delivered while the broker was down");

      kafka = kafka.restart();
      assertTrue(flushed.get(), "the queued batches went through after the broker came back: " + analytics.stats());
      ClientStats stats = analytics.stats();
      assertEquals(70, stats.delivered(), stats.toString());
      assertEquals(0, stats.failed() + stats.dropped() + stats.rejected(), stats.toString());
      assertExactlyOnce(topic, ids);
    }
  }

  @Test
  void eventsInFlightWhenTheBrokerIsKilledArriveOnceAfterItReturns() throws Exception {
    // Drill: the broker dies (SIGKILL) while the SDK keeps sending; the collector's producer retries
    // under way are refused (503) or time out, the SDK sends them again, and after the broker recovers
    // its logs every delivered event is in Kafka. A batch the broker wrote without answering before
    // it died is there twice (a full verify found one such copy): the SDK was told it failed, so it
    // sent it again; only a batch the SDK retried may be doubled.
    String topic = "sdk-kill";
    kafka.createTopics(topic, topic + ".dead_letters");
    try (CollectorServer collector = collector(0, topic);
        Analytics analytics = Analytics.start(sdk(collector))) {
      List<String> ids = new ArrayList<>(send(analytics, 0, 100));
      await(() -> analytics.stats().delivered() > 0, "some batches delivered before the kill");
      kafka.kill();
      ids.addAll(send(analytics, 100, 100));
      await(() -> analytics.stats().retries() >= 1, "the SDK retried while the broker was dead");
      kafka = kafka.restart();
      assertTrue(analytics.flush(WAIT), "everything delivered after the broker came back: " + analytics.stats());
      ClientStats stats = analytics.stats();
      assertEquals(200, stats.delivered(), stats.toString());
      assertEquals(0, stats.failed() + stats.dropped() + stats.rejected(), stats.toString());
      int copies = assertAtLeastOnce(topic, ids);
      assertTrue(copies <= stats.retries() * sdk(collector).batchSize(),
          copies + " second copies, more than the " + stats.retries() + " retried batches hold: " + stats);
    }
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Not within " + WAIT + ": " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }
}
