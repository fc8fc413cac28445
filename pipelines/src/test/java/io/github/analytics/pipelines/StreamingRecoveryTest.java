package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratedRecord;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.generator.KafkaWriter;
import io.github.analytics.generator.RecordKind;
import io.github.analytics.pipelines.io.KafkaSource;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.stack.KafkaBroker;
import io.github.analytics.stack.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.schemas.NoSuchSchemaException;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.joda.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A streaming job that fails, or is stopped and started again, must leave Redis exactly as a job that
 * ran through: nothing lost, nothing counted twice. Real Kafka and Redis ({@link LocalStack}), the
 * real {@link StreamingPipeline} on Flink {@code [local]}, three runs over the same generated day:
 *
 * <ol>
 *   <li>uninterrupted (in {@link #runUninterrupted()}): both halves of the day, Redis read once it is
 *       complete and stable; the reference for the other two;
 *   <li>a failure inside the job: the source throws once while reading the second half, Flink
 *       restores from its last checkpoint ({@code --numberOfExecutionRetries});
 *   <li>a new process: a child JVM reads the first half and is killed, the second half is published,
 *       and a second child JVM restores from the first one's last retained checkpoint.
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
  private static final Duration DEADLINE = Duration.ofMinutes(3);
  private static final int EARLY_FIRING_SECONDS = 2;
  /** How long Redis must stay unchanged to count as stable: several early firings. */
  private static final Duration STABLE = Duration.ofSeconds(4L * EARLY_FIRING_SECONDS);
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

  @TempDir static Path dir;
  private static LocalStack stack;
  /** The generated day as it lands in Redis, after the time shift. */
  private static LocalDate day;
  /** Where the day is cut in two (arrival time). */
  private static Instant cut;
  private static List<GeneratedRecord> firstHalf;
  private static List<GeneratedRecord> secondHalf;
  private static long validEvents;
  private static long validInFirstHalf;
  private static Dashboard uninterrupted;

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
    for (String run : List.of("uninterrupted", "failure", "restart")) {
      createTopic(run);
    }
    publish("uninterrupted", records);
    progress("uninterrupted run");
    PipelineResult job = StreamingPipeline.run(options(inProcess(jobArgs("uninterrupted", 1))));
    try (Jedis redis = redis(1)) {
      uninterrupted = awaitCompleteAndStable(redis, "the uninterrupted run");
    } finally {
      cancel(job);
    }
    progress("uninterrupted run done: " + uninterrupted.summary());
    assertTrue(uninterrupted.sessions().size() > 300, uninterrupted.summary());
    assertTrue(uninterrupted.hourlyDistinctUsers().size() > 24, uninterrupted.summary());
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
    List<String> args = new ArrayList<>(jobArgs("failure", 2));
    args.addAll(checkpointArgs(checkpoints));
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

    publish("failure", firstHalf);
    PipelineResult job = pipeline.run();
    try (Jedis redis = redis(2)) {
      // A checkpoint taken after the first half is in Redis holds its offsets and open windows.
      awaitTrue("the first half counted", () -> Dashboard.read(redis, day).countedEvents() == validInFirstHalf,
          () -> Dashboard.read(redis, day).summary());
      int before = newestCheckpoint(checkpoints);
      progress("failure run: first half counted, waiting for a checkpoint after " + before);
      awaitTrue("a checkpoint after checkpoint " + before,
          () -> completeCheckpoints(checkpoints).keySet().stream().anyMatch(n -> n > before),
          () -> "checkpoints: " + completeCheckpoints(checkpoints));
      publish("failure", secondHalf);
      awaitTrue("the injected failure", () -> running(job) && Files.exists(marker),
          () -> "no marker " + marker);
      progress("failure run: failed once, waiting for the reference values");
      awaitEqualThenStable(redis, "after a failure inside the job", () -> running(job));
      progress("failure run: exact");
    } finally {
      cancel(job);
    }
  }

  @Test
  void newProcessRestoresFromTheRetainedCheckpointExactly() throws Exception {
    Path checkpoints = dir.resolve("restart-checkpoints");
    List<String> args = new ArrayList<>(jobArgs("restart", 3));
    args.addAll(checkpointArgs(checkpoints));
    Process first = null;
    Process second = null;
    try (Jedis redis = redis(3)) {
      publish("restart", firstHalf);
      Path firstLog = dir.resolve("restart-first.log");
      Process firstJob = start(args, firstLog);
      first = firstJob;
      awaitTrue("the first half counted by the first process",
          () -> alive(firstJob, firstLog) && Dashboard.read(redis, day).countedEvents() == validInFirstHalf,
          () -> Dashboard.read(redis, day).summary());
      // Wait for a checkpoint taken after that which is surely complete (see restorePoint), then
      // crash the process.
      int before = newestCheckpoint(checkpoints);
      progress("restart run: first half counted, waiting for a checkpoint after " + before);
      awaitTrue("a complete checkpoint after checkpoint " + before,
          () -> alive(firstJob, firstLog) && surelyComplete(checkpoints) > before,
          () -> "checkpoints: " + checkpointDirs(checkpoints));
      firstJob.destroyForcibly().waitFor();
      Path restorePoint = restorePoint(checkpoints);
      progress("restart run: first process killed, restoring " + restorePoint);

      publish("restart", secondHalf);
      Path conf = Files.createDirectories(dir.resolve("restart-conf"));
      // --savepointPath is ignored for a [local] master; the Flink configuration is not.
      Files.writeString(conf.resolve("flink-conf.yaml"),
          "execution.savepoint.path: " + restorePoint.toUri() + "\n", StandardCharsets.UTF_8);
      List<String> restoreArgs = new ArrayList<>(args);
      restoreArgs.add("--flinkConfDir=" + conf);
      Path secondLog = dir.resolve("restart-second.log");
      Process secondJob = start(restoreArgs, secondLog);
      second = secondJob;
      awaitEqualThenStable(redis, "after a new process restored " + restorePoint, () -> alive(secondJob, secondLog));
      progress("restart run: exact");
      String log = Files.readString(secondLog, StandardCharsets.UTF_8);
      assertTrue(log.contains("Restoring job") && log.contains(restorePoint.getFileName().toString()),
          "the second process says it restored " + restorePoint + "; end of its log:\n" + tail(secondLog));
    } finally {
      for (Process process : new Process[] {first, second}) {
        if (process != null) {
          process.destroyForcibly().waitFor();
        }
      }
    }
  }

  // ---- the jobs

  /**
   * As the CLI and deploy/flink run the job: object reuse between chained operators (not Beam's
   * fasterCopy, which would let heap snapshots share the accumulators the task changes in place),
   * heap state in files, a checkpoint every 2 s while the backlog is read.
   */
  private static List<String> jobArgs(String run, int redisDb) {
    return List.of(
        "--runner=FlinkRunner",
        "--flinkMaster=[local]",
        "--parallelism=2",
        "--objectReuse=true",
        "--checkpointingInterval=2000",
        "--bootstrapServers=" + stack.kafka().bootstrapServers(),
        "--inputTopic=events-" + run,
        "--consumerGroup=recovery-" + run,
        "--redisUri=redis://" + stack.redis().host() + ":" + stack.redis().port() + "/" + redisDb,
        "--earlyFiringSeconds=" + EARLY_FIRING_SECONDS,
        "--writeArchive=false",
        "--deadLetterTopic=",
        "--rollupTopic=",
        "--alertTopic=");
  }

  /** Returns once the job is submitted, so the test can cancel it; a child JVM's main waits instead. */
  private static List<String> inProcess(List<String> args) {
    List<String> all = new ArrayList<>(args);
    all.add("--attachedMode=false");
    return all;
  }

  private static List<String> checkpointArgs(Path checkpoints) {
    return List.of(
        "--stateBackend=filesystem",
        "--stateBackendStoragePath=" + checkpoints.toUri(),
        "--externalizedCheckpointsEnabled=true",
        "--retainExternalizedCheckpointsOnCancellation=true");
  }

  private static StreamingPipelineOptions options(List<String> args) {
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
        .withValidation()
        .as(StreamingPipelineOptions.class);
  }

  /** {@link StreamingPipeline#main} in a JVM of its own, as an operator would run it. */
  private static Process start(List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g",
        // The restore is logged by the checkpoint coordinator; the test looks for it.
        "-Dorg.slf4j.simpleLogger.log.org.apache.flink.runtime.checkpoint.CheckpointCoordinator=info",
        "-cp", System.getProperty("java.class.path"),
        StreamingPipeline.class.getName()));
    command.addAll(args);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
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

  private static boolean alive(Process process, Path log) {
    if (!process.isAlive()) {
      fail("The streaming process exited with " + process.exitValue() + "; end of its log:\n" + tail(log));
    }
    return true;
  }

  /**
   * The run's topic, created before anything is published: the broker (Kafka 4) rejects records
   * stamped more than an hour ahead ({@code message.timestamp.after.max.ms}), and this day lies in
   * the future, so the topic accepts any timestamp.
   */
  private static void createTopic(String run) throws Exception {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()))) {
      admin.createTopics(List.of(
              new NewTopic("events-" + run, KafkaBroker.DEFAULT_PARTITIONS, (short) 1)
                  .configs(Map.of("message.timestamp.after.max.ms", Long.toString(Long.MAX_VALUE)))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static void publish(String run, List<GeneratedRecord> records) {
    try (KafkaWriter writer = KafkaWriter.open(stack.kafka().bootstrapServers(), "events-" + run)) {
      records.forEach(writer::write);
    }
  }

  private static Jedis redis(int db) {
    return new Jedis(URI.create("redis://" + stack.redis().host() + ":" + stack.redis().port() + "/" + db));
  }

  /**
   * The source the pipeline reads, but throwing once: at the {@code failAt}-th record arriving at or
   * after {@code from} that one worker sees. The marker file remembers the failure across Flink's
   * restart, which brings fresh instances of this DoFn.
   */
  private static final class FailOnceSource extends PTransform<PBegin, PCollection<RawEvent>> {
    private static final long serialVersionUID = 1L;
    private final KafkaSource source;
    private final String marker;
    private final Instant from;
    private final int failAt;

    FailOnceSource(KafkaSource source, String marker, Instant from, int failAt) {
      this.source = source;
      this.marker = marker;
      this.from = from;
      this.failAt = failAt;
    }

    @Override
    public PCollection<RawEvent> expand(PBegin input) {
      PCollection<RawEvent> raw =
          input.apply("Kafka", source).apply("FailOnce", ParDo.of(new FailOnceFn(marker, from, failAt)));
      try {
        return raw.setCoder(input.getPipeline().getSchemaRegistry().getSchemaCoder(RawEvent.class));
      } catch (NoSuchSchemaException e) {
        throw new IllegalStateException("RawEvent has no Beam schema", e);
      }
    }
  }

  private static final class FailOnceFn extends DoFn<RawEvent, RawEvent> {
    private static final long serialVersionUID = 1L;
    private final String marker;
    private final Instant from;
    private final int failAt;
    private transient int seen;

    FailOnceFn(String marker, Instant from, int failAt) {
      this.marker = marker;
      this.from = from;
      this.failAt = failAt;
    }

    @ProcessElement
    public void processElement(@Element RawEvent event, OutputReceiver<RawEvent> out) throws IOException {
      if (!event.getReceivedAt().isBefore(from) && ++seen == failAt) {
        try {
          Files.createFile(Paths.get(marker));
          throw new IllegalStateException("Injected failure at record " + failAt + " of the second half");
        } catch (FileAlreadyExistsException failedBefore) {
          // The job failed here once already: this is the restored job, let it pass.
        }
      }
      out.output(event);
    }
  }

  // ---- retained checkpoints: <root>/<jobId>/chk-N, complete once it holds _metadata

  private static TreeMap<Integer, Path> checkpointDirs(Path root) {
    TreeMap<Integer, Path> found = new TreeMap<>();
    if (!Files.isDirectory(root)) {
      return found;
    }
    try (Stream<Path> jobs = Files.list(root)) {
      for (Path job : jobs.toList()) {
        try (Stream<Path> entries = Files.list(job)) {
          for (Path entry : entries.toList()) {
            Matcher m = CHECKPOINT.matcher(entry.getFileName().toString());
            if (m.matches()) {
              found.put(Integer.parseInt(m.group(1)), entry);
            }
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // Flink deletes subsumed checkpoints while we list; the next poll sees a settled directory.
      return new TreeMap<>();
    }
    return found;
  }

  private static TreeMap<Integer, Path> completeCheckpoints(Path root) {
    TreeMap<Integer, Path> complete = new TreeMap<>(checkpointDirs(root));
    complete.values().removeIf(chk -> !Files.exists(chk.resolve("_metadata")));
    return complete;
  }

  private static int newestCheckpoint(Path root) {
    TreeMap<Integer, Path> dirs = checkpointDirs(root);
    return dirs.isEmpty() ? 0 : dirs.lastKey();
  }

  /**
   * The newest checkpoint of a killed job that is surely complete. {@code _metadata} is written in
   * place, so the newest one may be cut short by the kill. A checkpoint is whole if a later one was
   * triggered (one at a time: the next starts after the last finished) or if it is the only one left
   * (Flink deletes the one before only after the new one completed).
   */
  private static Path restorePoint(Path root) {
    int surely = surelyComplete(root);
    if (surely == 0) {
      fail("No complete checkpoint under " + root + ": " + checkpointDirs(root));
    }
    return completeCheckpoints(root).get(surely);
  }

  /**
   * The number of the newest checkpoint that is surely complete, by {@link #restorePoint}'s rule (0 if
   * none). A test waits on this rather than on seeing two checkpoint folders at once: when
   * checkpoints are quick, the one before is usually deleted before a poll sees both.
   */
  private static int surelyComplete(Path root) {
    TreeMap<Integer, Path> complete = completeCheckpoints(root);
    if (complete.isEmpty()) {
      return 0;
    }
    int newest = complete.lastKey();
    if (complete.size() == 1 || newestCheckpoint(root) > newest) {
      return newest;
    }
    return complete.lowerKey(newest);
  }

  // ---- polling

  private interface Check {
    boolean holds() throws Exception;
  }

  private interface Describe {
    String state() throws Exception;
  }

  private static void awaitTrue(String what, Check check, Describe state) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        fail("Timed out after " + DEADLINE + " waiting for " + what + "; now: " + state.state());
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

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
      LockSupport.parkNanos(POLL_NANOS);
      Dashboard now = Dashboard.read(redis, day);
      if (!now.equals(last)) {
        unchangedSince = System.nanoTime();
        last = now;
      }
    }
  }

  /**
   * Waits until Redis equals the uninterrupted run's values, then checks that it stays equal for
   * {@link #STABLE}: an event counted twice would push a value past the reference.
   */
  private static void awaitEqualThenStable(Jedis redis, String what, Check running) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    Dashboard now = Dashboard.read(redis, day);
    while (!now.equals(uninterrupted)) {
      if (System.nanoTime() > deadline) {
        assertDashboardsEqual(now, what + ": timed out after " + DEADLINE);
      }
      LockSupport.parkNanos(POLL_NANOS);
      check(running);
      now = Dashboard.read(redis, day);
    }
    long until = System.nanoTime() + STABLE.toNanos();
    while (System.nanoTime() < until) {
      LockSupport.parkNanos(POLL_NANOS);
      check(running);
      assertDashboardsEqual(Dashboard.read(redis, day), what + ": changed after reaching the reference");
    }
  }

  private static void check(Check running) {
    try {
      running.holds();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void assertDashboardsEqual(Dashboard actual, String message) {
    String detail = message + "; uninterrupted: " + uninterrupted.summary() + "; this run: " + actual.summary();
    assertSame("per-minute counts", uninterrupted.perMinuteCounts(), actual.perMinuteCounts(), detail);
    assertSame("sessions", uninterrupted.sessions(), actual.sessions(), detail);
    assertSame("hourly distinct users", uninterrupted.hourlyDistinctUsers(), actual.hourlyDistinctUsers(),
        detail);
  }

  /** Fails naming the rows that differ (at most 20), not printing thousands that agree. */
  private static void assertSame(
      String what, Map<String, Long> expected, Map<String, Long> actual, String detail) {
    if (expected.equals(actual)) {
      return;
    }
    java.util.Set<String> keys = new java.util.TreeSet<>(expected.keySet());
    keys.addAll(actual.keySet());
    List<String> differences = keys.stream()
        .filter(k -> !java.util.Objects.equals(expected.get(k), actual.get(k)))
        .map(k -> k + ": uninterrupted " + expected.get(k) + ", this run " + actual.get(k))
        .toList();
    fail(what + " differ in " + differences.size() + " rows, " + detail + "\n  "
        + String.join("\n  ", differences.subList(0, Math.min(20, differences.size()))));
  }

  /** Progress in the test's output file, so a slow or stuck phase can be told apart. */
  private static void progress(String what) {
    System.out.println(java.time.Instant.now() + " StreamingRecoveryTest: " + what);
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }
}
