package io.github.analytics.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ClickHouse DDL of {@code deploy/clickhouse}, applied verbatim to a real clickhouse-server: the
 * per-minute counts the streaming pipeline publishes again and again (early, on-time and late panes,
 * a replay) come out as one final count a key, and a replayed alert as one alert.
 *
 * <p>Expected values are worked by hand from the records below; a sum over the records would give
 * different numbers for every key (page_view/web/US at 14:05 sums to 35, its final count is 7).
 */
class ClickHouseDeployTest {
  private static final Path DDL = Paths.get("..", "deploy", "clickhouse");
  private static final String METRICS_TOPIC = "metrics.events_per_minute";
  private static final String ALERTS_TOPIC = "alerts.anomalies";

  // 2026-11-28T14:05:00Z is 1795874700 s after the epoch (date -u -d 2026-11-28T14:05:00Z +%s).
  private static final long MIN_0505 = 1_795_874_700_000L;
  private static final long MIN_0506 = MIN_0505 + 60_000L;

  /** The pipeline's records, in the order they are published (key, JSON value). */
  private static final List<String[]> METRIC_RECORDS = List.of(
      // page_view/web/US at 14:05: early panes 3 and 5, on-time 5, late 7 ...
      metric("2026-11-28T14:05:00Z", MIN_0505, "page_view", "web", "US", 3, "EARLY", 0, "2026-11-28T14:05:07.123Z"),
      metric("2026-11-28T14:05:00Z", MIN_0505, "page_view", "web", "US", 5, "EARLY", 1, "2026-11-28T14:05:12.000Z"),
      metric("2026-11-28T14:05:00Z", MIN_0505, "click", "ios", "unknown", 4, "ON_TIME", 0, "2026-11-28T14:06:00.500Z"),
      metric("2026-11-28T14:05:00Z", MIN_0505, "page_view", "web", "US", 5, "ON_TIME", 2, "2026-11-28T14:06:00.500Z"),
      metric("2026-11-28T14:06:00Z", MIN_0506, "page_view", "android", "DE", 10, "EARLY", 0, "2026-11-28T14:06:05.000Z"),
      metric("2026-11-28T14:05:00Z", MIN_0505, "page_view", "web", "US", 7, "LATE", 3, "2026-11-28T14:06:30.000Z"),
      metric("2026-11-28T14:06:00Z", MIN_0506, "page_view", "android", "DE", 12, "ON_TIME", 1, "2026-11-28T14:07:00.250Z"),
      metric("2026-11-28T14:06:00Z", MIN_0506, "page_view", "web", "US", 1, "ON_TIME", 0, "2026-11-28T14:07:00.250Z"),
      // ... then a replay after a restart publishes the key's panes again, in another order,
      metric("2026-11-28T14:05:00Z", MIN_0505, "page_view", "web", "US", 7, "LATE", 3, "2026-11-28T15:00:01.500Z"),
      metric("2026-11-28T14:05:00Z", MIN_0505, "page_view", "web", "US", 3, "EARLY", 0, "2026-11-28T15:00:01.600Z"),
      metric("2026-11-28T14:05:00Z", MIN_0505, "page_view", "web", "US", 5, "EARLY", 1, "2026-11-28T15:00:01.700Z"),
      // and an older pane of click/ios/unknown arrives after its newer one.
      metric("2026-11-28T14:05:00Z", MIN_0505, "click", "ios", "unknown", 2, "EARLY", 0, "2026-11-28T15:00:01.800Z"));

  /**
   * Final count a key, by hand: page_view/web/US@14:05 max(3,5,5,7,7,3,5) = 7; click/ios/unknown@14:05
   * max(4,2) = 4; page_view/android/DE@14:06 max(10,12) = 12; page_view/web/US@14:06 = 1. The newest
   * emission of page_view/web/US@14:05 is the replay's 15:00:01.700Z, milliseconds dropped.
   */
  private static final String EXPECTED_COUNTS = String.join("\n",
      "2026-11-28 14:05:00\t2026-11-28 14:06:00\tclick\tios\tunknown\t4\t2026-11-28 15:00:01",
      "2026-11-28 14:05:00\t2026-11-28 14:06:00\tpage_view\tweb\tUS\t7\t2026-11-28 15:00:01",
      "2026-11-28 14:06:00\t2026-11-28 14:07:00\tpage_view\tandroid\tDE\t12\t2026-11-28 14:07:00",
      "2026-11-28 14:06:00\t2026-11-28 14:07:00\tpage_view\tweb\tUS\t1\t2026-11-28 14:07:00",
      "");
  /** Events a minute across keys: 14:05 is 7 + 4 = 11, 14:06 is 12 + 1 = 13. */
  private static final String EXPECTED_PER_MINUTE =
      "1795874700\t11\n1795874760\t13\n";
  private static final String COUNTS_QUERY = "SELECT toString(window_start, 'UTC'),"
      + " toString(window_end, 'UTC'), event_type, platform, country, event_count,"
      + " toString(last_emitted_at, 'UTC') FROM analytics.events_per_minute"
      + " ORDER BY window_start, event_type, platform, country";
  private static final String PER_MINUTE_QUERY = "SELECT toUnixTimestamp(window_start), sum(event_count)"
      + " FROM analytics.events_per_minute GROUP BY window_start ORDER BY window_start";

  /** One alert published twice (a replay, 10 minutes later) and another once. */
  private static final List<String[]> ALERT_RECORDS = List.of(
      alert("event_type", "error", "2026-11-28T14:05:00Z", MIN_0505, "2026-11-28T14:06:00Z", 120, "above",
          16.3, "2026-11-28T14:06:01.000Z"),
      alert("platform", "ios", "2026-11-28T14:06:00Z", MIN_0506, "2026-11-28T14:07:00Z", 0, "below", -2.5,
          "2026-11-28T14:07:02.000Z"),
      alert("event_type", "error", "2026-11-28T14:05:00Z", MIN_0505, "2026-11-28T14:06:00Z", 120, "above",
          16.3, "2026-11-28T14:16:01.000Z"));
  /** By hand: two distinct alert ids; the replayed one keeps its latest emission (14:16:01). */
  private static final String EXPECTED_ALERTS = String.join("\n",
      "event_type|error|2026-11-28T14:05:00Z\t2026-11-28 14:05:00\t120\tabove\t16.3\t2026-11-28 14:16:01",
      "platform|ios|2026-11-28T14:06:00Z\t2026-11-28 14:06:00\t0\tbelow\t-2.5\t2026-11-28 14:07:02",
      "");
  private static final String ALERTS_QUERY = "SELECT alert_id, toString(window_start, 'UTC'), value,"
      + " direction, z_score, toString(emitted_at, 'UTC') FROM analytics.anomaly_alerts_final"
      + " ORDER BY alert_id";

  /**
   * The aggregation DDL (every file but the Kafka engine clauses, verbatim) with the records inserted
   * over HTTP into tables of the Kafka tables' names and columns, on a server whose time zone is not
   * UTC, so that a time stamp parsed in the server's zone would show.
   */
  @Test
  void repeatedPanesAndReplayedAlertsInsertedOverHttpComeOutOncePerKey(@TempDir Path dir) {
    try (ClickHouseServer ch = ClickHouseServer.start(dir.resolve("clickhouse"), "Asia/Kolkata")) {
      for (Path file : ddlFiles()) {
        ch.execute(withKafkaEngineReplacedByNull(substitute(read(file), "127.0.0.1:9", "g")));
      }
      // In several inserts, as the Kafka engine delivers blocks: each becomes parts of its own.
      List<String> lines = METRIC_RECORDS.stream().map(r -> r[1]).collect(Collectors.toList());
      ch.insertJsonEachRow("analytics.events_per_minute_queue", String.join("\n", lines.subList(0, 5)));
      ch.insertJsonEachRow("analytics.events_per_minute_queue", String.join("\n", lines.subList(5, 8)));
      ch.insertJsonEachRow("analytics.events_per_minute_queue", String.join("\n", lines.subList(8, 12)));
      for (String[] alert : ALERT_RECORDS) {
        ch.insertJsonEachRow("analytics.anomaly_alerts_queue", alert[1]);
      }

      assertEquals(EXPECTED_COUNTS, ch.query(COUNTS_QUERY));
      assertEquals(EXPECTED_PER_MINUTE, ch.query(PER_MINUTE_QUERY));
      assertEquals(EXPECTED_ALERTS, ch.query(ALERTS_QUERY));
      // Before merges the tables hold several rows a key (the views are exact anyway) ...
      assertTrue(Long.parseLong(ch.query("SELECT count() FROM analytics.events_per_minute_agg").trim()) >= 4);
      // ... and after a forced merge still the same answers.
      ch.execute("OPTIMIZE TABLE analytics.events_per_minute_agg FINAL");
      ch.execute("OPTIMIZE TABLE analytics.anomaly_alerts FINAL");
      assertEquals("4\n", ch.query("SELECT count() FROM analytics.events_per_minute_agg"));
      assertEquals("2\n", ch.query("SELECT count() FROM analytics.anomaly_alerts"));
      assertEquals(EXPECTED_COUNTS, ch.query(COUNTS_QUERY));
      assertEquals(EXPECTED_ALERTS, ch.query(ALERTS_QUERY));
    }
  }

  /**
   * The real path: {@code apply.sh} creates the Kafka engine tables against a real broker, the records
   * are produced to the pipeline's topics, and the views are polled until they show the final counts.
   */
  @Test
  void kafkaEngineConsumesThePipelinesTopicsIntoTheViews(@TempDir Path dir) throws Exception {
    try (KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"));
        ClickHouseServer ch = ClickHouseServer.start(dir.resolve("clickhouse"))) {
      // The topics exist before ClickHouse subscribes, as they do in production (the pipeline's
      // producer or an operator creates them): a consumer does not create a topic, and ClickHouse only
      // logs "Subscribed topic not available" and waits.
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(METRICS_TOPIC, KafkaBroker.DEFAULT_PARTITIONS, (short) 1),
            new NewTopic(ALERTS_TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      }
      applyScript(ch, kafka.bootstrapServers());
      awaitConsumerGroups(kafka, ch, "clickhouse-events-per-minute", "clickhouse-anomaly-alerts");

      Properties props = new Properties();
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
        for (String[] record : METRIC_RECORDS) {
          producer.send(new ProducerRecord<>(METRICS_TOPIC, record[0], record[1])).get();
        }
        for (String[] record : ALERT_RECORDS) {
          producer.send(new ProducerRecord<>(ALERTS_TOPIC, record[0], record[1])).get();
        }
      }

      awaitEquals(EXPECTED_COUNTS, () -> ch.query(COUNTS_QUERY), ch, Duration.ofSeconds(90));
      assertEquals(EXPECTED_PER_MINUTE, ch.query(PER_MINUTE_QUERY));
      awaitEquals(EXPECTED_ALERTS, () -> ch.query(ALERTS_QUERY), ch, Duration.ofSeconds(30));
      // ClickHouse committed its offsets in Kafka: a restart resumes after the 12 + 3 records.
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        awaitEquals("12", () -> committed(admin, "clickhouse-events-per-minute"), ch, Duration.ofSeconds(30));
        awaitEquals("3", () -> committed(admin, "clickhouse-anomaly-alerts"), ch, Duration.ofSeconds(30));
      }
    }
  }

  /** The sum of a group's committed offsets over its partitions, as text. */
  private static String committed(Admin admin, String group) {
    try {
      return Long.toString(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get(10, TimeUnit.SECONDS).values().stream()
          .filter(java.util.Objects::nonNull).mapToLong(o -> o.offset()).sum());
    } catch (Exception e) {
      return "unknown: " + e;
    }
  }

  @Test
  void clickHouseServerIsFoundWhereItIsAndAMissingOneIsNamedWithItsInstallCommand(@TempDir Path dir)
      throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Path single = Files.createDirectories(dir.resolve("single"));
    Path both = Files.createDirectories(dir.resolve("both"));
    Path clickhouse = executable(single.resolve("clickhouse"));
    Path server = executable(both.resolve("clickhouse-server"));
    executable(both.resolve("clickhouse"));
    assertEquals(Optional.empty(), ClickHouseServer.find(null, List.of(empty.toString())));
    assertEquals(Optional.of(clickhouse), ClickHouseServer.find(null, List.of(empty.toString(), single.toString())));
    assertEquals(Optional.of(server), ClickHouseServer.find(null, List.of(single.toString(), both.toString())));
    assertEquals(Optional.of(server), ClickHouseServer.find(server.toString(), List.of()));
    assertEquals(Optional.empty(), ClickHouseServer.find(empty.resolve("nope").toString(), List.of(both.toString())));
    assertTrue(ClickHouseServer.MISSING.contains("apt-get install -y clickhouse-server"), ClickHouseServer.MISSING);
  }

  @Test
  void serverStopsCleanlyAndNoLongerListens(@TempDir Path dir) {
    int port;
    try (ClickHouseServer ch = ClickHouseServer.start(dir)) {
      port = ch.httpPort();
      assertEquals("1\n", ch.query("SELECT 1"));
      IllegalStateException refused =
          org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> ch.query("SELEC 1"));
      assertTrue(refused.getMessage().contains("Syntax error"), refused.getMessage());
    }
    assertFalse(listening(port), "ClickHouse still listens after close");
  }

  private static void applyScript(ClickHouseServer ch, String brokers) throws Exception {
    Path script = DDL.resolve("apply.sh").toAbsolutePath().normalize();
    ProcessBuilder builder = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
    builder.environment().putAll(Map.of("CLICKHOUSE_URL", ch.httpUrl(), "KAFKA_BROKERS", brokers));
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "apply.sh did not finish:\n" + output);
    assertEquals(0, process.exitValue(), "apply.sh failed:\n" + output);
  }

  /**
   * Waits until ClickHouse's consumers have joined their groups: rows produced before that could be
   * skipped if a consumer started at the end of the topic.
   */
  private static void awaitConsumerGroups(KafkaBroker kafka, ClickHouseServer ch, String... groups)
      throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Instant deadline = Instant.now().plusSeconds(60);
      String state = "";
      while (Instant.now().isBefore(deadline)) {
        Map<String, ConsumerGroupDescription> described =
            admin.describeConsumerGroups(List.of(groups)).all().get(10, TimeUnit.SECONDS);
        state = described.values().stream()
            .map(g -> g.groupId() + "=" + g.state() + " members=" + g.members().size())
            .collect(Collectors.joining(", "));
        if (described.values().stream().allMatch(g -> !g.members().isEmpty())) {
          return;
        }
        TimeUnit.MILLISECONDS.sleep(200); // a poll interval, not a wait for a result
      }
      fail("ClickHouse's Kafka consumers did not join their groups within 60 s (" + state + ");"
          + " ClickHouse log:\n" + ServiceProcess.tail(ch.log(), 40) + "\nerrors:\n"
          + ServiceProcess.tail(ch.log().resolveSibling("clickhouse-server.err.log"), 40)
          + "\nKafka log:\n" + ServiceProcess.tail(kafka.log(), 20));
    }
  }

  private static void awaitEquals(String expected, Supplier<String> actual, ClickHouseServer ch, Duration timeout)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    String last = actual.get();
    while (!expected.equals(last) && Instant.now().isBefore(deadline)) {
      TimeUnit.MILLISECONDS.sleep(250); // a poll interval, not a wait for a result
      last = actual.get();
    }
    assertEquals(expected, last, "after " + timeout.toSeconds() + " s; ClickHouse errors:\n"
        + ServiceProcess.tail(ch.log().resolveSibling("clickhouse-server.err.log"), 40));
  }

  static List<Path> ddlFiles() {
    assertTrue(Files.isDirectory(DDL), "No " + DDL.toAbsolutePath().normalize()
        + ": run the tests from the stack module of the repository (mvn -pl stack ...)");
    try (Stream<Path> files = Files.list(DDL)) {
      List<Path> sql = files.filter(f -> f.getFileName().toString().matches("\\d\\d_.*\\.sql"))
          .sorted().collect(Collectors.toList());
      assertEquals(9, sql.size(), "deploy/clickhouse's numbered .sql files: " + sql);
      return sql;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** What apply.sh does with its defaults. */
  static String substitute(String sql, String brokers, String groupPrefix) {
    return sql.replace("${KAFKA_BROKERS}", brokers)
        .replace("${METRICS_TOPIC}", METRICS_TOPIC)
        .replace("${METRICS_GROUP}", groupPrefix + "-events-per-minute")
        .replace("${ALERTS_TOPIC}", ALERTS_TOPIC)
        .replace("${ALERTS_GROUP}", groupPrefix + "-anomaly-alerts");
  }

  /** A Kafka engine table's statement with the engine (the statement's end) replaced by Null. */
  static String withKafkaEngineReplacedByNull(String sql) {
    int engine = sql.indexOf("ENGINE = Kafka");
    return engine < 0 ? sql : sql.substring(0, engine) + "ENGINE = Null";
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String[] metric(String windowStart, long windowStartMs, String eventType, String platform,
      String country, long count, String timing, int paneIndex, String emittedAt) {
    String windowEnd = java.time.Instant.ofEpochMilli(windowStartMs + 60_000).toString();
    String key = windowStart + "|" + eventType + "|" + platform + "|" + country;
    String value = "{\"window_start\":\"" + windowStart + "\",\"window_start_ms\":" + windowStartMs
        + ",\"window_end\":\"" + windowEnd + "\",\"window_end_ms\":" + (windowStartMs + 60_000)
        + ",\"event_type\":\"" + eventType + "\",\"platform\":\""
        + platform + "\",\"country\":\"" + country + "\",\"event_count\":" + count + ",\"pane_timing\":\""
        + timing + "\",\"pane_index\":" + paneIndex + ",\"emitted_at\":\"" + emittedAt + "\"}";
    return new String[] {key, value};
  }

  private static String[] alert(String series, String seriesKey, String windowStart, long windowStartMs,
      String windowEnd, long value, String direction, double zScore, String emittedAt) {
    String id = series + "|" + seriesKey + "|" + windowStart;
    String json = "{\"alert_id\":\"" + id + "\",\"series\":\"" + series + "\",\"series_key\":\"" + seriesKey
        + "\",\"window_start\":\"" + windowStart + "\",\"window_start_ms\":" + windowStartMs
        + ",\"window_end\":\"" + windowEnd + "\",\"window_end_ms\":" + (windowStartMs + 60_000)
        + ",\"value\":" + value + ",\"mean\":6.1,\"stddev\":7.0"
        + ",\"z_score\":" + zScore + ",\"direction\":\"" + direction + "\",\"pane_timing\":\"ON_TIME\""
        + ",\"pane_index\":0,\"emitted_at\":\"" + emittedAt + "\"}";
    return new String[] {id, json};
  }

  private static Path executable(Path file) throws IOException {
    Files.createFile(file);
    assertTrue(file.toFile().setExecutable(true));
    return file;
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
