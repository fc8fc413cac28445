package io.github.analytics.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.EventCoder;
import io.github.analytics.transforms.ingest.TestEvents;
import io.github.analytics.transforms.metrics.CountPerMinute;
import io.github.analytics.transforms.metrics.DetectAnomalies;
import io.github.analytics.transforms.metrics.MetricCatalog;
import io.github.analytics.transforms.metrics.SessionizeEvents;
import io.github.analytics.stack.RedisServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.Row;
import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;
import org.joda.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The Redis sink against a real redis-server, with hand-worked values: rows arrive in order as panes
 * would (a {@link TestStream} keeps the order), and Redis must end at the latest absolute value, with
 * superseded sessions removed and each alert in the stream once.
 */
class RedisSinkTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static RedisServer server;
  private static Jedis redis;
  private static RedisSink.Target target;

  @BeforeAll
  static void startRedis() {
    server = RedisServer.start(dir);
    redis = new Jedis(server.host(), server.port());
    target = RedisSink.Target.of("redis://" + server.host() + ":" + server.port(), 3_600, 86_400);
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
    server.close();
  }

  @BeforeEach
  void empty() {
    redis.flushAll();
  }

  private static DateTime t(String hhmm) {
    return new DateTime("2026-11-27T" + hhmm + ":00Z", DateTimeZone.UTC);
  }

  @Test
  void aLaterPaneReplacesTheCountAndReplaysChangeNothing() throws Exception {
    Row early = Row.withSchema(CountPerMinute.SCHEMA)
        .addValues(t("10:05"), t("10:06"), "click", "web", "US", 3L).build();
    Row onTime = Row.withSchema(CountPerMinute.SCHEMA)
        .addValues(t("10:05"), t("10:06"), "click", "web", "US", 5L).build();
    Row other = Row.withSchema(CountPerMinute.SCHEMA)
        .addValues(t("10:05"), t("10:06"), "page_view", "ios", "DE", 2L).build();
    run(TestStream.create(RowCoder.of(CountPerMinute.SCHEMA))
            .addElements(early, other)
            .addElements(onTime)
            .addElements(onTime) // a replay of the last pane
            .advanceWatermarkToInfinity(),
        RedisSink.metricRows(MetricCatalog.named("event_counts_per_minute"), target));

    String key = "event_counts_per_minute:2026-11-27T10:05:00Z";
    Map<String, String> fields = redis.hgetAll(key);
    assertEquals(Set.of("click|web|US", "page_view|ios|DE"), fields.keySet());
    assertEquals(5, JSON.readTree(fields.get("click|web|US")).get("event_count").asLong());
    assertEquals(2, JSON.readTree(fields.get("page_view|ios|DE")).get("event_count").asLong());
    assertEquals("2026-11-27T10:06:00Z",
        JSON.readTree(fields.get("click|web|US")).get("window_end").asText());
    long ttl = redis.ttl(key);
    assertTrue(ttl > 0 && ttl <= 3_600, "TTL " + ttl);
  }

  @Test
  void aValueIsWrittenAsItArrivesAndAcknowledgedBeforeItsBundleEnds() throws Exception {
    // The step's lifecycle by hand: the row must reach Redis while its bundle is still open (a
    // dashboard need not wait for the bundle to end), and the bundle's end returns once it is there.
    Row row = Row.withSchema(CountPerMinute.SCHEMA)
        .addValues(t("10:05"), t("10:06"), "click", "web", "US", 3L).build();
    RedisWriteFn<Row> fn = ((RedisSink.Write<Row>) RedisSink.metricRows(
        MetricCatalog.named("event_counts_per_minute"), target)).fn();
    String key = "event_counts_per_minute:2026-11-27T10:05:00Z";
    try {
      fn.startBundle();
      fn.processElement(row);
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (redis.hget(key, "click|web|US") == null) {
        assertTrue(System.nanoTime() < deadline, "the row did not reach Redis within 30 s of its arrival");
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
      }
      Row later = Row.withSchema(CountPerMinute.SCHEMA)
          .addValues(t("10:05"), t("10:06"), "click", "web", "US", 4L).build();
      fn.processElement(later);
      fn.finishBundle();
      // finishBundle returned: the later value is acknowledged, so it is there without polling.
      assertEquals(4, JSON.readTree(redis.hget(key, "click|web|US")).get("event_count").asLong());
    } finally {
      fn.teardown();
    }
  }

  @Test
  void theQueryApiReadsWhatTheSinkWrites() {
    // The serving layer reads the README's key layout on its own; this pins it to what the sink writes.
    Row click = Row.withSchema(CountPerMinute.SCHEMA)
        .addValues(t("10:05"), t("10:06"), "click", "web", "US", 3L).build();
    Row view = Row.withSchema(CountPerMinute.SCHEMA)
        .addValues(t("10:05"), t("10:06"), "page_view", "ios", "DE", 2L).build();
    Row later = Row.withSchema(CountPerMinute.SCHEMA)
        .addValues(t("10:06"), t("10:07"), "click", "web", "US", 5L).build();
    run(TestStream.create(RowCoder.of(CountPerMinute.SCHEMA))
            .addElements(click, view, later)
            .advanceWatermarkToInfinity(),
        RedisSink.metricRows(MetricCatalog.named("event_counts_per_minute"), target));
    Row alert = Row.withSchema(DetectAnomalies.SCHEMA)
        .addValues("event_type", "error", t("14:03"), t("14:04"), 120L, 6.0, 7.0, 16.3, "above").build();
    run(TestStream.create(RowCoder.of(DetectAnomalies.SCHEMA)).addElements(alert).advanceWatermarkToInfinity(),
        RedisSink.alerts(DetectAnomalies.KEY_COLUMNS, target));
    run(TestStream.create(RowCoder.of(SessionizeEvents.SCHEMA))
            .addElements(session("u1", "10:00", "10:10", 3), session("u2", "10:20", "10:25", 1))
            .advanceWatermarkToInfinity(),
        RedisSink.sessions(target));

    try (redis.clients.jedis.JedisPool pool = new redis.clients.jedis.JedisPool(server.host(), server.port())) {
      io.github.analytics.serving.LiveMetrics live = new io.github.analytics.serving.LiveMetrics(pool);
      java.time.Instant from = java.time.Instant.parse("2026-11-27T10:05:00Z");
      java.time.Instant to = java.time.Instant.parse("2026-11-27T10:07:00Z");
      assertEquals(List.of(5L, 5L), live.eventsPerMinute(from, to,
          io.github.analytics.serving.LiveMetrics.Dimensions.ALL).stream()
          .map(io.github.analytics.serving.LiveMetrics.MinuteCount::count).toList());
      assertEquals(List.of(3L, 5L), live.eventsPerMinute(from, to,
          new io.github.analytics.serving.LiveMetrics.Dimensions("click", "web", "US")).stream()
          .map(io.github.analytics.serving.LiveMetrics.MinuteCount::count).toList());
      assertEquals(2, live.sessionsStartedOn(java.time.LocalDate.parse("2026-11-27")));
      List<io.github.analytics.serving.LiveMetrics.Alert> alerts = live.latestAlerts(10);
      assertEquals(1, alerts.size());
      assertEquals("event_type|error|2026-11-27T14:03:00Z", alerts.get(0).id());
      assertEquals(120, alerts.get(0).row().get("value").asLong());
    }
  }

  @Test
  void aMergedSessionReplacesTheSessionsItContains() {
    // u1 has two sessions, 10:00-10:10 and 10:50-11:00; a late event at 10:30 merges them into
    // 10:00-11:00. u1's early pane of the first, 10:00-10:05, was written before. u2 is untouched.
    Row firstEarly = session("u1", "10:00", "10:05", 2);
    Row first = session("u1", "10:00", "10:10", 3);
    Row second = session("u1", "10:50", "11:00", 4);
    Row merged = session("u1", "10:00", "11:00", 8);
    Row other = session("u2", "10:20", "10:25", 1);
    run(TestStream.create(RowCoder.of(SessionizeEvents.SCHEMA))
            .addElements(firstEarly, other)
            .addElements(first)
            .addElements(second)
            .addElements(merged)
            .advanceWatermarkToInfinity(),
        RedisSink.sessions(target));

    Map<String, String> day = redis.hgetAll("sessions:2026-11-27");
    assertEquals(Set.of("u1|2026-11-27T10:00:00Z", "u2|2026-11-27T10:20:00Z"), day.keySet());
    assertTrue(day.get("u1|2026-11-27T10:00:00Z").contains("\"event_count\":8"), day.toString());
    assertEquals(Set.of(Long.toString(t("10:00").getMillis())), redis.hgetAll("sessions:user:u1").keySet());
  }

  @Test
  void valuesHoldingTheSeparatorsCannotShareAField() throws Exception {
    // Unescaped, both rows would be the field "a|b|c|US" and the second would overwrite the first.
    Row typeWithBar = Row.withSchema(CountPerMinute.SCHEMA)
        .addValues(t("10:05"), t("10:06"), "a|b", "c", "US", 3L).build();
    Row platformWithBar = Row.withSchema(CountPerMinute.SCHEMA)
        .addValues(t("10:05"), t("10:06"), "a", "b|c", "US", 4L).build();
    Row withColonAndPercent = Row.withSchema(CountPerMinute.SCHEMA)
        .addValues(t("10:05"), t("10:06"), "Checkout: Step 1", "100%", "US", 5L).build();
    run(TestStream.create(RowCoder.of(CountPerMinute.SCHEMA))
            .addElements(typeWithBar, platformWithBar, withColonAndPercent)
            .advanceWatermarkToInfinity(),
        RedisSink.metricRows(MetricCatalog.named("event_counts_per_minute"), target));

    Map<String, String> fields = redis.hgetAll("event_counts_per_minute:2026-11-27T10:05:00Z");
    assertEquals(Set.of("a%7Cb|c|US", "a|b%7Cc|US", "Checkout: Step 1|100%25|US"), fields.keySet());
    assertEquals(3, JSON.readTree(fields.get("a%7Cb|c|US")).get("event_count").asLong());
    assertEquals("a|b", JSON.readTree(fields.get("a%7Cb|c|US")).get("event_type").asText());
    assertEquals(4, JSON.readTree(fields.get("a|b%7Cc|US")).get("event_count").asLong());
  }

  @Test
  void anEventTypeWithAColonHasItsOwnHyperLogLogsWhichTheQueryApiReads() {
    // "x:2026112710" is an event type whose unescaped daily key would start like the hourly keys of
    // type "x"; escaped, its users stay apart and the query API finds them.
    Instant at = t("10:05").toInstant();
    List<Event> events = List.of(
        TestEvents.event("00000000-0000-4000-8000-000000000001", "x:2026112710", "u1", at),
        TestEvents.event("00000000-0000-4000-8000-000000000002", "x:2026112710", "u2", at),
        TestEvents.event("00000000-0000-4000-8000-000000000003", "x", "u3", at));
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    pipeline.apply(TestStream.create(EventCoder.of()).addElements(events.get(0), events.get(1), events.get(2))
            .advanceWatermarkToInfinity())
        .apply(RedisSink.distinctUsers(target));
    pipeline.run().waitUntilFinish();

    assertEquals(2, redis.pfcount("hll:x%3A2026112710:2026112710"));
    assertEquals(1, redis.pfcount("hll:x:2026112710"));
    try (redis.clients.jedis.JedisPool pool = new redis.clients.jedis.JedisPool(server.host(), server.port())) {
      io.github.analytics.serving.LiveMetrics live = new io.github.analytics.serving.LiveMetrics(pool);
      java.time.Instant from = java.time.Instant.parse("2026-11-27T10:00:00Z");
      java.time.Instant to = java.time.Instant.parse("2026-11-27T11:00:00Z");
      assertEquals(2, live.distinctUsers("x:2026112710", from, to));
      assertEquals(1, live.distinctUsers("x", from, to));
      assertEquals(3, live.distinctUsers("all", from, to));
    }
  }

  @Test
  void theAlertIdsAreTrimmedToTheAlertsStillInTheStream() {
    // The script with a stream of at most 5 (approximately: Redis trims whole nodes of 100 entries),
    // called for 400 distinct alerts and then again for the newest one.
    int max = 5;
    for (int i = 0; i < 400; i++) {
      redis.eval(RedisSink.ALERT_SCRIPT, List.of(RedisSink.ALERT_STREAM, RedisSink.ALERT_IDS),
          List.of("alert-" + i, "{}", Integer.toString(max), "3600"));
    }
    Set<String> inStream = new java.util.HashSet<>();
    for (redis.clients.jedis.resps.StreamEntry entry : redis.xrange(RedisSink.ALERT_STREAM,
        (redis.clients.jedis.StreamEntryID) null, (redis.clients.jedis.StreamEntryID) null)) {
      inStream.add(entry.getFields().get("alert_id"));
    }
    Set<String> ids = redis.hgetAll(RedisSink.ALERT_IDS).keySet();
    assertTrue(inStream.size() < 400, "the stream was trimmed: " + inStream.size());
    assertTrue(ids.containsAll(inStream), "every alert in the stream keeps its id");
    assertTrue(ids.size() <= inStream.size() + 2 * max, ids.size() + " ids for " + inStream.size()
        + " alerts in the stream");
    Object added = redis.eval(RedisSink.ALERT_SCRIPT, List.of(RedisSink.ALERT_STREAM, RedisSink.ALERT_IDS),
        List.of("alert-399", "{}", Integer.toString(max), "3600"));
    assertEquals(0L, added, "a replayed recent alert is not added again");
  }

  @Test
  void aUsersSessionIndexForgetsSessionsOlderThanTheTtl() {
    // Sessions of one user on three days, with the daily TTL of one day: the index keeps the ones whose day
    // hash can still hold them.
    Row first = sessionAt("u1", "2026-11-25T10:00:00Z", "2026-11-25T10:10:00Z");
    Row second = sessionAt("u1", "2026-11-26T10:00:00Z", "2026-11-26T10:10:00Z");
    Row third = sessionAt("u1", "2026-11-27T12:00:00Z", "2026-11-27T12:10:00Z");
    run(TestStream.create(RowCoder.of(SessionizeEvents.SCHEMA))
            .addElements(first).addElements(second).addElements(third)
            .advanceWatermarkToInfinity(),
        RedisSink.sessions(target));
    Set<String> starts = redis.hgetAll("sessions:user:u1").keySet();
    assertEquals(Set.of(Long.toString(DateTime.parse("2026-11-27T12:00:00Z").getMillis())), starts,
        "the 25th and the 26th 10:00 are more than a day before the 27th 12:00");
  }

  @Test
  void anAlertEntersTheStreamOnce() {
    Row alert = Row.withSchema(DetectAnomalies.SCHEMA)
        .addValues("event_type", "error", t("14:03"), t("14:04"), 120L, 6.0, 7.0, 16.3, "above").build();
    Row another = Row.withSchema(DetectAnomalies.SCHEMA)
        .addValues("event_type", "error", t("14:04"), t("14:05"), 130L, 6.5, 7.1, 17.4, "above").build();
    run(TestStream.create(RowCoder.of(DetectAnomalies.SCHEMA))
            .addElements(alert)
            .addElements(alert, another)
            .addElements(alert)
            .advanceWatermarkToInfinity(),
        RedisSink.alerts(DetectAnomalies.KEY_COLUMNS, target));

    assertEquals(2, redis.xlen(RedisSink.ALERT_STREAM));
    assertEquals(Set.of("event_type|error|2026-11-27T14:03:00Z", "event_type|error|2026-11-27T14:04:00Z"),
        redis.hgetAll(RedisSink.ALERT_IDS).keySet());
  }

  @Test
  void aRefusedWriteFailsTheBundleAndSaysWhy() {
    // A key of the wrong type makes Redis refuse the HSET: a pipelined write must not drop that.
    redis.set("event_counts_per_minute:2026-11-27T10:05:00Z", "not a hash");
    Row row = Row.withSchema(CountPerMinute.SCHEMA)
        .addValues(t("10:05"), t("10:06"), "click", "web", "US", 3L).build();
    Exception failure = assertThrows(Exception.class, () ->
        run(TestStream.create(RowCoder.of(CountPerMinute.SCHEMA))
                .addElements(row)
                .advanceWatermarkToInfinity(),
            RedisSink.metricRows(MetricCatalog.named("event_counts_per_minute"), target)));
    String message = failureMessages(failure);
    assertTrue(message.contains("refused a write") && message.contains("WRONGTYPE")
        && message.contains(server.host() + ":" + server.port()), message);
    assertEquals("not a hash", redis.get("event_counts_per_minute:2026-11-27T10:05:00Z"));
  }

  private static String failureMessages(Throwable failure) {
    StringBuilder messages = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append(" / ");
    }
    return messages.toString();
  }

  private static Row sessionAt(String user, String start, String end) {
    DateTime from = DateTime.parse(start).withZone(DateTimeZone.UTC);
    DateTime to = DateTime.parse(end).withZone(DateTimeZone.UTC);
    return Row.withSchema(SessionizeEvents.SCHEMA)
        .addValues(user, user + "-" + from.getMillis(), from, to, (to.getMillis() - from.getMillis()) / 1000,
            1L, 1L, "page_view", "page_view", 0.0, "c-" + user, 1L)
        .build();
  }

  private static Row session(String user, String start, String end, long events) {
    long seconds = (t(end).getMillis() - t(start).getMillis()) / 1000;
    return Row.withSchema(SessionizeEvents.SCHEMA)
        .addValues(user, user + "-" + t(start).getMillis(), t(start), t(end), seconds, events, events,
            "page_view", "click", 0.0, "c-" + user, 1L)
        .build();
  }

  private static void run(
      TestStream<Row> stream,
      org.apache.beam.sdk.transforms.PTransform<org.apache.beam.sdk.values.PCollection<Row>,
          org.apache.beam.sdk.values.PDone> sink) {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    pipeline.apply(stream).apply(sink);
    pipeline.run().waitUntilFinish();
  }
}
