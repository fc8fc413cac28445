package io.github.analytics.bench.streaming;

import static io.github.analytics.bench.streaming.BenchFiles.progress;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratedRecord;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.generator.KafkaWriter;
import io.github.analytics.generator.RecordKind;
import io.github.analytics.stack.LocalStack;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Jedis;

/**
 * Streaming throughput, end to end: a generated day of {@code events} is pre-loaded into a fresh topic
 * of a real local Kafka broker (timed apart: not the pipeline's time), then the production {@link
 * io.github.analytics.pipelines.StreamingPipeline} runs on embedded Flink ({@code [local]}, {@code
 * parallelism} slots, Redis sink on) until the backlog is visible in Redis.
 *
 * <p><b>The end.</b> The generator says how many valid events fall in each minute of event time. Every
 * 250 ms the poller reads the per-minute counts of the earliest minutes not yet complete (at most 32,
 * one pipelined round trip); the run ends when every minute's count has reached its expected value.
 * Minutes complete in order because each partition is read in arrival order, so the poll stays small
 * while the pipeline works. The clock starts when the job is submitted (so Flink's start-up, a few
 * seconds, is included) and stops at the poll that sees the last minute complete; the poll period
 * bounds the error. Afterwards one full scan checks that Redis holds exactly the valid events.
 *
 * <p><b>The baseline</b> ({@link PlainJavaBaseline}) reads the same topic first, in one thread.
 *
 * <p>Late arrivals are generated off ({@code lateShare 0}): events hours late are dropped by the
 * streaming layer by design (the batch layer counts them), which would make "all visible" unreachable.
 * Duplicates (2%) and malformed records (1%) are on, as in production: records read counts them all.
 */
public final class StreamingThroughputBench {
  public static final double TARGET_EVENTS_PER_SECOND_PER_CORE = 100_000;
  public static final double TARGET_RATIO_TO_BASELINE_PER_CORE = 0.25;
  /**
   * The generated day is written 96 times faster: its traffic fills 15 minutes of event time, so 5M
   * events are about 5,800 a second of event time, as a stream at that rate would be. At 1 (real
   * time) 5M events are 58 a second: a backlog of such a day leaves almost every (minute, key) window
   * with one event and one early pane, which measures window set-up, not throughput.
   */
  public static final int DEFAULT_TIME_COMPRESSION = 96;
  /**
   * How long the pipeline may take by default. The suite's default 5M events did not finish in 30
   * minutes on a 2-core machine (14 of 17 minutes of event time complete), and the suite's command
   * line has no timeout of its own: the progress lines show a stuck job long before this.
   */
  static final Duration DEFAULT_TIMEOUT = Duration.ofHours(2);
  private static final JsonFactory JSON = new JsonFactory();
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private static final int FRONTIER = 32;

  private StreamingThroughputBench() {}

  /**
   * What to run.
   *
   * @param events valid events in the generated day (records in the topic are about 3% more)
   * @param users distinct users in the day
   * @param day the generated day (any: the topic keeps any timestamp)
   * @param timeCompression the day's timestamps run this many times faster ({@link
   *     GeneratorConfig#withTimeCompression}); see {@link #DEFAULT_TIME_COMPRESSION}
   * @param partitions partitions of the input topic
   * @param parallelism Flink parallelism, the number of cores the figures are per
   * @param archive also write the Parquet archive (its last files are flushed after the end is seen:
   *     up to {@code --archiveFlushSeconds} of archive work is not in the figure)
   * @param kafkaSinks write the dead-letter, rollup and alert topics as production does
   * @param geo enrich with the generator's GeoIP database (production has one)
   * @param checkpointingIntervalMs Flink checkpoints (0: none); by default 60 s, as {@code deploy/flink}
   * @param baseline run the plain-Java baseline on the same topic first
   * @param floor run the cut-down jobs of {@link FrameworkFloor} after the pipeline
   * @param profile record JFR while the pipeline runs and summarise the hot methods
   * @param timeout how long the pipeline (and the baseline) may take
   * @param workDir where the stack's files go (null: a temporary directory, deleted afterwards)
   * @param pipelineArgs more pipeline options, e.g. {@code --objectReuse=true}, to try optimisations
   */
  public record Params(
      long events,
      int users,
      long seed,
      LocalDate day,
      int timeCompression,
      int partitions,
      int parallelism,
      int earlyFiringSeconds,
      boolean archive,
      boolean kafkaSinks,
      boolean geo,
      long checkpointingIntervalMs,
      boolean baseline,
      boolean floor,
      boolean profile,
      Duration timeout,
      Path workDir,
      List<String> pipelineArgs) {
    /** The full run's settings: 5M events, parallelism 2, production sinks but no archive. */
    public static Params defaults() {
      return new Params(5_000_000, 200_000, 42, LocalDate.now(ZoneOffset.UTC).minusDays(1),
          DEFAULT_TIME_COMPRESSION, 4, 2, 5, false, true, true, StreamingJob.PRODUCTION_CHECKPOINT_MS,
          true, true, false, DEFAULT_TIMEOUT, null, List.of());
    }

    public Params withEvents(long value) {
      return new Params(value, users, seed, day, timeCompression, partitions, parallelism,
          earlyFiringSeconds, archive, kafkaSinks, geo, checkpointingIntervalMs, baseline, floor,
          profile, timeout, workDir, pipelineArgs);
    }

    public Params withUsers(int value) {
      return new Params(events, value, seed, day, timeCompression, partitions, parallelism,
          earlyFiringSeconds, archive, kafkaSinks, geo, checkpointingIntervalMs, baseline, floor,
          profile, timeout, workDir, pipelineArgs);
    }

    public Params withProfile(boolean value) {
      return new Params(events, users, seed, day, timeCompression, partitions, parallelism,
          earlyFiringSeconds, archive, kafkaSinks, geo, checkpointingIntervalMs, baseline, floor,
          value, timeout, workDir, pipelineArgs);
    }

    public Params withParallelism(int value) {
      return new Params(events, users, seed, day, timeCompression, partitions, value,
          earlyFiringSeconds, archive, kafkaSinks, geo, checkpointingIntervalMs, baseline, floor,
          profile, timeout, workDir, pipelineArgs);
    }

    public Params withWorkDir(Path value) {
      return new Params(events, users, seed, day, timeCompression, partitions, parallelism,
          earlyFiringSeconds, archive, kafkaSinks, geo, checkpointingIntervalMs, baseline, floor,
          profile, timeout, value, pipelineArgs);
    }

    public Params withArchive(boolean value) {
      return new Params(events, users, seed, day, timeCompression, partitions, parallelism,
          earlyFiringSeconds, value, kafkaSinks, geo, checkpointingIntervalMs, baseline, floor,
          profile, timeout, workDir, pipelineArgs);
    }
  }

  /**
   * What was measured.
   *
   * @param records records in the topic (valid, duplicates, malformed): what events/s counts
   * @param validEvents events the generator meant to be counted (= Redis total when exact)
   * @param loadSeconds generating and publishing the topic (not the pipeline's time)
   * @param pipelineSeconds job submitted to the last minute complete in Redis
   * @param pipelineEventsPerSecond records / pipelineSeconds
   * @param pipelineEventsPerSecondPerCore per Flink slot (parallelism)
   * @param pipelineEventsPerSecondPerMachineCore per core of this machine (broker, Redis and the
   *     poller share them)
   * @param secondHalfEventsPerSecond records/s from when the minutes complete in Redis held half of
   *     the valid events to the end: the rate once the JVM is warm and the job has started
   * @param redisTotal events counted over every per-minute hash at the end (should be validEvents)
   * @param baselineEventsPerSecond one plain-Java thread (NaN if not run)
   * @param ratioToBaselinePerCore (pipeline per core) / (baseline per its one core)
   * @param notes missed targets, mismatches, and what the profile suggests
   * @param hotMethods top methods by self samples (empty without profile)
   * @param hotProjectFrames samples grouped by the innermost project frame (empty without profile)
   * @param floor the cut-down jobs of {@link FrameworkFloor} over the same topic
   * @param warmPipelineSeconds the whole pipeline again after them, in the warm JVM, from an empty Redis
   */
  public record Result(
      long records,
      long validEvents,
      double loadSeconds,
      double loadEventsPerSecond,
      int parallelism,
      int machineCores,
      double pipelineSeconds,
      double pipelineEventsPerSecond,
      double pipelineEventsPerSecondPerCore,
      double pipelineEventsPerSecondPerMachineCore,
      double secondHalfEventsPerSecond,
      long redisTotal,
      double baselineSeconds,
      double baselineEventsPerSecond,
      long baselineValidEvents,
      double ratioToBaselinePerCore,
      boolean perCoreTargetMet,
      boolean ratioTargetMet,
      List<String> pipelineArgs,
      List<String> notes,
      String jfrFile,
      List<HotMethod> hotMethods,
      List<HotMethod> hotProjectFrames,
      List<FrameworkFloor.Run> floor,
      double warmPipelineSeconds) {

    /** A human-readable summary with each target beside its result. */
    public String summary() {
      StringBuilder s = new StringBuilder();
      s.append(String.format("Streaming throughput: %,d records (%,d valid events), Flink [local] parallelism %d on %d machine cores%n",
          records, validEvents, parallelism, machineCores));
      s.append(String.format("  load into Kafka        %8.1f s  %,12.0f records/s (not the pipeline's time)%n",
          loadSeconds, loadEventsPerSecond));
      s.append(String.format("  pipeline end to end    %8.1f s  %,12.0f records/s%n", pipelineSeconds, pipelineEventsPerSecond));
      s.append(String.format("    per core (slot)                 %,12.0f records/s   target >= %,.0f  %s%n",
          pipelineEventsPerSecondPerCore, TARGET_EVENTS_PER_SECOND_PER_CORE, perCoreTargetMet ? "MET" : "MISSED"));
      s.append(String.format("    per machine core                %,12.0f records/s%n", pipelineEventsPerSecondPerMachineCore));
      s.append(String.format("    second half, per core           %,12.0f records/s (after warm-up)%n",
          secondHalfEventsPerSecond / parallelism));
      s.append(String.format("    Redis total %,d of %,d valid events%n", redisTotal, validEvents));
      if (!Double.isNaN(baselineEventsPerSecond)) {
        s.append(String.format("  plain-Java baseline    %8.1f s  %,12.0f records/s (1 thread; %,d valid)%n",
            baselineSeconds, baselineEventsPerSecond, baselineValidEvents));
        s.append(String.format("  pipeline/baseline per core       %12.3f            target >= %.2f  %s%n",
            ratioToBaselinePerCore, TARGET_RATIO_TO_BASELINE_PER_CORE, ratioTargetMet ? "MET" : "MISSED"));
      }
      for (FrameworkFloor.Run run : floor) {
        s.append(String.format("  cut-down: %-78s %8.1f s  %,12.0f records/s per core%n",
            run.shape().description(), run.seconds(), run.recordsPerSecond() / parallelism));
      }
      s.append(String.format("  warm JVM, the whole pipeline again %8.1f s  %,12.0f records/s per core%n",
          warmPipelineSeconds, records / warmPipelineSeconds / parallelism));
      HotMethod.appendNotesAndProfile(s, notes, jfrFile, hotMethods, hotProjectFrames);
      return s.toString();
    }
  }

  /** Runs the section on a stack of its own (started and stopped here). */
  public static Result run(Params p) {
    Path workDir = BenchFiles.workDir(p.workDir(), "throughput");
    try (LocalStack stack = LocalStack.start(workDir.resolve("stack"))) {
      return run(p, stack, workDir);
    } finally {
      if (p.workDir() == null) {
        BenchFiles.delete(workDir);
      }
    }
  }

  /** Runs the section on {@code stack}, in a topic of its own. */
  public static Result run(Params p, LocalStack stack, Path workDir) {
    String topic = "bench-throughput-" + System.currentTimeMillis();
    StreamingJob.createTopics(stack, topic, p.partitions());
    int cores = Runtime.getRuntime().availableProcessors();
    List<String> notes = new ArrayList<>();

    // 1. Load (timed apart).
    progress("loading " + p.events() + " generated events of " + p.day()
        + (p.timeCompression() == 1 ? "" : " (written " + p.timeCompression() + "x faster: the day in "
            + Duration.ofDays(1).dividedBy(p.timeCompression()) + " of event time)")
        + " into " + topic);
    TreeMap<Long, Long> expected = new TreeMap<>();
    long started = System.nanoTime();
    long records;
    try (KafkaWriter writer = KafkaWriter.open(stack.kafka().bootstrapServers(), topic)) {
      for (GeneratedRecord record : EventGenerator.of(GeneratorConfig.forDay(p.day())
          .withSeed(p.seed()).withEvents(p.events()).withUsers(p.users()).withLateShare(0)
          .withTimeCompression(p.timeCompression()))) {
        writer.write(record);
        if (record.kind() == RecordKind.ON_TIME) {
          long eventTime = Math.min(clientTimestamp(record.payload()), record.receivedAtMillis());
          expected.merge(MinuteCounts.minuteOf(eventTime), 1L, Long::sum);
        }
      }
      records = writer.sent();
    }
    double loadSeconds = (System.nanoTime() - started) / 1e9;
    long valid = expected.values().stream().mapToLong(Long::longValue).sum();
    progress(String.format("loaded %,d records (%,d valid events) in %.1f s", records, valid, loadSeconds));

    // 2. The baseline, on the same topic.
    PlainJavaBaseline.Result baseline = null;
    if (p.baseline()) {
      progress("plain-Java baseline");
      baseline = PlainJavaBaseline.run(stack.kafka().bootstrapServers(), topic, records, p.timeout());
      progress(String.format("baseline: %,.0f records/s", baseline.eventsPerSecond()));
      if (baseline.validEvents() != valid) {
        notes.add(String.format("the baseline counted %,d valid events, the generator made %,d: its parse"
            + " or dedupe differs from the pipeline's", baseline.validEvents(), valid));
      }
      System.gc(); // its maps and sketches are garbage now; do not bill the pipeline for them
    }

    // 3. The pipeline, until every minute is complete in Redis.
    List<String> args = StreamingJob.args(stack, topic, new StreamingJob.Settings(p.parallelism(),
        p.earlyFiringSeconds(), p.archive(), p.kafkaSinks(), p.geo(), p.checkpointingIntervalMs(),
        p.pipelineArgs()), workDir);
    JfrProfiler profiler = p.profile() ? JfrProfiler.start(workDir.resolve("throughput.jfr")) : null;
    progress("streaming pipeline: " + String.join(" ", args));
    Timed cold = timePipeline(stack, args, expected, p.timeout(), profiler, notes);
    JfrProfiler.Profile profile = cold.profile();
    if (profile != null) {
      notes.addAll(profile.breakdown());
    }
    double pipelineSeconds = cold.seconds();
    double secondHalfEps = cold.half() == null ? Double.NaN : cold.half().recordsPerSecond(records, cold.ended());
    long redisTotal = cold.redisTotal();
    if (redisTotal != valid) {
      notes.add(String.format("Redis counts %,d events against %,d valid ones: the figure is not of an"
          + " exact run; look for dropped late data or double counting", redisTotal, valid));
    }

    // 4. The same source, options and checkpoints cut down to their first steps: the framework's floor;
    //    5. then the whole pipeline again in the now warm JVM: what the job costs once classes are loaded
    //    and code compiled (the batch section's second run does the same).
    List<FrameworkFloor.Run> floor =
        p.floor() ? FrameworkFloor.runAll(args, records, valid, p.timeout()) : List.of();

    // 5. The whole pipeline again in the now warm JVM, from an empty Redis and the topic's start: what
    //    the job costs once classes are loaded and code compiled, beside the batch section's second run.
    double warmSeconds = warmRun(stack, args, expected, records, valid, p, notes);

    double eps = records / pipelineSeconds;
    double perCore = eps / p.parallelism();
    double baselineEps = baseline == null ? Double.NaN : baseline.eventsPerSecond();
    double ratio = baseline == null ? Double.NaN : perCore / baselineEps;
    boolean perCoreMet = perCore >= TARGET_EVENTS_PER_SECOND_PER_CORE;
    boolean ratioMet = baseline != null && ratio >= TARGET_RATIO_TO_BASELINE_PER_CORE;
    if (!perCoreMet) {
      notes.add(String.format("missed: %,.0f records/s per core against a target of %,.0f%s", perCore,
          TARGET_EVENTS_PER_SECOND_PER_CORE, profile == null ? "; run with --profile=true for where the time goes" : ""));
    }
    if (baseline != null && !ratioMet) {
      notes.add(String.format("missed: %.3f of the plain-Java baseline per core against %.2f", ratio,
          TARGET_RATIO_TO_BASELINE_PER_CORE));
    }
    if (records < 1_000_000) {
      notes.add("under a million records: Flink's start-up (a few seconds) weighs on the figure; use"
          + " several million for a result");
    }
    return new Result(records, valid, loadSeconds, records / loadSeconds, p.parallelism(), cores,
        pipelineSeconds, eps, perCore, eps / cores, secondHalfEps, redisTotal,
        baseline == null ? Double.NaN : baseline.seconds(), baselineEps,
        baseline == null ? -1 : baseline.validEvents(), ratio, perCoreMet, ratioMet, args, notes,
        profile == null ? null : profile.file().toString(),
        profile == null ? List.of() : profile.selfTop(),
        profile == null ? List.of() : profile.byProjectFrame(),
        floor, warmSeconds);
  }

  /** Runs the whole pipeline again from an empty Redis and a new consumer group; its time. */
  private static double warmRun(LocalStack stack, List<String> args, TreeMap<Long, Long> expected,
      long records, long valid, Params p, List<String> notes) {
    try (Jedis redis = new Jedis(stack.redis().host(), stack.redis().port())) {
      redis.flushDB();
    }
    List<String> warmArgs = new ArrayList<>(args);
    warmArgs.removeIf(arg -> arg.startsWith("--consumerGroup="));
    warmArgs.add("--consumerGroup=bench-warm-" + System.nanoTime());
    progress("the whole pipeline again, in the warm JVM");
    Timed warm = timePipeline(stack, warmArgs, expected, p.timeout(), null, notes);
    progress(String.format("warm run: %.1f s, %,.0f records/s per core", warm.seconds(),
        records / warm.seconds() / p.parallelism()));
    if (warm.redisTotal() != valid) {
      notes.add(String.format("the warm run's Redis counts %,d events against %,d valid ones",
          warm.redisTotal(), valid));
    }
    return warm.seconds();
  }

  /** One timed run of the whole pipeline: submission until every minute is complete in Redis. */
  private record Timed(double seconds, long ended, SecondHalf half, long redisTotal,
      JfrProfiler.Profile profile) {}

  /**
   * Starts the pipeline with {@code args} and waits until every minute of {@code expected} is
   * complete in Redis; stops {@code profiler} (if any) there, then cancels the job.
   */
  private static Timed timePipeline(LocalStack stack, List<String> args, TreeMap<Long, Long> expected,
      Duration timeout, JfrProfiler profiler, List<String> notes) {
    try (Jedis redis = new Jedis(stack.redis().host(), stack.redis().port())) {
      long submitted = System.nanoTime();
      StreamingJob job = StreamingJob.start(args);
      try {
        SecondHalf half = awaitAllMinutes(redis, job, new TreeMap<>(expected), submitted, timeout, notes);
        long ended = System.nanoTime();
        JfrProfiler.Profile profile = null;
        if (profiler != null) {
          profile = profiler.stop(15);
          profiler = null;
        }
        return new Timed((ended - submitted) / 1e9, ended, half, MinuteCounts.total(redis), profile);
      } finally {
        job.cancel();
      }
    } finally {
      if (profiler != null) {
        profiler.close();
      }
    }
  }

  /**
   * Polls the earliest incomplete minutes until every minute in {@code remaining} has its expected
   * count; throws after {@code timeout} with how far it got.
   */
  private static SecondHalf awaitAllMinutes(Jedis redis, StreamingJob job, TreeMap<Long, Long> remaining,
      long submitted, Duration timeout, List<String> notes) {
    int minutes = remaining.size();
    long total = remaining.values().stream().mapToLong(Long::longValue).sum();
    long done = 0;
    SecondHalf half = null;
    long deadline = submitted + timeout.toNanos();
    long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!remaining.isEmpty()) {
      List<Long> frontier = new ArrayList<>(FRONTIER);
      for (Long minute : remaining.keySet()) {
        frontier.add(minute);
        if (frontier.size() == FRONTIER) {
          break;
        }
      }
      for (Map.Entry<Long, Long> count : MinuteCounts.read(redis, frontier).entrySet()) {
        long want = remaining.get(count.getKey());
        if (count.getValue() >= want) {
          remaining.remove(count.getKey());
          done += want;
          if (half == null && done * 2 >= total) {
            half = new SecondHalf(System.nanoTime(), done, total);
          }
          if (count.getValue() > want) {
            notes.add(String.format("minute %s counted %,d events, %,d expected",
                Instant.ofEpochMilli(count.getKey()), count.getValue(), want));
          }
        }
      }
      if (remaining.isEmpty()) {
        return half;
      }
      long now = System.nanoTime();
      if (now > deadline) {
        throw new IllegalStateException(String.format("After %s, %d of %d minutes are complete in Redis;"
                + " the first incomplete is %s (%,d expected, Redis has %,d). Raise --timeout for a larger"
                + " --events, or look above for the job's errors", timeout, minutes - remaining.size(), minutes,
            Instant.ofEpochMilli(remaining.firstKey()), remaining.firstEntry().getValue(),
            MinuteCounts.read(redis, List.of(remaining.firstKey())).get(remaining.firstKey())));
      }
      if (now > nextReport) {
        job.checkRunning();
        long first = remaining.firstKey();
        progress(String.format("%d of %d minutes complete in Redis after %.0f s; first incomplete %s: %,d of %,d",
            minutes - remaining.size(), minutes, (now - submitted) / 1e9, Instant.ofEpochMilli(first),
            MinuteCounts.read(redis, List.of(first)).get(first), remaining.get(first)));
        nextReport = now + TimeUnit.SECONDS.toNanos(10);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
    return half;
  }

  /**
   * When the minutes complete in Redis first held half of the valid events: the run's second half
   * starts there, after the JVM's warm-up (class loading, JIT) and the job's start.
   */
  record SecondHalf(long startNanos, long validDoneAtStart, long validTotal) {
    /** Records per second over the second half, {@code records} in all, ending at {@code endNanos}. */
    double recordsPerSecond(long records, long endNanos) {
      double share = (validTotal - validDoneAtStart) / (double) validTotal;
      return share * records / ((endNanos - startNanos) / 1e9);
    }
  }

  /** {@code client_timestamp} of a generated valid payload, epoch ms. */
  static long clientTimestamp(byte[] payload) {
    try (JsonParser p = JSON.createParser(payload)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals("client_timestamp")) {
          return value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : Instant.parse(p.getText()).toEpochMilli();
        }
        p.skipChildren();
      }
    } catch (IOException e) {
      throw new IllegalStateException("A generated valid payload does not parse", e);
    }
    throw new IllegalStateException("A generated valid payload has no client_timestamp");
  }

  private static final String USAGE = String.join("\n",
      "StreamingThroughputBench: a pre-loaded Kafka backlog through the streaming pipeline on Flink [local],",
      "beside a plain-Java consumer. Arguments (--name=value):",
      "  --events=5000000 --users=200000 --seed=42 --day=YYYY-MM-DD (yesterday) --timeCompression=96",
      "  --partitions=4",
      "  --parallelism=2 --earlyFiringSeconds=5 --archive=false --kafkaSinks=true --geo=true",
      "  --checkpointingIntervalMs=60000 --baseline=true --floor=true --profile=false --timeout=PT2H (or seconds)",
      "  --workDir=DIR (default: a temporary directory, deleted after)",
      "  --pipelineArg=--option=value (repeatable: passed to the pipeline, e.g. --pipelineArg=--objectReuse=true)");

  public static void main(String[] argv) {
    BenchFiles.quietLogs();
    BenchArgs a = BenchArgs.parse(argv, Set.of("events", "users", "seed", "day", "timeCompression",
        "partitions", "parallelism", "earlyFiringSeconds", "archive", "kafkaSinks", "geo",
        "checkpointingIntervalMs", "baseline", "floor", "profile", "timeout", "workDir"), USAGE);
    Params d = Params.defaults();
    Params p = new Params(
        a.getLong("events", d.events()),
        a.getInt("users", d.users()),
        a.getLong("seed", d.seed()),
        LocalDate.parse(a.getString("day", d.day().toString())),
        a.getInt("timeCompression", d.timeCompression()),
        a.getInt("partitions", d.partitions()),
        a.getInt("parallelism", d.parallelism()),
        a.getInt("earlyFiringSeconds", d.earlyFiringSeconds()),
        a.getBoolean("archive", d.archive()),
        a.getBoolean("kafkaSinks", d.kafkaSinks()),
        a.getBoolean("geo", d.geo()),
        a.getLong("checkpointingIntervalMs", d.checkpointingIntervalMs()),
        a.getBoolean("baseline", d.baseline()),
        a.getBoolean("floor", d.floor()),
        a.getBoolean("profile", d.profile()),
        a.getDuration("timeout", d.timeout()),
        a.getPath("workDir", null),
        a.pipelineArgs());
    Result result = run(p);
    System.out.print(result.summary());
    System.exit(0); // Flink's and Kafka's non-daemon threads would keep the JVM up
  }
}
