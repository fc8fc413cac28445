package io.github.analytics.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.github.analytics.serving.LiveMetrics;
import io.github.analytics.stack.RedisServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.StreamEntryID;

/**
 * The alerting service against a real redis-server (the anomaly stream and metric hashes in the
 * README's layout, written by hand) and a local webhook receiver, on a clock the test moves: firing
 * after group_wait, dedupe, repeat, resolve, for, silences, a receiver down then up, and a restart.
 */
class AlertingServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
  @TempDir static Path shared;
  private static RedisServer redis;
  private static JedisPool pool;

  @TempDir Path state;
  private Receiver receiver;
  private final MovableClock clock = new MovableClock(T0);

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start(shared);
    pool = new JedisPool(redis.host(), redis.port());
  }

  @AfterAll
  static void stopRedis() {
    pool.close();
    redis.close();
  }

  @BeforeEach
  void start() throws IOException {
    try (Jedis jedis = pool.getResource()) {
      jedis.flushAll();
    }
    receiver = new Receiver();
  }

  @AfterEach
  void stop() {
    receiver.close();
  }

  @Test
  void anAnomalyFiresAfterGroupWaitIsDedupedRepeatedThenResolved() {
    anomaly(T0, "error", 40, 9.1);
    anomaly(T0.plusSeconds(1), "page_view", 900, 3.5); // another series, below the rule's z
    anomaly(T0.plus(Duration.ofMinutes(2)), "error", 55, 11.0);
    try (AlertingService service = open()) {
      at(T0, service);
      assertEquals(0, receiver.accepted("ErrorSpike").size(), "group_wait (10s) not over");

      at(T0.plusSeconds(10), service);
      List<JsonNode> got = receiver.accepted("ErrorSpike");
      assertEquals(1, got.size());
      JsonNode first = got.get(0);
      assertEquals("firing", first.get("status").asText());
      assertEquals("4", first.get("version").asText());
      assertEquals(1, first.get("alerts").size());
      JsonNode alert = first.get("alerts").get(0);
      assertEquals(Map.of("alertname", "ErrorSpike", "series", "event_type", "series_key", "error", "severity", "page"),
          JSON.convertValue(alert.get("labels"), Map.class));
      assertEquals("error at 40 per minute (z 9.1)", alert.get("annotations").get("summary").asText());
      assertEquals(T0.toString(), alert.get("startsAt").asText());
      assertEquals(Notifier.NEVER, alert.get("endsAt").asText());

      at(T0.plusSeconds(70), service);
      assertEquals(1, receiver.accepted("ErrorSpike").size(), "unchanged within repeat_interval: no second notification");

      // Still firing (a second anomaly at +2m) when repeat_interval (2m) is over: notified again.
      at(T0.plus(Duration.ofMinutes(2)).plusSeconds(10), service);
      assertEquals(2, receiver.accepted("ErrorSpike").size());
      JsonNode repeat = receiver.accepted("ErrorSpike").get(1);
      assertEquals("firing", repeat.get("status").asText());
      assertEquals(alert.get("fingerprint"), repeat.get("alerts").get(0).get("fingerprint"));
      assertEquals(55, repeat.get("alerts").get(0).get("value").asLong(), "the latest anomaly's value");

      // resolve_after (5m) past the last anomaly: resolved, said once.
      Instant resolved = T0.plus(Duration.ofMinutes(7)).plusSeconds(1);
      at(resolved, service);
      assertEquals(3, receiver.accepted("ErrorSpike").size());
      JsonNode end = receiver.accepted("ErrorSpike").get(2);
      assertEquals("resolved", end.get("status").asText());
      assertEquals(resolved.toString(), end.get("alerts").get(0).get("endsAt").asText());
      at(T0.plus(Duration.ofHours(2)), service);
      assertEquals(3, receiver.accepted("ErrorSpike").size());
      // (NoIosTraffic, the other rule, fired meanwhile in a group of its own.)
      assertEquals(1, receiver.accepted("NoIosTraffic").size());
    }
  }

  @Test
  void aThresholdFiresAfterItsForDurationAndNotWhileSilenced() {
    // No ios traffic at all: the rule's "<1 event a minute" holds from the first evaluation; the
    // silence covers it until T0+5m.
    try (AlertingService service = open()) {
      for (int seconds = 0; seconds <= 290; seconds += 10) {
        at(T0.plusSeconds(seconds), service);
      }
      assertTrue(service.firing().stream().anyMatch(a -> a.labels().get("alertname").equals("NoIosTraffic")),
          "firing after for (3m), but muted");
      assertEquals(0, receiver.accepted().size(), "silenced until T0+5m");
      at(T0.plusSeconds(300), service);
      at(T0.plusSeconds(310), service);
      List<JsonNode> got = receiver.accepted();
      assertEquals(1, got.size());
      JsonNode alert = got.get(0).get("alerts").get(0);
      assertEquals("NoIosTraffic", alert.get("labels").get("alertname").asText());
      assertEquals("ios", alert.get("labels").get("platform").asText());
      assertEquals(T0.toString(), alert.get("startsAt").asText(), "active since the first evaluation");

      // ios traffic comes back in the minute the rule looks at (the one that ended 1m ago): resolved.
      Instant now = T0.plusSeconds(430); // 10:07:10 looks at 10:05-10:06
      try (Jedis jedis = pool.getResource()) {
        jedis.hset("event_counts_per_minute:2026-12-06T10:05:00Z", "click|ios|US",
            "{\"event_type\":\"click\",\"platform\":\"ios\",\"country\":\"US\",\"event_count\":3}");
      }
      at(now, service);
      assertEquals(2, receiver.accepted().size());
      assertEquals("resolved", receiver.accepted().get(1).get("status").asText());
    }
  }

  @Test
  void aReceiverDownGetsTheNotificationOnceItIsUpWithBackoff() {
    anomaly(T0, "error", 40, 9.1);
    receiver.up = false;
    try (AlertingService service = open()) {
      at(T0, service);
      at(T0.plusSeconds(10), service);
      assertEquals(1, receiver.requests.size(), "tried once");
      assertEquals(1, service.undelivered());
      clock.set(T0.plusSeconds(10).plusMillis(900));
      service.deliver();
      assertEquals(1, receiver.requests.size(), "backoff (1s) not over");
      clock.set(T0.plusSeconds(11));
      service.deliver();
      assertEquals(2, receiver.requests.size(), "second attempt");
      clock.set(T0.plusSeconds(12));
      service.deliver();
      assertEquals(2, receiver.requests.size(), "the backoff doubled (2s)");
      receiver.up = true;
      clock.set(T0.plusSeconds(13));
      service.deliver();
      assertEquals(3, receiver.requests.size());
      assertEquals(1, receiver.accepted().size());
      assertEquals(0, service.undelivered());
      assertEquals(1, receiver.requests.stream().map(Request::idempotencyKey).distinct().count(),
          "every attempt carries the same Idempotency-Key");
    }
  }

  @Test
  void aRestartNeitherLosesNorRepeatsANotification() {
    anomaly(T0, "error", 40, 9.1);
    receiver.up = false;
    try (AlertingService before = open()) {
      at(T0, before);
      at(T0.plusSeconds(10), before);
      assertEquals(1, before.undelivered());
    }
    // A new process over the same state directory, the receiver back.
    receiver.up = true;
    clock.set(T0.plusSeconds(30));
    try (AlertingService after = open()) {
      assertEquals(1, after.undelivered(), "the undelivered notification is taken back");
      at(T0.plusSeconds(30), after);
      assertEquals(1, receiver.accepted().size(), "delivered, and the alert still firing is not notified again");
      at(T0.plusSeconds(60), after);
      assertEquals(1, receiver.accepted().size());
    }
    // And once more: the delivered notification is not sent again.
    try (AlertingService again = open()) {
      assertEquals(0, again.undelivered());
      at(T0.plusSeconds(90), again);
      assertEquals(1, receiver.accepted().size());
      // Its alert resolves: the restored state knows it was notified firing, so the resolution is sent.
      at(T0.plus(Duration.ofMinutes(6)), again);
      assertEquals(2, receiver.accepted().size());
      assertEquals("resolved", receiver.accepted().get(1).get("status").asText());
    }
  }

  private AlertingService open() {
    String rules = """
        evaluation_interval: 10s
        receiver: {name: test, url: "http://127.0.0.1:%d/hook", timeout: 2s, initial_backoff: 1s, max_backoff: 8s}
        route: {group_by: [alertname], group_wait: 10s, group_interval: 1m, repeat_interval: 2m}
        rules:
          - alert: ErrorSpike
            anomaly: {series: event_type, series_key: error, min_z: 4, direction: spike, resolve_after: 5m}
            labels: {severity: page}
            annotations: {summary: "{{series_key}} at {{value}} per minute (z {{z_score}})"}
          - alert: NoIosTraffic
            threshold: {metric: event_counts_per_minute, column: event_count, where: {platform: ios}, op: "<", value: 1, delay: 1m}
            for: 3m
            labels: {severity: ticket}
        silences:
          - {matchers: {alertname: NoIosTraffic}, starts_at: "2026-12-06T09:00:00Z", ends_at: "2026-12-06T10:05:00Z", comment: maintenance}
        """.formatted(receiver.port());
    AlertingConfig config = AlertingConfig.parse(new Yaml().load(rules), "test rules");
    return AlertingService.open(config, new LiveMetrics(pool), state, clock);
  }

  private void at(Instant when, AlertingService service) {
    clock.set(when);
    service.tick();
  }

  private static void anomaly(Instant addedAt, String key, long value, double z) {
    try (Jedis jedis = pool.getResource()) {
      jedis.xadd("alerts:anomalies", new StreamEntryID(addedAt.toEpochMilli(), key.hashCode() & 0xffff), Map.of(
          "alert_id", "event_type|" + key + "|" + addedAt,
          "alert", "{\"series\":\"event_type\",\"series_key\":\"" + key + "\",\"window_start\":\"" + addedAt
              + "\",\"value\":" + value + ",\"mean\":5.0,\"stddev\":4.0,\"z_score\":" + z
              + ",\"direction\":\"spike\"}"));
    }
  }

  private record Request(String idempotencyKey, JsonNode body, boolean accepted) {}

  /** A webhook receiver on a free loopback port: answers 200 when up, 503 when down. */
  private static final class Receiver implements AutoCloseable {
    final List<Request> requests = new CopyOnWriteArrayList<>();
    volatile boolean up = true;
    private final HttpServer server;

    Receiver() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/hook", exchange -> {
        byte[] body = exchange.getRequestBody().readAllBytes();
        boolean accepted = up;
        requests.add(new Request(exchange.getRequestHeaders().getFirst("Idempotency-Key"),
            JSON.readTree(new String(body, StandardCharsets.UTF_8)), accepted));
        exchange.sendResponseHeaders(accepted ? 200 : 503, -1);
        exchange.close();
      });
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    List<JsonNode> accepted() {
      return requests.stream().filter(Request::accepted).map(Request::body).toList();
    }

    /** The accepted notifications of one rule's group. */
    List<JsonNode> accepted(String alertname) {
      return accepted().stream()
          .filter(body -> alertname.equals(body.path("groupLabels").path("alertname").asText()))
          .toList();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /** A clock the test sets. */
  private static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    void set(Instant when) {
      now = when;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
