package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratedRecord;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.generator.KafkaWriter;
import io.github.analytics.generator.MmdbWriter;
import io.github.analytics.pipelines.io.ArchiveSink;
import io.github.analytics.pipelines.options.FlinkBatchSettings;
import io.github.analytics.pipelines.io.RedisReader;
import io.github.analytics.pipelines.io.RedisSink;
import io.github.analytics.stack.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The one-code-path promise as a test. One generated day goes to a real Kafka topic once; the
 * streaming pipeline (Flink [local], streaming) reads it into Redis and writes the archive; the batch
 * pipeline (Flink [local], batch) reads that archive into DuckDB. Per-minute counts, sessions, funnel
 * steps and the HLL++ estimates must be identical in both layers, and the Redis HyperLogLogs within
 * their error bound of the exact distinct users.
 *
 * <p>The day has no events arriving hours late: the streaming layer drops what comes after its allowed
 * lateness (10 minutes) by design, and only the batch layer takes those in.
 */
class LambdaParityTest {
  private static final LocalDate DAY = LocalDate.parse("2026-11-27");
  private static final java.time.Duration DEADLINE = java.time.Duration.ofMinutes(8);

  @TempDir Path dir;

  @Test
  void streamingIntoRedisAndBatchIntoDuckDbAgree() throws Exception {
    Path archive = dir.resolve("archive");
    Path geo = dir.resolve("geo.mmdb");
    MmdbWriter.writeGeoFixture(geo);
    List<GeneratedRecord> records = new ArrayList<>();
    EventGenerator.of(
            GeneratorConfig.forDay(DAY).withSeed(11).withEvents(20_000).withUsers(1_500).withLateShare(0)
                .withAnomalyAt(java.time.LocalTime.of(14, 0)))
        .generate(records::add);

    try (LocalStack stack = LocalStack.start(dir.resolve("stack"))) {
      String bootstrap = stack.kafka().bootstrapServers();
      try (KafkaWriter writer = KafkaWriter.open(bootstrap, "events")) {
        records.forEach(writer::write);
      }
      String redisUri = "redis://" + stack.redis().host() + ":" + stack.redis().port();
      StreamingPipelineOptions streamingOptions =
          PipelineOptionsFactory.fromArgs(
                  "--runner=FlinkRunner",
                  "--flinkMaster=[local]",
                  "--parallelism=2",
                  "--checkpointingInterval=5000",
                  // As the CLI runs embedded Flink: Flink's in-memory default refuses state over 5 MB
                  // and fails the job at a checkpoint, which this test is not about.
                  "--stateBackend=filesystem",
                  "--stateBackendStoragePath=" + dir.resolve("checkpoints").toUri(),
                  // Return once the job is submitted: the test cancels it at the end.
                  "--attachedMode=false",
                  "--bootstrapServers=" + bootstrap,
                  "--redisUri=" + redisUri,
                  "--archiveRoot=" + archive,
                  "--geoDatabase=" + geo)
              .withValidation()
              .as(StreamingPipelineOptions.class);
      PipelineResult streaming = StreamingPipeline.run(streamingOptions);
      try {
        // Every hour that received records is marked complete once the watermark has passed it.
        Set<String> hours =
            records.stream()
                .map(r -> ArchiveSink.partition(r.raw().getReceivedAt()))
                .collect(Collectors.toCollection(TreeSet::new));
        awaitTrue("every archive hour marked complete", () ->
            hours.stream().allMatch(h -> Files.exists(archive.resolve(h).resolve(ArchiveSink.HOUR_MARKER))));
        assertEquals(records.size(), archivedRecords(archive), "records in the archive");

        // As `analytics batch` runs it on embedded Flink (FlinkDefaults.batch).
        List<String> batchArgs = FlinkBatchSettings.withEveryStepAtFullParallelism(List.of(
            "--runner=FlinkRunner",
            "--flinkMaster=[local]",
            "--parallelism=2",
            "--objectReuse=true",
            "--useDataStreamForBatch=true",
            "--archiveRoot=" + archive,
            "--fromDate=" + DAY,
            "--geoDatabase=" + geo,
            "--duckDbPath=" + dir.resolve("warehouse.duckdb")));
        BatchPipelineOptions batchOptions =
            PipelineOptionsFactory.fromArgs(batchArgs.toArray(String[]::new))
                .withValidation()
                .as(BatchPipelineOptions.class);
        BatchResult batch = BatchPipeline.run(batchOptions);
        assertEquals(PipelineResult.State.DONE, batch.state());

        try (Connection db = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse.duckdb"));
            Jedis redis = new Jedis(stack.redis().host(), stack.redis().port())) {
          Map<String, Long> perMinute = perMinuteFromDuckDb(db);
          Map<String, Long> sessions = sessionsFromDuckDb(db);
          Map<String, Long> funnel = funnelFromDuckDb(db);
          Map<String, Long> hourlyUsers = hourlyUsersFromDuckDb(db);
          Map<String, Long> anomalies = queryMap(db,
              "SELECT strftime(window_start, '%Y-%m-%dT%H:%M:%SZ') || '|' || series || '|' || series_key,"
                  + " value FROM anomalies");
          assertTrue(anomalies.keySet().stream().anyMatch(k -> k.contains("T14:0") && k.endsWith("|error")),
              "the batch layer finds the planted error burst: " + anomalies);
          assertTrue(perMinute.size() > 1_000, "the day has per-minute rows: " + perMinute.size());
          assertTrue(sessions.size() > 400, "the day has sessions: " + sessions.size());
          // Streaming keeps converging while late panes land: compare until equal or the deadline.
          awaitEqual("per-minute counts", perMinute, () -> perMinuteFromRedis(redis));
          awaitEqual("sessions", sessions, () -> sessionsFromRedis(redis));
          awaitEqual("funnel steps", funnel, () -> funnelFromRedis(redis));
          awaitEqual("hourly distinct users (HLL++)", hourlyUsers, () -> hourlyUsersFromRedis(redis));
          awaitEqual("anomalies", anomalies, () -> metricFromRedis(redis, "anomalies", "value", true));
          assertEquals(anomalies.size(), redis.xlen(RedisSink.ALERT_STREAM), "alerts in the stream");

          long exact = queryLong(db,
              "SELECT count(DISTINCT user_id) FROM events WHERE CAST(event_timestamp AS DATE) = DATE '" + DAY + "'");
          long estimate = redis.pfcount(RedisSink.dailyHllKey(RedisSink.ALL_EVENT_TYPES,
              new org.joda.time.Instant(DAY.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli())));
          // Redis HLL: 0.81% standard error; allow three.
          assertTrue(Math.abs(estimate - exact) <= Math.max(3, 3 * 0.0081 * exact),
              "Redis PFCOUNT " + estimate + " vs exact " + exact);
        }
      } finally {
        streaming.cancel();
      }
    }
  }

  // ---- DuckDB side (the batch layer's warehouse)

  private static Map<String, Long> perMinuteFromDuckDb(Connection db) throws Exception {
    return queryMap(db,
        "SELECT strftime(window_start, '%Y-%m-%dT%H:%M:%SZ') || '|' || event_type || '|' || platform"
            + " || '|' || country, event_count FROM event_counts_per_minute");
  }

  private static Map<String, Long> sessionsFromDuckDb(Connection db) throws Exception {
    return queryMap(db,
        "SELECT user_id || '|' || epoch_ms(session_start), event_count FROM sessions");
  }

  private static Map<String, Long> funnelFromDuckDb(Connection db) throws Exception {
    return queryMap(db, "SELECT funnel || '|' || step, users FROM funnel_conversion");
  }

  private static Map<String, Long> hourlyUsersFromDuckDb(Connection db) throws Exception {
    return queryMap(db,
        "SELECT strftime(window_start, '%Y-%m-%dT%H:%M:%SZ') || '|' || event_type, distinct_users"
            + " FROM distinct_users_hourly");
  }

  // ---- Redis side (the streaming layer's dashboard values), by the documented key layout

  private static Map<String, Long> perMinuteFromRedis(Jedis redis) {
    return metricFromRedis(redis, "event_counts_per_minute", "event_count", true);
  }

  private static Map<String, Long> hourlyUsersFromRedis(Jedis redis) {
    return metricFromRedis(redis, "distinct_users_hourly", "distinct_users", true);
  }

  private static Map<String, Long> funnelFromRedis(Jedis redis) {
    return metricFromRedis(redis, "funnel_conversion", "users", false);
  }

  /** Every row of a metric's hashes for the day: [window|]field to one JSON number. */
  private static Map<String, Long> metricFromRedis(
      Jedis redis, String metric, String value, boolean prefixWindow) {
    Map<String, Long> rows = new TreeMap<>();
    RedisReader.metricRows(redis, metric, DAY).forEach((key, row) ->
        rows.put(prefixWindow ? key : key.substring(key.indexOf('|') + 1), row.get(value).asLong()));
    return rows;
  }

  private static Map<String, Long> sessionsFromRedis(Jedis redis) {
    Map<String, Long> rows = new TreeMap<>();
    for (JsonNode session : RedisReader.sessions(redis, DAY).values()) {
      rows.put(session.get("user_id").asText() + "|" + session.get("session_start_ms").asLong(),
          session.get("event_count").asLong());
    }
    return rows;
  }

  // ---- helpers

  private static long archivedRecords(Path archive) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(
            "SELECT count(*) FROM read_parquet('" + archive + "/dt=*/hour=*/*.parquet')")) {
      r.next();
      return r.getLong(1);
    }
  }

  private static Map<String, Long> queryMap(Connection db, String sql) throws Exception {
    Map<String, Long> rows = new TreeMap<>();
    try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        rows.put(r.getString(1), r.getLong(2));
      }
    }
    return rows;
  }

  private static long queryLong(Connection db, String sql) throws Exception {
    try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void awaitTrue(String what, Check check) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        fail("Timed out after " + DEADLINE + " waiting for " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
    }
  }

  private interface Reader {
    Map<String, Long> read() throws Exception;
  }

  private static void awaitEqual(String what, Map<String, Long> expected, Reader actual)
      throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    Map<String, Long> last = actual.read();
    while (!expected.equals(last)) {
      if (System.nanoTime() > deadline) {
        Map<String, String> differences = new TreeMap<>();
        for (String key : new TreeSet<>(java.util.stream.Stream.concat(
            expected.keySet().stream(), last.keySet().stream()).toList())) {
          if (!java.util.Objects.equals(expected.get(key), last.get(key))) {
            differences.put(key, "batch " + expected.get(key) + ", streaming " + last.get(key));
          }
        }
        fail(what + ": " + differences.size() + " of " + expected.size() + " rows differ after "
            + DEADLINE + ", for example " + differences.entrySet().stream().limit(20).toList());
      }
      java.util.concurrent.locks.LockSupport.parkNanos(500_000_000L);
      last = actual.read();
    }
  }
}
