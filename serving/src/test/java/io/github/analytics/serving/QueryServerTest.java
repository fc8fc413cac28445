package io.github.analytics.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.stack.RedisServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.StreamEntryID;

/**
 * The query API against a real redis-server filled by hand in the README's key layout (what the
 * streaming job's RedisSink writes), with hand-worked answers.
 */
class QueryServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir static Path dir;
  private static RedisServer redis;
  private static JedisPool pool;
  private static QueryServer server;

  @BeforeAll
  static void start() {
    redis = RedisServer.start(dir);
    pool = new JedisPool(redis.host(), redis.port());
    try (Jedis jedis = pool.getResource()) {
      // Minute 10:05: three rows; 10:06: one; 10:07: nothing yet.
      jedis.hset("event_counts_per_minute:2026-11-27T10:05:00Z", Map.of(
          "click|web|US", row("10:05", "click", "web", "US", 3),
          "page_view|ios|DE", row("10:05", "page_view", "ios", "DE", 2),
          "click|ios|US", row("10:05", "click", "ios", "US", 4)));
      jedis.hset("event_counts_per_minute:2026-11-27T10:06:00Z", "click|web|US", row("10:06", "click", "web", "US", 5));
      // Users who clicked: u1-u3 at 10h, u3-u4 at 11h, u5 at 15h; the day's key holds all five.
      jedis.pfadd("hll:click:2026112710", "u1", "u2", "u3");
      jedis.pfadd("hll:click:2026112711", "u3", "u4");
      jedis.pfadd("hll:click:2026112715", "u5");
      jedis.pfadd("hll:click:20261127", "u1", "u2", "u3", "u4", "u5");
      jedis.pfadd("hll:all:2026112710", "u1", "u2", "u3", "u6");
      jedis.hset("sessions:2026-11-27", Map.of("u1|2026-11-27T10:00:00Z", "{}", "u2|2026-11-27T10:20:00Z", "{}"));
      jedis.xadd("alerts:anomalies", StreamEntryID.NEW_ENTRY,
          Map.of("alert_id", "event_type|error|2026-11-27T14:03:00Z", "alert", "{\"value\":120}"));
      jedis.xadd("alerts:anomalies", StreamEntryID.NEW_ENTRY,
          Map.of("alert_id", "event_type|error|2026-11-27T14:04:00Z", "alert", "{\"value\":130}"));
    }
    server = QueryServer.start(new LiveMetrics(pool), "127.0.0.1", 0, 4);
  }

  @AfterAll
  static void stop() {
    server.close();
    pool.close();
    redis.close();
  }

  @Test
  void eventsPerMinuteSumTheMatchingRowsOfEveryMinuteOfTheRange() throws Exception {
    JsonNode all = get("/api/v1/events_per_minute?from=2026-11-27T10:05:00Z&to=2026-11-27T10:08:00Z", 200);
    assertEquals(List.of(9L, 5L, 0L), counts(all));
    assertEquals(14, all.get("total").asLong());
    assertEquals("2026-11-27T10:05:00Z", all.get("buckets").get(0).get("start").asText());
    assertEquals("streaming", all.get("buckets").get(0).get("layer").asText());
    assertTrue(all.get("buckets").get(1).get("present").asBoolean());
    assertFalse(all.get("buckets").get(2).get("present").asBoolean(), "10:07 has no hash: absent, not zero");

    JsonNode clicks = get("/api/v1/events_per_minute?from=2026-11-27T10:05:00Z&to=2026-11-27T10:08:00Z"
        + "&event_type=click", 200);
    assertEquals(List.of(7L, 5L, 0L), counts(clicks));
    assertEquals("click", clicks.get("filter").get("event_type").asText());

    JsonNode iosUs = get("/api/v1/events_per_minute?from=2026-11-27T10:05:00Z&to=2026-11-27T10:07:00Z"
        + "&platform=ios&country=US", 200);
    assertEquals(List.of(4L, 0L), counts(iosUs));
  }

  @Test
  void theBatchLayerAnswersForTheDaysItCompletedAndRedisForTheRest() throws Exception {
    // The warehouse holds 2026-11-27 completely (its marker) with other counts than Redis, so each
    // bucket shows where it came from; 2026-11-28 has no marker, so Redis answers for it.
    Path database = dir.resolve("warehouse.duckdb");
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + database);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE event_counts_per_minute (window_start TIMESTAMP, window_end TIMESTAMP,"
          + " event_type VARCHAR, platform VARCHAR, country VARCHAR, event_count BIGINT)");
      statement.execute("INSERT INTO event_counts_per_minute VALUES"
          + " ('2026-11-27 10:05:00', '2026-11-27 10:06:00', 'click', 'web', 'US', 6),"
          + " ('2026-11-27 10:05:00', '2026-11-27 10:06:00', 'page_view', 'ios', 'DE', 2),"
          + " ('2026-11-28 00:00:00', '2026-11-28 00:01:00', 'click', 'web', 'US', 99)");
    }
    Path markers = WarehouseMetrics.defaultMarkers(database);
    Files.createDirectories(markers);
    Files.writeString(markers.resolve("2026-11-27.json"), "{\"day\": \"2026-11-27\"}");
    try (Jedis jedis = pool.getResource()) {
      jedis.hset("event_counts_per_minute:2026-11-28T00:00:00Z", "click|web|US", row("00:00", "click", "web", "US", 7));
    }
    try (QueryServer merging = QueryServer.start(new LiveMetrics(pool),
        new WarehouseMetrics(database, markers), "127.0.0.1", 0, 2, QueryServer.DEFAULT_REFRESH)) {
      JsonNode morning = get(merging, "/api/v1/events_per_minute?from=2026-11-27T10:05:00Z&to=2026-11-27T10:07:00Z", 200);
      assertEquals(List.of(8L, 0L), counts(morning), "the warehouse's minutes, not Redis's 9 and 5");
      assertEquals(List.of("batch", "batch"), layers(morning));
      JsonNode clicks = get(merging, "/api/v1/events_per_minute?from=2026-11-27T10:05:00Z&to=2026-11-27T10:06:00Z"
          + "&event_type=click", 200);
      assertEquals(List.of(6L), counts(clicks));

      JsonNode midnight = get(merging, "/api/v1/events_per_minute?from=2026-11-27T23:59:00Z&to=2026-11-28T00:01:00Z", 200);
      assertEquals(List.of(0L, 7L), counts(midnight), "the 28th is not complete: Redis's 7, not the warehouse's 99");
      assertEquals(List.of("batch", "streaming"), layers(midnight));
      assertEquals(7, midnight.get("total").asLong());
    }
  }

  @Test
  void distinctUsersAreTheUnionOfTheHoursOrOfTheWholeDay() throws Exception {
    JsonNode twoHours = get("/api/v1/distinct_users?from=2026-11-27T10:00:00Z&to=2026-11-27T12:00:00Z"
        + "&event_type=click", 200);
    assertEquals(4, twoHours.get("distinct_users").asLong()); // u1-u4, u3 once
    JsonNode day = get("/api/v1/distinct_users?from=2026-11-27T00:00:00Z&to=2026-11-28T00:00:00Z"
        + "&event_type=click", 200);
    assertEquals(5, day.get("distinct_users").asLong());
    JsonNode allTypes = get("/api/v1/distinct_users?from=2026-11-27T10:30:00Z&to=2026-11-27T11:00:00Z", 200);
    assertEquals("all", allTypes.get("event_type").asText());
    assertEquals(4, allTypes.get("distinct_users").asLong()); // the hour 10:00 holds 10:30
  }

  @Test
  void sessionsAndAlerts() throws Exception {
    assertEquals(2, get("/api/v1/sessions?day=2026-11-27", 200).get("sessions").asLong());
    assertEquals(0, get("/api/v1/sessions?day=2026-11-28", 200).get("sessions").asLong());
    JsonNode alerts = get("/api/v1/alerts", 200).get("alerts");
    assertEquals(2, alerts.size());
    assertEquals("event_type|error|2026-11-27T14:04:00Z", alerts.get(0).get("alert_id").asText(), "newest first");
    assertEquals(130, alerts.get(0).get("row").get("value").asLong());
    assertEquals(1, get("/api/v1/alerts?limit=1", 200).get("alerts").size());
  }

  @Test
  void grafanasJsonDatasourceGetsASeriesPerTargetAndTheAlertsAsAnnotations() throws Exception {
    long at1005 = java.time.Instant.parse("2026-11-27T10:05:00Z").toEpochMilli();
    long at1007 = java.time.Instant.parse("2026-11-27T10:07:00Z").toEpochMilli();
    // Redis database 1 of the same server, so the other cases' keys stay as they are.
    try (JedisPool db1 = new JedisPool(new org.apache.commons.pool2.impl.GenericObjectPoolConfig<>(),
            redis.host(), redis.port(), 2_000, null, 1);
        QueryServer grafana = QueryServer.start(new LiveMetrics(db1), "127.0.0.1", 0, 2)) {
      try (Jedis jedis = db1.getResource()) {
        jedis.hset("event_counts_per_minute:2026-11-27T10:05:00Z", Map.of(
            "click|web|US", row("10:05", "click", "web", "US", 3),
            "error|ios|DE", row("10:05", "error", "ios", "DE", 2)));
        jedis.hset("event_counts_per_minute:2026-11-27T10:07:00Z", "error|web|US", row("10:07", "error", "web", "US", 6));
        jedis.xadd("alerts:anomalies", StreamEntryID.NEW_ENTRY, Map.of("alert_id", "event_type|error|2026-11-27T10:07:00Z",
            "alert", "{\"series_key\":\"error\",\"window_start_ms\":" + at1007 + ",\"value\":6}"));
      }
      assertEquals("ok", post(grafana, "/grafana", null, 200).get("status").asText());
      assertEquals("events_per_minute", post(grafana, "/grafana/search", "{}", 200).get(0).asText());
      assertEquals("events_per_minute", post(grafana, "/grafana/metrics", "{}", 200).get(0).get("value").asText());
      JsonNode series = post(grafana, "/grafana/query", "{\"range\":{\"from\":\"2026-11-27T10:05:00.000Z\","
          + "\"to\":\"2026-11-27T10:08:00.000Z\"},\"targets\":[{\"refId\":\"A\",\"target\":\"events_per_minute\"},"
          + "{\"refId\":\"B\",\"target\":\"events_per_minute\",\"payload\":{\"event_type\":\"error\"}}]}", 200);
      assertEquals("events_per_minute", series.get(0).get("target").asText());
      assertEquals(JSON.readTree("[[5," + at1005 + "],[6," + at1007 + "]]"), series.get(0).get("datapoints"),
          "10:06 has no hash: no point, not a 0");
      assertEquals("events_per_minute{event_type=error}", series.get(1).get("target").asText());
      assertEquals(JSON.readTree("[[2," + at1005 + "],[6," + at1007 + "]]"), series.get(1).get("datapoints"));
      JsonNode annotations = post(grafana, "/grafana/annotations", "{\"range\":{\"from\":\"2026-11-27T10:00:00Z\","
          + "\"to\":\"2026-11-27T11:00:00Z\"}}", 200);
      assertEquals(1, annotations.size());
      assertEquals(at1007, annotations.get(0).get("time").asLong());
      assertTrue(annotations.get(0).get("title").asText().contains("error"), annotations.toString());
      assertTrue(post(grafana, "/grafana/query", "{\"range\":{}}", 400).get("error").asText().contains("range.from"));
      try (Jedis jedis = db1.getResource()) {
        jedis.flushDB();
      }
    }
  }

  @Test
  void badRequestsSayWhatIsExpected() throws Exception {
    assertTrue(get("/api/v1/events_per_minute?to=2026-11-27T10:08:00Z", 400).get("error").asText()
        .contains("'from' is missing"));
    assertTrue(get("/api/v1/events_per_minute?from=yesterday&to=2026-11-27T10:08:00Z", 400).get("error").asText()
        .contains("ISO-8601"));
    assertTrue(get("/api/v1/events_per_minute?from=2026-11-01T00:00:00Z&to=2026-11-27T00:00:00Z", 400)
        .get("error").asText().contains("longer than 7 days"));
    assertTrue(get("/api/v1/events_per_minute?from=2026-11-27T10:08:00Z&to=2026-11-27T10:05:00Z", 400)
        .get("error").asText().contains("empty"));
    assertTrue(get("/api/v1/alerts?limit=0", 400).get("error").asText().contains("1 to 1000"));
    assertTrue(get("/api/v1/sessions?day=27/11/2026", 400).get("error").asText().contains("2026-12-05"));
    assertTrue(get("/api/v1/nothing", 404).get("error").asText().contains("/api/v1/events_per_minute"));
  }

  @Test
  void redisNotAnsweringIs503() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (JedisPool nowhere = new JedisPool("127.0.0.1", closedPort);
        QueryServer down = QueryServer.start(new LiveMetrics(nowhere), "127.0.0.1", 0, 2)) {
      HttpResponse<String> response = HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + down.port() + "/healthz")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(503, response.statusCode(), response.body());
      assertTrue(response.body().contains("Redis does not answer"), response.body());
      assertEquals("5", response.headers().firstValue("Retry-After").orElse(null));
    }
    assertEquals("up", get("/healthz", 200).get("redis").asText());
  }

  private static JsonNode post(QueryServer target, String path, String body, int expectedStatus)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + path));
    request = body == null ? request.GET() : request.POST(HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(expectedStatus, response.statusCode(), path + " -> " + response.body());
    return JSON.readTree(response.body());
  }

  private static List<String> layers(JsonNode answer) {
    List<String> layers = new ArrayList<>();
    answer.get("buckets").forEach(b -> layers.add(b.get("layer").asText()));
    return layers;
  }

  private static List<Long> counts(JsonNode answer) {
    List<Long> counts = new ArrayList<>();
    answer.get("buckets").forEach(b -> counts.add(b.get("count").asLong()));
    return counts;
  }

  private static JsonNode get(String pathAndQuery, int expectedStatus) throws IOException, InterruptedException {
    return get(server, pathAndQuery, expectedStatus);
  }

  private static JsonNode get(QueryServer target, String pathAndQuery, int expectedStatus)
      throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + pathAndQuery)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(expectedStatus, response.statusCode(), pathAndQuery + " -> " + response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(null));
    return JSON.readTree(response.body());
  }

  private static String row(String minute, String type, String platform, String country, long count) {
    return String.format("{\"window_start\":\"2026-11-27T%s:00Z\",\"window_end\":null,\"event_type\":\"%s\","
        + "\"platform\":\"%s\",\"country\":\"%s\",\"event_count\":%d}", minute, type, platform, country, count);
  }
}
