package io.github.analytics.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.stack.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The collector against a real Kafka broker: what each request gets back, and what reaches the topics. */
class CollectorServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "wk_test_1";
  private static final String SOURCE = "web-test";
  private static final String REPLAY_KEY = "wk_import_1";
  private static final int MAX_EVENT = 2_000;
  private static final int MAX_REQUEST = 20_000;

  private static Path dir;
  private static KafkaBroker kafka;
  private static CollectorServer collector;
  private static HttpClient http;
  private static int topicCounter;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("collector-test");
    kafka = KafkaBroker.start(dir.resolve("kafka"));
    http = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stop() {
    if (collector != null) {
      collector.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  /** A collector of its own on fresh topics; returns {events topic, dead-letter topic}. */
  private static String[] freshCollector() {
    if (collector != null) {
      collector.close();
    }
    String events = "events-" + (++topicCounter);
    String deadLetters = events + ".dead_letters";
    kafka.createTopics(events, deadLetters);
    collector = CollectorServer.start(CollectorSettings.defaults().withPort(0).withTopics(events, deadLetters)
            .withLimits(MAX_EVENT, MAX_REQUEST, 10 * MAX_REQUEST),
        WriteKeys.of(Map.of(KEY, SOURCE, REPLAY_KEY, "importer:replay")), kafka.bootstrapServers());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!collector.healthy()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the collector did not see Kafka within 30 s");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
    return new String[] {events, deadLetters};
  }

  private static HttpResponse<String> post(String path, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + collector.port() + path))
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String key) {
    return "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] gzip(byte[] body) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(body);
    }
    return out.toByteArray();
  }

  /** Every record of {@code topic}, polled until {@code expected} are there (or 30 s passed). */
  private static List<ConsumerRecord<String, byte[]>> read(String topic, int expected) {
    return kafka.readAll(topic, expected, Duration.ofSeconds(30));
  }

  private static String header(ConsumerRecord<String, byte[]> record, String name) {
    var header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  @Test
  void aBatchIsAcceptedOnceKafkaHasItAndItsBadMessageGoesToTheDeadLetters() throws Exception {
    String[] topics = freshCollector();
    String batch = """
        {"batch":[
          {"type":"track","event":"signup","userId":"u1","messageId":"m-1","timestamp":"2026-12-06T10:00:00Z"},
          {"type":"page","name":"Home","anonymousId":"a2","messageId":"m-2"},
          {"type":"identify","userId":"u3","traits":{"plan":"pro"},"messageId":"m-3"},
          {"type":"track","event":"nobody","messageId":"m-4"}
        ],"sentAt":"2026-12-06T10:00:01Z","context":{"library":{"name":"analytics-node"}}}""";
    HttpResponse<String> response = post("/v1/batch", utf8(batch), "Authorization", basic(KEY),
        "Content-Type", "application/json", "User-Agent", "test-agent/1.0");
    assertEquals(200, response.statusCode(), response.body());
    JsonNode answer = JSON.readTree(response.body());
    assertEquals(3, answer.path("accepted").asInt(), response.body());
    assertEquals(1, answer.path("rejected").asInt(), response.body());

    List<ConsumerRecord<String, byte[]>> events = read(topics[0], 3);
    assertEquals(3, events.size(), "each accepted event once");
    Map<String, JsonNode> byUser = new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : events) {
      JsonNode event = JSON.readTree(record.value());
      assertEquals(record.key(), event.path("user_id").asText(), "keyed by user_id");
      assertEquals(SOURCE, header(record, "source"));
      assertEquals(java.time.Instant.ofEpochMilli(record.timestamp()),
          java.time.Instant.parse(event.path("server_timestamp").asText()), "the record's time is the arrival");
      assertEquals("127.0.0.1", event.path("client_ip").asText());
      assertEquals("test-agent/1.0", event.path("user_agent").asText());
      assertEquals("server", event.path("platform").asText(), "the batch's context (analytics-node)");
      byUser.put(record.key(), event);
    }
    assertEquals(java.util.Set.of("u1", "a2", "u3"), byUser.keySet());
    assertEquals("signup", byUser.get("u1").path("event_type").asText());
    assertEquals("page_view", byUser.get("a2").path("event_type").asText());
    assertEquals("pro", byUser.get("u3").path("properties").path("plan").asText());

    List<ConsumerRecord<String, byte[]>> dead = read(topics[1], 1);
    assertEquals(1, dead.size());
    assertEquals("MISSING_FIELD", header(dead.get(0), "dead_letter_reason"));
    assertEquals("collector", header(dead.get(0), "dead_letter_step"));
    assertEquals(SOURCE, header(dead.get(0), "source"));
    assertEquals("m-4", JSON.readTree(dead.get(0).value()).path("messageId").asText(), "the payload as parsed");
  }

  @Test
  void theWriteKeyMayComeInTheBodyAndSingleCallsTakeTheirTypeFromThePath() throws Exception {
    String[] topics = freshCollector();
    assertEquals(200, post("/v1/import", utf8("{\"writeKey\":\"" + KEY + "\",\"batch\":[{\"type\":\"track\","
        + "\"event\":\"x\",\"userId\":\"u1\"}]}"), "Content-Type", "application/json").statusCode());
    // navigator.sendBeacon: text/plain, the key in the body.
    assertEquals(200, post("/v1/track", utf8("{\"writeKey\":\"" + KEY + "\",\"event\":\"beacon\",\"userId\":\"u2\"}"),
        "Content-Type", "text/plain;charset=UTF-8").statusCode());
    assertEquals(200, post("/v1/native", utf8("{\"events\":[{\"event_id\":\"6f1c2a4e-0b7d-4e8a-9c3f-1a2b3c4d5e6f\","
        + "\"event_type\":\"purchase\",\"user_id\":\"u3\",\"session_id\":\"s\",\"platform\":\"web\","
        + "\"client_timestamp\":\"2026-12-06T10:00:00Z\",\"server_timestamp\":\"1999-01-01T00:00:00Z\"},"
        + "{\"event_type\":\"no user\"}]}"), "Authorization", basic(KEY)).statusCode());
    List<ConsumerRecord<String, byte[]>> events = read(topics[0], 3);
    assertEquals(3, events.size());
    Map<String, JsonNode> byUser = new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : events) {
      byUser.put(record.key(), JSON.readTree(record.value()));
    }
    assertEquals("x", byUser.get("u1").path("event_type").asText());
    assertEquals("beacon", byUser.get("u2").path("event_type").asText());
    assertTrue(byUser.get("u3").path("server_timestamp").asText().startsWith("20"), "the server stamps its time");
    assertTrue(!byUser.get("u3").path("server_timestamp").asText().startsWith("1999"), "not the client's claim");
    assertEquals(1, read(topics[1], 1).size(), "the native event without a user went to the dead letters");
  }

  @Test
  void aReplayKeysNativeEventsKeepTheirOwnArrivalTime() throws Exception {
    String[] topics = freshCollector();
    String event = "{\"event_id\":\"0b7d6f1c-2a4e-4e8a-9c3f-1a2b3c4d5e6f\",\"event_type\":\"click\","
        + "\"user_id\":\"%s\",\"client_timestamp\":\"2026-01-01T09:59:58Z\",\"server_timestamp\":%s}";
    String body = "{\"events\":[" + String.format(event, "u1", "\"2026-01-01T10:00:00.250+01:00\"") + ","
        + String.format(event, "u2", "\"not a time\"") + "]}";
    HttpResponse<String> response = post("/v1/native", utf8(body), "Authorization", basic(REPLAY_KEY));
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(1, JSON.readTree(response.body()).path("accepted").asInt(), response.body());
    List<ConsumerRecord<String, byte[]>> events = read(topics[0], 1);
    assertEquals(1, events.size());
    // 10:00:00.250 at +01:00 is 09:00:00.250 UTC.
    assertEquals(java.time.Instant.parse("2026-01-01T09:00:00.250Z").toEpochMilli(), events.get(0).timestamp(),
        "the record is stamped with the event's own arrival time");
    assertEquals("2026-01-01T10:00:00.250+01:00",
        JSON.readTree(events.get(0).value()).path("server_timestamp").asText(), "kept as sent");
    assertEquals("importer", header(events.get(0), "source"), "the source without its :replay mark");
    List<ConsumerRecord<String, byte[]>> dead = read(topics[1], 1);
    assertEquals(1, dead.size());
    assertEquals("INVALID_TIMESTAMP", header(dead.get(0), "dead_letter_reason"));
  }

  /**
   * A client that writes its whole oversized body before it reads (as HTTP clients without {@code
   * Expect: 100-continue} do) still reads 413: had the server closed with 20 MB unread, the client's
   * writes would meet a reset connection.
   */
  @Test
  void aClientThatSendsItsWholeOversizedBodyReadsTheStatus() throws Exception {
    freshCollector();
    int size = 20 << 20;
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", collector.port())) {
      socket.setSoTimeout(60_000);
      java.io.OutputStream out = socket.getOutputStream();
      out.write(utf8("POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + basic(KEY)
          + "\r\nContent-Type: application/json\r\nContent-Length: " + size + "\r\n\r\n"));
      byte[] chunk = new byte[1 << 20];
      Arrays.fill(chunk, (byte) ' ');
      for (int sent = 0; sent < size; sent += chunk.length) {
        out.write(chunk);
      }
      out.flush();
      String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
          StandardCharsets.US_ASCII)).readLine();
      assertEquals("HTTP/1.1 413 Request Entity Too Large", status);
    }
  }

  @Test
  void hostileRequestsGetTheirStatusAndNothingReachesKafka() throws Exception {
    String[] topics = freshCollector();
    byte[] track = utf8("{\"batch\":[{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\"}]}");
    String json = "application/json";
    assertEquals(401, post("/v1/batch", track, "Content-Type", json).statusCode(), "no key");
    assertEquals(401, post("/v1/batch", track, "Authorization", basic("nope"), "Content-Type", json).statusCode());
    assertEquals(401, post("/v1/batch", track, "Authorization", "Bearer x", "Content-Type", json).statusCode());
    assertEquals(415, post("/v1/batch", track, "Authorization", basic(KEY),
        "Content-Type", "application/x-www-form-urlencoded").statusCode());
    assertEquals(415, post("/v1/batch", track, "Authorization", basic(KEY), "Content-Encoding", "br").statusCode());
    assertEquals(400, post("/v1/batch", utf8("{\"batch\":[{\"type\":"), "Authorization", basic(KEY)).statusCode(),
        "truncated JSON");
    assertEquals(400, post("/v1/batch", new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
        "Authorization", basic(KEY)).statusCode(), "invalid UTF-8");
    assertEquals(400, post("/v1/batch", utf8("{\"a\":1,\"a\":2}"), "Authorization", basic(KEY)).statusCode(),
        "duplicate keys");
    assertEquals(400, post("/v1/batch", utf8("[" .repeat(200) + "]".repeat(200)), "Authorization", basic(KEY))
        .statusCode(), "deep nesting");
    assertEquals(400, post("/v1/batch", utf8("{\"batch\":{}}"), "Authorization", basic(KEY)).statusCode(),
        "batch not a list");
    byte[] big = utf8("{\"batch\":[],\"pad\":\"" + "x".repeat(MAX_REQUEST) + "\"}");
    assertEquals(413, post("/v1/batch", big, "Authorization", basic(KEY)).statusCode(), "over the request limit");
    // 10 MB, announced by Content-Length and streamed without one: each gets its 413, not a connection
    // reset by a server that closed it with bytes unread.
    byte[] tenMegabytes = utf8("{\"batch\":[],\"pad\":\"" + "x".repeat(10 << 20) + "\"}");
    assertEquals(413, post("/v1/batch", tenMegabytes, "Authorization", basic(KEY)).statusCode(), "10 MB");
    HttpResponse<String> streamed = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + collector.port() + "/v1/batch"))
        .header("Authorization", basic(KEY))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(tenMegabytes)))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(413, streamed.statusCode(), "10 MB, chunked");
    byte[] bomb = gzip(new byte[50 * MAX_REQUEST]);
    assertTrue(bomb.length < MAX_REQUEST / 10, "the bomb is small on the wire");
    assertEquals(413, post("/v1/batch", bomb, "Authorization", basic(KEY), "Content-Encoding", "gzip").statusCode(),
        "a gzip bomb is cut at the limit");
    byte[] zipped = gzip(track);
    assertEquals(400, post("/v1/batch", Arrays.copyOf(zipped, zipped.length - 6), "Authorization", basic(KEY),
        "Content-Encoding", "gzip").statusCode(), "truncated gzip");
    assertEquals(404, post("/v2/batch", track, "Authorization", basic(KEY)).statusCode());
    assertEquals(0, read(topics[0], 0).size(), "no hostile request wrote an event");

    // A message over the event limit inside a good batch goes to the dead letters; the rest is accepted.
    byte[] mixed = utf8("{\"batch\":[{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"properties\":{\"p\":\""
        + "y".repeat(MAX_EVENT) + "\"}},{\"type\":\"track\",\"event\":\"ok\",\"userId\":\"u\"}]}");
    HttpResponse<String> response = post("/v1/batch", gzip(mixed), "Authorization", basic(KEY),
        "Content-Encoding", "gzip");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(1, JSON.readTree(response.body()).path("accepted").asInt());
    assertEquals(1, read(topics[0], 1).size());
    List<ConsumerRecord<String, byte[]>> dead = read(topics[1], 1);
    assertEquals(1, dead.size());
    assertEquals("PAYLOAD_TOO_LARGE", header(dead.get(0), "dead_letter_reason"));
  }

  @Test
  void segmentsOwnJavaLibrarySendsToIt() throws Exception {
    String[] topics = freshCollector();
    com.segment.analytics.Analytics analytics = com.segment.analytics.Analytics.builder(KEY)
        .endpoint("http://127.0.0.1:" + collector.port())
        .build();
    try {
      analytics.enqueue(com.segment.analytics.messages.TrackMessage.builder("Order Completed")
          .userId("u1").properties(Map.of("revenue", 19.99)));
      analytics.enqueue(com.segment.analytics.messages.IdentifyMessage.builder()
          .userId("u2").traits(Map.of("plan", "pro")));
      analytics.enqueue(com.segment.analytics.messages.PageMessage.builder("Pricing").anonymousId("a3"));
      analytics.flush();
      List<ConsumerRecord<String, byte[]>> events = read(topics[0], 3);
      assertEquals(3, events.size(), "the library's three calls, once each");
      Map<String, JsonNode> byUser = new HashMap<>();
      for (ConsumerRecord<String, byte[]> record : events) {
        byUser.put(record.key(), JSON.readTree(record.value()));
      }
      assertEquals("Order Completed", byUser.get("u1").path("event_type").asText());
      assertEquals(19.99, byUser.get("u1").path("properties").path("revenue").asDouble());
      assertEquals("identify", byUser.get("u2").path("event_type").asText());
      assertEquals("page_view", byUser.get("a3").path("event_type").asText());
      assertEquals("server", byUser.get("u1").path("platform").asText(), "analytics-java is a server library");
      for (JsonNode event : byUser.values()) {
        java.util.UUID.fromString(event.path("event_id").asText());
      }
      assertEquals(0, read(topics[1], 0).size(), "nothing dead-lettered");
    } finally {
      analytics.shutdown();
    }
  }

  @Test
  void withoutKafkaRequestsGet503WithRetryAfterAndHealthSaysSo() throws Exception {
    // A broker of its own, stopped mid-test; the class's broker stays up for the other tests.
    KafkaBroker own = KafkaBroker.start(dir.resolve("kafka-stopped"));
    try (CollectorServer alone = CollectorServer.start(CollectorSettings.defaults().withPort(0)
            .withTopics("events", "events.dead_letters").withDeliveryTimeout(Duration.ofSeconds(4)),
        WriteKeys.of(Map.of(KEY, SOURCE)), own.bootstrapServers())) {
      own.createTopics("events", "events.dead_letters");
      URI health = URI.create("http://127.0.0.1:" + alone.port() + "/healthz");
      awaitStatus(health, 200);
      HttpRequest track = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + alone.port() + "/v1/track"))
          .header("Authorization", basic(KEY)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"x\",\"userId\":\"u\"}")).build();
      assertEquals(200, http.send(track, HttpResponse.BodyHandlers.ofString()).statusCode());

      own.close();
      awaitStatus(health, 503);
      HttpResponse<String> refused = http.send(track, HttpResponse.BodyHandlers.ofString());
      assertEquals(503, refused.statusCode(), refused.body());
      assertEquals("5", refused.headers().firstValue("Retry-After").orElse(""));
      assertEquals("unavailable", JSON.readTree(refused.body()).path("error").asText());
    } finally {
      own.close();
    }
  }

  /** Polls {@code uri} until it answers {@code status}, for at most 30 s. */
  private static void awaitStatus(URI uri, int status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    int last = -1;
    while (System.nanoTime() < deadline) {
      last = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
      if (last == status) {
        return;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    throw new AssertionError(uri + " answered " + last + ", not " + status + ", for 30 s");
  }

  @Test
  void healthAndCrossOriginCalls() throws Exception {
    freshCollector();
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + collector.port() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + collector.port() + "/v1/batch"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://shop.example")
        .header("Access-Control-Request-Method", "POST").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(204, preflight.statusCode());
    assertEquals("https://shop.example", preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").contains("Content-Type"));
  }
}
