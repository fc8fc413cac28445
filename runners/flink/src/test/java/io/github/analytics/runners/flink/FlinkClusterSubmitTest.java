package io.github.analytics.runners.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratedRecord;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.generator.KafkaWriter;
import io.github.analytics.generator.RecordKind;
import io.github.analytics.pipelines.io.RedisReader;
import io.github.analytics.stack.FlinkCluster;
import io.github.analytics.stack.KafkaBroker;
import io.github.analytics.stack.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * The Flink bundle runs on a real Flink 1.19 session cluster, submitted the way an operator submits it:
 * a JobManager and a TaskManager in JVMs of their own ({@link FlinkCluster}), and {@code flink run -d
 * -c io.github.analytics.runners.AnalyticsCli analytics-flink.jar stream ...} through Flink's own
 * command line. The job reads a generated day from a real Kafka broker and must leave in Redis
 * exactly the per-minute counts the test computes from the published events; then {@code flink
 * cancel} stops it.
 *
 * <p>The oracle is independent of the pipeline: it reads each valid event's {@code event_type} and
 * {@code client_timestamp} from the published JSON, caps the time at the arrival (the documented
 * event-time rule) and counts per minute and type. The day lies in the future, so its windows stay
 * open and early firings keep Redis at the current totals (see StreamingRecoveryTest).
 */
class FlinkClusterSubmitTest {
  private static final LocalDate GENERATED_DAY = LocalDate.parse("2026-11-27");
  private static final String TOPIC = "events";
  /** An upper bound: about a minute on a quiet 2-core machine, three under heavy load. */
  private static final Duration DEADLINE = Duration.ofSeconds(180);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private LocalStack stack;
  private FlinkCluster flink;

  @AfterEach
  void stopEverything() {
    try {
      if (flink != null) {
        flink.close();
      }
    } finally {
      if (stack != null) {
        stack.close();
      }
    }
  }

  @Test
  void flinkRunSubmitsTheStreamingJobAndItCountsExactly() throws Exception {
    Path bundle = bundle();
    long shiftDays = ChronoUnit.DAYS.between(GENERATED_DAY, LocalDate.now(ZoneOffset.UTC).plusDays(2));
    LocalDate day = GENERATED_DAY.plusDays(shiftDays);
    List<GeneratedRecord> records = new ArrayList<>();
    EventGenerator.of(GeneratorConfig.forDay(GENERATED_DAY).withSeed(5).withEvents(1_500).withUsers(200)
            .withLateShare(0).withTimeShift(Duration.ofDays(shiftDays)))
        .generate(records::add);
    Map<String, Long> expected = perMinuteOracle(records);
    assertTrue(expected.size() > 500, "the day spreads over many minutes: " + expected.size());

    progress("starting Kafka, Redis and the Flink cluster");
    // Kafka + Redis and the Flink cluster start side by side: four JVMs' worth of start-up.
    CompletableFuture<FlinkCluster> cluster =
        CompletableFuture.supplyAsync(() -> FlinkCluster.start(dir.resolve("flink")));
    try {
      stack = LocalStack.start(dir.resolve("stack"));
    } finally {
      flink = cluster.join();
    }
    progress("all up; publishing " + records.size() + " records");
    createTopic(stack.kafka().bootstrapServers());
    try (KafkaWriter writer = KafkaWriter.open(stack.kafka().bootstrapServers(), TOPIC)) {
      records.forEach(writer::write);
    }

    Path runLog = dir.resolve("flink-run.log");
    List<String> run = new ArrayList<>(List.of(
        "run", "-d", "-c", "io.github.analytics.runners.AnalyticsCli", bundle.toString(), "stream"));
    run.addAll(List.of(
        "--runner=FlinkRunner",
        // The job outlives `flink run -d`: Beam submits without waiting, main returns at once.
        "--attachedMode=false",
        "--waitUntilFinish=false",
        "--parallelism=" + FlinkCluster.SLOTS,
        "--checkpointingInterval=5000",
        "--bootstrapServers=" + stack.kafka().bootstrapServers(),
        "--inputTopic=" + TOPIC,
        "--consumerGroup=flink-cluster-test",
        "--redisUri=redis://" + stack.redis().host() + ":" + stack.redis().port(),
        "--earlyFiringSeconds=2",
        "--writeArchive=false",
        "--deadLetterTopic=",
        "--rollupTopic=",
        "--alertTopic="));
    progress("flink run");
    int exit = flink.cli(runLog, Duration.ofMinutes(2), run.toArray(String[]::new));
    String output = Files.readString(runLog, StandardCharsets.UTF_8);
    assertEquals(0, exit, "`flink run` failed; its output:\n" + tail(output));
    assertTrue(output.contains("Job has been submitted with JobID"),
        "`flink run` says it submitted the job; its output:\n" + tail(output));

    String jobId = runningJob();
    progress("job " + jobId + " running; polling Redis");
    try (Jedis redis = new Jedis(URI.create("redis://" + stack.redis().host() + ":" + stack.redis().port()))) {
      await("Redis to hold the oracle's per-minute counts",
          () -> jobIsAlive(jobId) && perMinuteInRedis(redis, day).equals(expected),
          () -> differences(expected, perMinuteInRedis(redis, day)));
    }

    progress("Redis holds the oracle's counts; flink cancel");
    Path cancelLog = dir.resolve("flink-cancel.log");
    assertEquals(0, flink.cli(cancelLog, Duration.ofMinutes(1), "cancel", jobId),
        "`flink cancel " + jobId + "` failed: " + Files.readString(cancelLog, StandardCharsets.UTF_8));
    await("the job to be CANCELED", () -> "CANCELED".equals(jobState(jobId)), () -> jobState(jobId));
    progress("cancelled");
  }

  private final long started = System.nanoTime();

  private void progress(String step) {
    System.out.printf(java.util.Locale.ROOT, "[FlinkClusterSubmitTest %5.1f s] %s%n", (System.nanoTime() - started) / 1e9, step);
  }

  /** Valid events (not retries, not malformed) per {@code <window start ms>|<event_type>}. */
  static Map<String, Long> perMinuteOracle(List<GeneratedRecord> records) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    for (GeneratedRecord record : records) {
      if (record.kind() != RecordKind.ON_TIME) {
        continue;
      }
      JsonNode event = JSON.readTree(record.payload());
      long client = Instant.parse(event.get("client_timestamp").asText()).toEpochMilli();
      long eventTime = Math.min(client, record.receivedAtMillis());
      long minute = eventTime - Math.floorMod(eventTime, 60_000L);
      counts.merge(minute + "|" + event.get("event_type").asText(), 1L, Long::sum);
    }
    return counts;
  }

  /** Redis's {@code event_counts_per_minute} rows of the day (and the next), summed per minute and type. */
  private static Map<String, Long> perMinuteInRedis(Jedis redis, LocalDate day) {
    Map<String, Long> counts = new TreeMap<>();
    for (LocalDate d : List.of(day, day.plusDays(1))) {
      RedisReader.metricRows(redis, "event_counts_per_minute", d).forEach((key, row) -> {
        long minute = Instant.parse(key.substring(0, key.indexOf('|'))).toEpochMilli();
        counts.merge(minute + "|" + row.get("event_type").asText(), row.get("event_count").asLong(), Long::sum);
      });
    }
    return counts;
  }

  private static String differences(Map<String, Long> expected, Map<String, Long> actual) {
    List<String> diffs = new ArrayList<>();
    for (String key : new java.util.TreeSet<>(union(expected, actual))) {
      if (!java.util.Objects.equals(expected.get(key), actual.get(key))) {
        diffs.add(key + " expected " + expected.get(key) + " found " + actual.get(key));
      }
    }
    return diffs.size() + " of " + expected.size() + " minute|type rows differ, e.g. "
        + diffs.subList(0, Math.min(5, diffs.size()));
  }

  private static java.util.Set<String> union(Map<String, Long> a, Map<String, Long> b) {
    java.util.Set<String> keys = new java.util.HashSet<>(a.keySet());
    keys.addAll(b.keySet());
    return keys;
  }

  /** The one job the cluster runs, once it is RUNNING. */
  private String runningJob() {
    String[] found = new String[1];
    await("the submitted job to be RUNNING", () -> {
      JsonNode jobs = json(flink.get("/jobs/overview")).get("jobs");
      if (jobs.size() == 1 && "RUNNING".equals(jobs.get(0).get("state").asText())) {
        found[0] = jobs.get(0).get("jid").asText();
        return true;
      }
      return false;
    }, () -> flink.get("/jobs/overview"));
    return found[0];
  }

  private String jobState(String jobId) {
    return json(flink.get("/jobs/" + jobId)).get("state").asText();
  }

  /** True while the job runs; fails the test with the cluster's logs once it has ended. */
  private boolean jobIsAlive(String jobId) {
    String state = jobState(jobId);
    if (!"RUNNING".equals(state)) {
      fail("The job ended: " + state + " " + flink.get("/jobs/" + jobId + "/exceptions")
          + "\n(logs in " + flink.logDir() + ")");
    }
    return true;
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("Not JSON: " + text, e);
    }
  }

  private static void await(String what, BooleanSupplier condition, Supplier<String> state) {
    Instant deadline = Instant.now().plus(DEADLINE);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        fail("Timed out after " + DEADLINE.toSeconds() + " s waiting for " + what + ": " + state.get());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500)); // the poll interval, not a wait for a result
    }
  }

  /** The day lies in the future: the broker must accept timestamps beyond its default hour ahead. */
  private static void createTopic(String bootstrapServers) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, KafkaBroker.DEFAULT_PARTITIONS, (short) 1)
              .configs(Map.of("message.timestamp.after.max.ms", Long.toString(Long.MAX_VALUE)))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  /** The bundle `package` built before this test (surefire runs in integration-test here). */
  static Path bundle() {
    String path = System.getProperty("analytics.bundle");
    if (path == null || !Files.isRegularFile(Paths.get(path))) {
      fail("The Flink bundle " + path + " is not there: run the test through Maven's verify phase"
          + " (mvn -B -pl runners/flink -am verify), which builds it first.");
    }
    return Paths.get(path);
  }

  private static String tail(String text) {
    List<String> lines = text.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
