package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratedRecord;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.generator.KafkaWriter;
import io.github.analytics.generator.RecordKind;
import io.github.analytics.pipelines.io.KafkaSource;
import io.github.analytics.stack.KafkaBroker;
import io.github.analytics.stack.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A streaming job that fails, is stopped and started again, or whose Kafka broker dies under it, must
 * leave Redis exactly as a job that ran through: nothing lost, nothing counted twice. Real Kafka and
 * Redis ({@link LocalStack}), the real {@link StreamingPipeline} on Flink {@code [local]}, runs over
 * the same generated day:
 *
 * <ol>
 *   <li>uninterrupted (in {@link #runUninterrupted()}): both halves of the day, Redis read once it is
 *       complete and stable, its per-minute counts checked against the generator's records; the
 *       reference for the others;
 *   <li>a failure inside the job: the source throws once while reading the second half, Flink
 *       restores from its last checkpoint ({@code --numberOfExecutionRetries});
 *   <li>a new process ({@link RestoreInANewProcess}): a child JVM reads the first half and is killed,
 *       the second half is published, and a second child JVM restores from the first one's last
 *       retained checkpoint; under the CLI's settings and under the deploy files';
 *   <li>the broker killed ({@link BrokerKillDrill}): SIGKILL while the job reads it, back on the same
 *       port and log directory, the rest of the day published after it returned.
 * </ol>
 *
 * <p>The day lies at least a day in the future. KafkaIO moves a drained partition's watermark to the
 * wall clock (minus the out-of-orderness bound), so a past day would have every window closed as soon
 * as the first half is read, and the second half would be dropped as late. In the future, windows
 * stay open across the interruption, their state must survive it, and early firings keep Redis at the
 * current totals. The day is cut at the first client retry arriving after noon: the interruption
 * falls inside open per-minute, hourly and session windows, and the retry's original lies before
 * the cut, so a job that lost its deduplication state counts that event twice.
 */
class StreamingRecoveryTest {
  private static final LocalDate GENERATED_DAY = LocalDate.parse("2026-11-27");
  static final Duration DEADLINE = Duration.ofMinutes(3);
  private static final int EARLY_FIRING_SECONDS = 2;
  /** How long Redis must stay unchanged to count as stable: several early firings. */
  private static final Duration STABLE = Duration.ofSeconds(4L * EARLY_FIRING_SECONDS);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Kept when a test fails: the jobs' and the brokers' logs say what happened. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS) static Path dir;
  static LocalStack stack;
  /** The generated day as it lands in Redis, after the time shift. */
  static LocalDate day;
  /** Where the day is cut in two (arrival time). */
  private static Instant cut;
  static List<GeneratedRecord> firstHalf;
  static List<GeneratedRecord> secondHalf;
  private static long validEvents;
  static long validInFirstHalf;
  static ReferenceDashboard uninterrupted;

  @BeforeAll
  static void runUninterrupted() throws Exception {
    long shiftDays =
        ChronoUnit.DAYS.between(GENERATED_DAY, LocalDate.now(ZoneOffset.UTC).plusDays(2));
    day = GENERATED_DAY.plusDays(shiftDays);
    List<GeneratedRecord> records = new ArrayList<>();
    EventGenerator.of(
            GeneratorConfig.forDay(GENERATED_DAY)
                .withSeed(23)
                .withEvents(3_000)
                .withUsers(300)
                .withLateShare(0)
                .withTimeShift(Duration.ofDays(shiftDays)))
        .generate(records::add);
    long noon = day.atTime(12, 0).toInstant(ZoneOffset.UTC).toEpochMilli();
    // A retry arrives 1 to 30 s after its original, so the original is in the first half.
    cut = new Instant(records.stream()
        .filter(r -> r.kind() == RecordKind.DUPLICATE && r.receivedAtMillis() >= noon)
        .findFirst()
        .orElseThrow(() -> new AssertionError("the generated day has no retry after noon"))
        .receivedAtMillis());
    firstHalf = records.stream().filter(r -> r.receivedAtMillis() < cut.getMillis()).toList();
    secondHalf = records.stream().filter(r -> r.receivedAtMillis() >= cut.getMillis()).toList();
    // The truth, from the generator: every valid event once (duplicates and malformed records aside).
    validEvents = records.stream().filter(r -> r.kind() == RecordKind.ON_TIME).count();
    validInFirstHalf = firstHalf.stream().filter(r -> r.kind() == RecordKind.ON_TIME).count();
    assertTrue(validInFirstHalf > 500 && validEvents - validInFirstHalf > 500,
        "both halves hold events: " + validInFirstHalf + " of " + validEvents);

    progress("starting Kafka and Redis");
    stack = LocalStack.start(dir.resolve("stack"));
    createTopic(stack.kafka(), "events-uninterrupted");
    publish(stack.kafka(), "events-uninterrupted", records);
    progress("uninterrupted run");
    PipelineResult job = StreamingPipeline.run(options(inProcess(cliArgs("uninterrupted", 1, null))));
    Dashboard reference;
    try (Jedis redis = redis(1)) {
      reference = awaitCompleteAndStable(redis, "the uninterrupted run");
    } finally {
      cancel(job);
    }
    progress("uninterrupted run done: " + reference.summary());
    assertTrue(reference.sessions().size() > 300, reference.summary());
    assertTrue(reference.hourlyDistinctUsers().size() > 24, reference.summary());
    ReferenceDashboard.assertSame("per-minute counts by minute and event type", perMinuteOracle(records),
        byMinuteAndType(reference), "the generator's valid events against the uninterrupted run");
    uninterrupted = new ReferenceDashboard(reference, day, DEADLINE, STABLE);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void failureInsideTheJobRestoresFromItsCheckpointExactly() throws Exception {
    Path checkpoints = dir.resolve("failure-checkpoints");
    Path marker = dir.resolve("failed-once");
    createTopic(stack.kafka(), "events-failure");
    List<String> args = new ArrayList<>(cliArgs("failure", 2, checkpoints));
    args.addAll(List.of("--numberOfExecutionRetries=3", "--executionRetryDelay=2000"));
    StreamingPipelineOptions options = options(inProcess(args));
    options.setStreaming(true);
    Pipeline pipeline = Pipeline.create(options);
    StreamingPipeline.buildPipeline(
        pipeline,
        options,
        new FailOnceSource(
            KafkaSource.read(options.getBootstrapServers(), options.getInputTopic(),
                options.getConsumerGroup(), org.joda.time.Duration.standardSeconds(5)),
            marker.toString(), cut, 300));

    publish(stack.kafka(), "events-failure", firstHalf);
    PipelineResult job = pipeline.run();
    try (Jedis redis = redis(2)) {
      // A checkpoint taken after the first half is in Redis holds its offsets and open windows.
      Poll.until("the first half counted", DEADLINE,
          () -> Dashboard.read(redis, day).countedEvents() == validInFirstHalf,
          () -> Dashboard.read(redis, day).summary());
      int before = RetainedCheckpoints.newest(checkpoints);
      progress("failure run: first half counted, waiting for a checkpoint after " + before);
      Poll.until("a checkpoint after checkpoint " + before, DEADLINE,
          () -> RetainedCheckpoints.complete(checkpoints).keySet().stream().anyMatch(n -> n > before),
          () -> "checkpoints: " + RetainedCheckpoints.complete(checkpoints));
      publish(stack.kafka(), "events-failure", secondHalf);
      Poll.until("the injected failure", DEADLINE, () -> running(job) && Files.exists(marker),
          () -> "no marker " + marker);
      progress("failure run: failed once, waiting for the reference values");
      uninterrupted.awaitEqualThenStable(redis, "after a failure inside the job", () -> running(job));
      progress("failure run: exact");
    } finally {
      cancel(job);
    }
  }

  @Test
  void newProcessRestoresFromTheRetainedCheckpointExactly() throws Exception {
    RestoreInANewProcess.underEachSettings();
  }

  @Test
  void theJobReadsThroughABrokerKillExactly() throws Exception {
    BrokerKillDrill.run();
  }

  // ---- the jobs

  /**
   * The job's arguments common to every run: embedded Flink, the run's own topic, consumer group and
   * Redis database, no archive and no side topics.
   */
  static List<String> jobArgs(String bootstrapServers, String run, int redisDb) {
    return List.of(
        "--runner=FlinkRunner",
        "--flinkMaster=[local]",
        "--bootstrapServers=" + bootstrapServers,
        "--inputTopic=events-" + run,
        "--consumerGroup=recovery-" + run,
        "--redisUri=redis://" + stack.redis().host() + ":" + stack.redis().port() + "/" + redisDb,
        "--earlyFiringSeconds=" + EARLY_FIRING_SECONDS,
        "--writeArchive=false",
        "--deadLetterTopic=",
        "--rollupTopic=",
        "--alertTopic=");
  }

  /**
   * As the CLI runs the job embedded: object reuse between chained operators (not Beam's fasterCopy,
   * which would let heap snapshots share the accumulators the task changes in place), heap state with
   * retained checkpoints in files under {@code checkpoints} (none if null), a checkpoint every 2 s
   * while the backlog is read (the CLI's demo takes 10 s; shorter keeps the drills short).
   */
  static List<String> cliArgs(String bootstrapServers, String run, int redisDb, Path checkpoints) {
    List<String> args = new ArrayList<>(jobArgs(bootstrapServers, run, redisDb));
    args.addAll(List.of("--parallelism=2", "--objectReuse=true", "--checkpointingInterval=2000"));
    if (checkpoints != null) {
      args.addAll(List.of(
          "--stateBackend=filesystem",
          "--stateBackendStoragePath=" + checkpoints.toUri(),
          "--externalizedCheckpointsEnabled=true",
          "--retainExternalizedCheckpointsOnCancellation=true"));
    }
    return args;
  }

  private static List<String> cliArgs(String run, int redisDb, Path checkpoints) {
    return cliArgs(stack.kafka().bootstrapServers(), run, redisDb, checkpoints);
  }

  /** Returns once the job is submitted, so the test can cancel it; a child JVM's main waits instead. */
  private static List<String> inProcess(List<String> args) {
    List<String> all = new ArrayList<>(args);
    all.add("--attachedMode=false");
    return all;
  }

  private static StreamingPipelineOptions options(List<String> args) {
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
        .withValidation()
        .as(StreamingPipelineOptions.class);
  }

  /** True while an in-process job runs; fails the test, saying how it ended, once it does not. */
  private static boolean running(PipelineResult job) {
    PipelineResult.State state;
    try {
      state = job.getState();
    } catch (RuntimeException e) {
      throw new AssertionError("The streaming job is gone (its mini cluster shut down)", e);
    }
    if (state.isTerminal()) {
      fail("The streaming job ended: " + state);
    }
    return true;
  }

  /** Cancels an in-process job; one that already ended has nothing to cancel (and says so above). */
  private static void cancel(PipelineResult job) throws IOException {
    try {
      job.cancel();
    } catch (IllegalStateException alreadyEnded) {
      progress("nothing to cancel: " + alreadyEnded.getMessage());
    }
  }

  /**
   * A run's topic, created before anything is published: the broker (Kafka 4) rejects records
   * stamped more than an hour ahead ({@code message.timestamp.after.max.ms}), and this day lies in
   * the future, so the topic accepts any timestamp.
   *
   * <p>Returns once the broker leads every partition. The controller acknowledges a new topic before
   * the broker has taken up its partitions; a batch sent in between was refused with
   * NOT_LEADER_OR_FOLLOWER, and the idempotent producer's retries of it then failed with
   * OUT_OF_ORDER_SEQUENCE_NUMBER until they expired (seen once, on a loaded machine). A partition's
   * offsets are listed by its leader's replica manager, so listing them all proves the broker leads.
   */
  static void createTopic(KafkaBroker kafka, String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(
              new NewTopic(topic, KafkaBroker.DEFAULT_PARTITIONS, (short) 1)
                  .configs(Map.of("message.timestamp.after.max.ms", Long.toString(Long.MAX_VALUE)))))
          .all()
          .get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
      for (int p = 0; p < KafkaBroker.DEFAULT_PARTITIONS; p++) {
        partitions.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Poll.until("the broker leading every partition of " + topic, DEADLINE, () -> {
        try {
          admin.listOffsets(partitions).all().get(10, TimeUnit.SECONDS);
          return true;
        } catch (ExecutionException | java.util.concurrent.TimeoutException notYet) {
          return false;
        }
      }, () -> "listing the offsets of " + partitions.keySet() + " fails");
    }
  }

  /** Publishes and returns once the broker acknowledged every record. */
  static void publish(KafkaBroker kafka, String topic, List<GeneratedRecord> records) {
    try (KafkaWriter writer = KafkaWriter.open(kafka.bootstrapServers(), topic)) {
      records.forEach(writer::write);
    }
  }

  static Jedis redis(int db) {
    return new Jedis(URI.create("redis://" + stack.redis().host() + ":" + stack.redis().port() + "/" + db));
  }

  // ---- the reference

  /** Waits until every valid event is counted and the values have not moved for {@link #STABLE}. */
  private static Dashboard awaitCompleteAndStable(Jedis redis, String what) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    Dashboard last = Dashboard.read(redis, day);
    long unchangedSince = System.nanoTime();
    while (true) {
      boolean complete = last.countedEvents() == validEvents && last.sessionEvents() == validEvents;
      if (complete && System.nanoTime() - unchangedSince >= STABLE.toNanos()) {
        return last;
      }
      if (System.nanoTime() > deadline) {
        fail("Timed out after " + DEADLINE + " waiting for " + what + " to count " + validEvents
            + " events and settle; Redis holds " + last.summary());
      }
      LockSupport.parkNanos(Poll.INTERVAL_NANOS);
      Dashboard now = Dashboard.read(redis, day);
      if (!now.equals(last)) {
        unchangedSince = System.nanoTime();
        last = now;
      }
    }
  }

  /**
   * The generator's valid events per {@code <minute>|<event_type>}: event time is the client's
   * timestamp capped at the arrival, as the README's ingest rules say.
   */
  private static Map<String, Long> perMinuteOracle(List<GeneratedRecord> records) throws IOException {
    Map<String, Long> counts = new TreeMap<>();
    for (GeneratedRecord record : records) {
      if (record.kind() != RecordKind.ON_TIME) {
        continue;
      }
      JsonNode event = JSON.readTree(record.payload());
      long client = java.time.Instant.parse(event.get("client_timestamp").asText()).toEpochMilli();
      long eventTime = Math.min(client, record.receivedAtMillis());
      long minute = eventTime - Math.floorMod(eventTime, 60_000L);
      counts.merge(java.time.Instant.ofEpochMilli(minute) + "|" + event.get("event_type").asText(), 1L, Long::sum);
    }
    return counts;
  }

  /** Redis's per-minute rows ({@code window|event_type|platform|country}) summed per minute and type. */
  private static Map<String, Long> byMinuteAndType(Dashboard dashboard) {
    Map<String, Long> counts = new TreeMap<>();
    dashboard.perMinuteCounts().forEach((row, count) -> {
      String[] parts = row.split("\\|");
      counts.merge(parts[0] + "|" + parts[1], count, Long::sum);
    });
    return counts;
  }

  /** Progress in the test's output file, so a slow or stuck phase can be told apart. */
  static void progress(String what) {
    System.out.println(java.time.Instant.now() + " StreamingRecoveryTest: " + what);
  }

  /** Waits {@code duration} in full: for a fault that lasts that long, not for a condition. */
  static void hold(Duration duration) {
    long end = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() < end) {
      LockSupport.parkNanos(end - System.nanoTime());
    }
  }

  /** Fails, with the end of the job's log, unless {@code log} mentions {@code expected}. */
  static void assertMentions(String log, String expected, String what, StreamingJobProcess job) {
    assertTrue(log.contains(expected), what + " (its log should mention '" + expected + "'); end of "
        + job.logFile() + ":\n" + job.tail());
  }
}
