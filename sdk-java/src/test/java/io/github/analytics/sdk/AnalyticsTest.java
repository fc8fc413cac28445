package io.github.analytics.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.sdk.ScriptedServer.Answer;
import io.github.analytics.sdk.ScriptedServer.Request;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The client's protocol against a scripted HTTP server: batching, the queue bound, retries and backoff. */
class AnalyticsTest {
  private static final String KEY = "wk_sdk";

  private static AnalyticsSettings settings(ScriptedServer server) {
    return AnalyticsSettings.of(server.uri(), KEY).withFlushInterval(Duration.ofMinutes(10));
  }

  @Test
  void sendsFullBatchesGzippedWithTheKeyAndFlushSendsTheRest() throws Exception {
    try (ScriptedServer server = new ScriptedServer(r -> Answer.ok(r.messageIds().size()));
        Analytics analytics = Analytics.start(settings(server))) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        Message message = Message.track("u" + i, "clicked").withProperties(Map.of("i", i));
        ids.add(message.messageId());
        assertTrue(analytics.enqueue(message));
      }
      server.awaitRequests(2, Duration.ofSeconds(10));
      assertTrue(analytics.flush(Duration.ofSeconds(10)));
      List<Request> requests = server.requests();
      assertEquals(List.of(10, 10, 5), requests.stream().map(r -> r.messageIds().size()).toList(),
          "two full batches of 10, then what flush() found");
      List<String> sent = requests.stream().flatMap(r -> r.messageIds().stream()).toList();
      assertEquals(ids, sent, "every message once, in order");
      Request first = requests.get(0);
      assertEquals("gzip", first.contentEncoding());
      assertEquals("Basic " + Base64.getEncoder().encodeToString((KEY + ":").getBytes(StandardCharsets.UTF_8)),
          first.authorization());
      assertEquals("analytics-sdk-java", first.body().path("context").path("library").path("name").asText());
      Instant.parse(first.body().path("sentAt").asText());
      assertEquals("clicked", first.body().path("batch").get(3).path("event").asText());
      assertEquals(3, first.body().path("batch").get(3).path("properties").path("i").asInt());
      assertEquals(new ClientStats(25, 25, 0, 0, 0, 0, 3, 0), analytics.stats());
    }
  }

  @Test
  void aBatchGoesWhenItsFirstMessageHasWaitedTheFlushInterval() throws Exception {
    try (ScriptedServer server = new ScriptedServer(r -> Answer.ok(r.messageIds().size()));
        Analytics analytics = Analytics.start(settings(server).withFlushInterval(Duration.ofMillis(200)))) {
      analytics.page("u1", "Home", Map.of());
      analytics.identify("u1", Map.of("plan", "pro"));
      List<Request> requests = server.awaitRequests(1, Duration.ofSeconds(10));
      assertEquals(2, requests.get(0).messageIds().size(), "no flush(), no full batch: the interval sent it");
      assertEquals("identify", requests.get(0).body().path("batch").get(1).path("type").asText());
      assertEquals("pro", requests.get(0).body().path("batch").get(1).path("traits").path("plan").asText());
    }
  }

  @Test
  void retriesKeepTheMessageIdsAndWaitAtLeastRetryAfter() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (ScriptedServer server = new ScriptedServer(r -> switch (calls.incrementAndGet()) {
          case 1 -> new Answer(503, "{\"error\":\"unavailable\"}", "Retry-After", "1");
          case 2 -> new Answer(500, "{}");
          case 3 -> new Answer(429, "{}");
          default -> Answer.ok(r.messageIds().size());
        });
        Analytics analytics = Analytics.start(settings(server)
            .withRetries(5, Duration.ofMillis(1), Duration.ofMillis(50)))) {
      analytics.track("u1", "a", Map.of());
      analytics.track("u2", "b", Map.of());
      assertTrue(analytics.flush(Duration.ofSeconds(30)));
      List<Request> requests = server.requests();
      assertEquals(4, requests.size());
      for (Request request : requests) {
        assertEquals(requests.get(0).messageIds(), request.messageIds(), "a retry sends the same messages");
      }
      long afterRetryAfter = requests.get(1).receivedNanos() - requests.get(0).receivedNanos();
      assertTrue(afterRetryAfter >= TimeUnit.SECONDS.toNanos(1),
          "Retry-After: 1 honoured, though the backoff alone is at most 50 ms; waited " + afterRetryAfter + " ns");
      assertEquals(new ClientStats(2, 2, 0, 0, 0, 0, 4, 3), analytics.stats());
    }
  }

  @Test
  void refusedBatchesAreNotRetriedAndExhaustedRetriesAreCounted() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (ScriptedServer server = new ScriptedServer(r -> calls.incrementAndGet() == 1
            ? new Answer(400, "{\"error\":\"invalid_json\"}") : new Answer(502, "{}"));
        Analytics analytics = Analytics.start(settings(server)
            .withRetries(2, Duration.ofMillis(1), Duration.ofMillis(5)))) {
      analytics.track("u1", "a", Map.of());
      assertTrue(analytics.flush(Duration.ofSeconds(10)));
      assertEquals(1, server.requests().size(), "a 400 is final");
      analytics.track("u1", "b", Map.of());
      analytics.track("u1", "c", Map.of());
      assertTrue(analytics.flush(Duration.ofSeconds(10)));
      assertEquals(1 + 3, server.requests().size(), "the first try and two retries");
      assertEquals(new ClientStats(3, 0, 1, 0, 2, 0, 4, 2), analytics.stats());
    }
  }

  @Test
  void theCollectorsDeadLetteredMessagesAreCountedRejected() throws Exception {
    try (ScriptedServer server = new ScriptedServer(r -> new Answer(200,
            "{\"success\":true,\"accepted\":" + (r.messageIds().size() - 1) + ",\"rejected\":1}"));
        Analytics analytics = Analytics.start(settings(server))) {
      for (int i = 0; i < 3; i++) {
        analytics.track("u", "e" + i, Map.of());
      }
      assertTrue(analytics.flush(Duration.ofSeconds(10)));
      assertEquals(new ClientStats(3, 2, 1, 0, 0, 0, 1, 0), analytics.stats());
    }
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfBlockingTheApp() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (ScriptedServer server = new ScriptedServer(r -> {
          awaitQuietly(release);
          return Answer.ok(r.messageIds().size());
        });
        Analytics analytics = Analytics.start(settings(server).withBatchSize(1).withMaxQueuedMessages(5))) {
      int queued = 0;
      for (int i = 0; i < 20; i++) {
        if (analytics.track("u" + i, "tap", Map.of())) {
          queued++;
        }
      }
      assertEquals(5, queued, "five held (one in flight, four queued), the app never waited");
      ClientStats blocked = analytics.stats();
      assertEquals(15, blocked.dropped(), blocked.toString());
      assertEquals(5, blocked.pending(), blocked.toString());
      assertEquals(0, blocked.delivered(), blocked.toString());
      release.countDown();
      assertTrue(analytics.flush(Duration.ofSeconds(10)));
      assertEquals(5, server.requests().size());
      assertEquals(new ClientStats(20, 5, 0, 15, 0, 0, 5, 0), analytics.stats());
    }
  }

  @Test
  void closeSendsWhatIsQueuedAndThenRefusesMore() throws Exception {
    try (ScriptedServer server = new ScriptedServer(r -> Answer.ok(r.messageIds().size()))) {
      Analytics analytics = Analytics.start(settings(server));
      analytics.track("u", "last words", Map.of());
      analytics.close();
      assertEquals(1, server.requests().size(), "close() flushed");
      assertFalse(analytics.track("u", "too late", Map.of()));
      assertEquals(new ClientStats(2, 1, 0, 1, 0, 0, 1, 0), analytics.stats());
    }
  }

  @Test
  void closeGivesUpAfterItsTimeoutAndCountsTheRestFailed() throws Exception {
    try (ScriptedServer server = new ScriptedServer(r -> new Answer(503, "{}", "Retry-After", "60"))) {
      Analytics analytics = Analytics.start(settings(server).withCloseTimeout(Duration.ofMillis(500)));
      analytics.track("u", "a", Map.of());
      analytics.track("u", "b", Map.of());
      analytics.close();
      ClientStats stats = analytics.stats();
      assertEquals(2, stats.failed(), stats.toString());
      assertEquals(0, stats.pending(), stats.toString());
    }
  }

  @Test
  void badMessagesAreRefusedAtTheCall() throws Exception {
    try (ScriptedServer server = new ScriptedServer(r -> Answer.ok(r.messageIds().size()));
        Analytics analytics = Analytics.start(settings(server))) {
      assertThrows(IllegalArgumentException.class, () -> analytics.track(null, "x", Map.of()),
          "neither a user id nor an anonymous id");
      assertTrue(analytics.enqueue(Message.track(null, "x").withAnonymousId("anon-1")));
      assertFalse(analytics.track("u", "big", Map.of("blob", "x".repeat(AnalyticsSettings.MAX_MESSAGE_BYTES))),
          "over the collector's 32 KB limit");
      assertTrue(analytics.flush(Duration.ofSeconds(10)));
      assertEquals(new ClientStats(2, 1, 1, 0, 0, 0, 1, 0), analytics.stats());
      assertEquals("anon-1", server.requests().get(0).body().path("batch").get(0).path("anonymousId").asText());
    }
  }

  @Test
  void backoffDoublesUpToItsCapAndRetryAfterIsAFloor() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
    assertEquals(Duration.ofMillis(100).toNanos(), backoff.boundNanos(0));
    assertEquals(Duration.ofMillis(800).toNanos(), backoff.boundNanos(3));
    assertEquals(Duration.ofSeconds(1).toNanos(), backoff.boundNanos(4));
    assertEquals(Duration.ofSeconds(1).toNanos(), backoff.boundNanos(200), "no overflow");
    HashSet<Long> draws = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      Duration delay = backoff.delay(3, Duration.ZERO);
      assertTrue(!delay.isNegative() && delay.toNanos() <= backoff.boundNanos(3), delay.toString());
      draws.add(delay.toNanos());
      assertTrue(backoff.delay(3, Duration.ofSeconds(5)).compareTo(Duration.ofSeconds(5)) >= 0);
    }
    assertTrue(draws.size() > 150, "jittered, not a fixed wait");
    assertEquals(Duration.ofSeconds(7), BatchSender.retryAfter("7"));
    assertEquals(Duration.ZERO, BatchSender.retryAfter("soon"));
    assertEquals(Duration.ZERO, BatchSender.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), "a date in the past");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
