package io.github.analytics.runners;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.analytics.generator.GeneratedRecord;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.generator.KafkaWriter;
import io.github.analytics.generator.LivePacer;
import io.github.analytics.generator.LiveRun;
import io.github.analytics.generator.RecordKind;
import io.github.analytics.pipelines.options.S3Settings;
import io.github.analytics.pipelines.BatchPipeline;
import io.github.analytics.pipelines.BatchPipelineOptions;
import io.github.analytics.pipelines.BatchResult;
import io.github.analytics.pipelines.StreamingPipeline;
import io.github.analytics.pipelines.StreamingPipelineOptions;
import io.github.analytics.pipelines.io.RedisReader;
import io.github.analytics.pipelines.io.RedisSink;
import io.github.analytics.stack.LocalStack;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import redis.clients.jedis.Jedis;

/**
 * The local Lambda demo: a live window of generated traffic through Kafka into the streaming
 * pipeline (Redis, rollup and alert topics, the archive), then the batch pipeline over the archive it
 * wrote, and the two layers side by side.
 */
final class LambdaDemo {
  /** The first seconds of a run, while Flink's sources and operators start up. */
  private static final Duration WARM_UP = Duration.ofSeconds(20);
  static final DateTimeFormatter HHMM =
      DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter YYYYMMDD =
      DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final GeneratorConfig config;
  private final LocalTime from;
  private final Duration length;
  private final double speedup;
  private final Duration reportEvery;
  private final Path dir;
  private final Path geo;
  private final List<String> batchRunnerArgs;
  private final int parallelism;
  private final boolean viaCollector;
  private final int dashboardPort;
  private final boolean serve;

  LambdaDemo(GeneratorConfig config, LocalTime from, Duration length, double speedup,
      Duration reportEvery, Path dir, Path geo, List<String> batchRunnerArgs, int parallelism,
      boolean viaCollector, int dashboardPort, boolean serve) {
    this.config = config;
    this.from = from;
    this.length = length;
    this.speedup = speedup;
    this.reportEvery = reportEvery;
    this.dir = dir;
    this.geo = geo;
    this.batchRunnerArgs = batchRunnerArgs;
    this.parallelism = parallelism;
    this.viaCollector = viaCollector;
    this.dashboardPort = dashboardPort;
    this.serve = serve;
  }

  /** Runs the demo; returns the process exit code. */
  int run() throws Exception {
    Path archive = dir.resolve("archive");
    Path warehouse = dir.resolve("warehouse.duckdb");
    System.out.printf("%n[2/5] Starting the local stack (Kafka broker JVM, redis-server) under %s%n",
        dir.resolve("stack"));
    long started = System.nanoTime();
    LocalStack stack;
    try {
      stack = LocalStack.start(dir.resolve("stack"));
    } catch (IllegalStateException e) {
      System.err.println("\nCannot start the local stack: " + e.getMessage()
          + "\nThe batch layer alone needs neither: ./analytics demo --batch-only");
      return 1;
    }
    String dashboardUrl;
    try (stack; DemoDashboard dashboard =
        DemoDashboard.start(stack.redis().host(), stack.redis().port(), warehouse, dashboardPort)) {
      String bootstrap = stack.kafka().bootstrapServers();
      stack.kafka().createTopics(StackCommand.TOPICS.toArray(String[]::new));
      String redisUri = "redis://" + stack.redis().host() + ":" + stack.redis().port();
      System.out.printf(Locale.ROOT, "      up in %.1f s: Kafka %s, Redis %s%n",
          (System.nanoTime() - started) / 1e9, bootstrap, redisUri);

      System.out.printf(Locale.ROOT,
          "%n[3/5] Starting the streaming pipeline on Flink [local] (parallelism %d, checkpoints every"
              + " 10 s): topic events -> Redis, topics %s and %s, archive %s%n",
          parallelism, "metrics.events_per_minute", "alerts.anomalies", archive);
      PipelineOptionsFactory.register(StreamingPipelineOptions.class);
      List<String> streamingArgs = FlinkDefaults.streaming(
          EmbeddedFlinkCheckpoints.withFileCheckpoints(List.of(
              "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=" + parallelism,
              "--attachedMode=false", "--checkpointingInterval=10000",
              "--bootstrapServers=" + bootstrap, "--redisUri=" + redisUri,
              "--archiveRoot=" + archive, "--archiveFlushSeconds=10", "--geoDatabase=" + geo,
              // The replay runs 60 times faster than the clock: let its times close the windows.
              "--watermarkAheadOfClock=true"),
          dir.resolve("checkpoints")));
      streamingArgs = S3Settings.withoutRegionProbe(streamingArgs);
      StreamingPipelineOptions streamingOptions =
          PipelineOptionsFactory.fromArgs(streamingArgs.toArray(String[]::new))
              .withValidation().as(StreamingPipelineOptions.class);
      // Flink [local] runs its workers in this JVM: build the user-agent analyzer before the job
      // starts, so the first minute of live numbers measures the pipeline, not a one-off set-up.
      long warming = System.nanoTime();
      io.github.analytics.transforms.ingest.EnrichEvents.warmUp(streamingOptions.getUserAgentCacheSize());
      System.out.printf(Locale.ROOT, "      user-agent analyzer built in %.1f s%n",
          (System.nanoTime() - warming) / 1e9);
      PipelineResult streaming = StreamingPipeline.run(streamingOptions);
      awaitRunning(streaming);
      try (Jedis redis = new Jedis(stack.redis().host(), stack.redis().port())) {
        LiveRun live = LiveRun.start(config, from, length, speedup, Instant.now());
        dashboardUrl = dashboard.url(live.start(), live.end());
        System.out.printf("%n      Live dashboard (open it now to watch the window stream in): %s%n", dashboardUrl);
        Live progress = stream(live, bootstrap, redis);
        if (progress.failure.get() != null) {
          throw new IllegalStateException("Publishing to Kafka failed", progress.failure.get());
        }
        if (viaCollector) {
          System.out.printf(Locale.ROOT, "      At the collector: %,d records sent in %,d requests; %,d events"
                  + " published to Kafka, %,d dead-lettered there (not events: no user), %,d refused with"
                  + " 400 (not JSON)%n", progress.sent.get(), progress.requests.get(), progress.published.get(),
              progress.doorDeadLetters.get(), progress.refused.get());
        }
        System.out.printf(Locale.ROOT,
            "%n[4/5] Waiting for the archive to hold every record published to Kafka (%,d)...%n",
            progress.published.get());
        awaitArchive(archive, progress.published.get());

        LocalDate first = LocalDate.ofInstant(live.start(), ZoneOffset.UTC);
        LocalDate last = LocalDate.ofInstant(live.end().minusMillis(1), ZoneOffset.UTC);
        System.out.printf(Locale.ROOT,
            "%n[5/5] Running the batch pipeline over that archive (%s to %s) into %s...%n",
            first, last, warehouse);
        List<String> args = new ArrayList<>(SparkDefaults.batch(FlinkDefaults.batch(batchRunnerArgs)));
        args.addAll(List.of("--archiveRoot=" + archive, "--fromDate=" + first, "--toDate=" + last,
            "--lateArrivalDays=0", "--geoDatabase=" + geo, "--duckDbPath=" + warehouse));
        PipelineOptionsFactory.register(BatchPipelineOptions.class);
        BatchResult batch = BatchPipeline.run(PipelineOptionsFactory.fromArgs(
                S3Settings.withoutRegionProbe(args).toArray(String[]::new))
            .withValidation().as(BatchPipelineOptions.class));
        System.out.printf(Locale.ROOT, "      %s in %.1f s%n", batch.state(),
            batch.elapsed().getMillis() / 1e3);
        if (batch.state() != PipelineResult.State.DONE) {
          return 1;
        }
        DemoReconciliation.print(live, redis, warehouse);
      } finally {
        streaming.cancel();
      }
      System.out.printf("%nLook further (no install needed):%n"
          + "  ./analytics sql --db %s \"SELECT * FROM anomalies ORDER BY window_start\"%n"
          + "  ./analytics stack    # a Kafka broker and Redis to point your own jobs at%n",
          warehouse);
      if (serve) {
        dashboard.serveUntilStopped(dashboardUrl);
      } else {
        System.out.printf("  The dashboard of this run was: %s (--no-serve: stopped with the demo)%n", dashboardUrl);
      }
    }
    return 0;
  }

  /** What the publisher has done so far, shared with the reporter. */
  static final class Live {
    final AtomicLong sent = new AtomicLong();
    /** Records on the events topic: all sent, or what the collector published. */
    final AtomicLong published = new AtomicLong();
    final AtomicLong doorDeadLetters = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong onTimeSent = new AtomicLong();
    final AtomicLong lastRecordMillis = new AtomicLong();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Wall-clock nanos at which the on-time count reached each multiple of the step. */
    final Map<Long, Long> timeline = new java.util.concurrent.ConcurrentSkipListMap<>();
    volatile boolean done;
    long maxLagMillis;
    long warmUpLagMillis;
  }

  private Live stream(LiveRun live, String bootstrap, Jedis redis) throws Exception {
    Live progress = new Live();
    System.out.printf(Locale.ROOT,
        "%n[4/5] Streaming %s %s to %s as if it were now, %.0fx real time (%s of wall clock), %s,"
            + " live numbers from Redis every %d s:%n",
        config.day(), from, from.plus(length), speedup,
        humanDuration(Duration.ofMillis((long) (length.toMillis() / speedup))),
        viaCollector ? "through a collector (POST /v1/native, batches of " + CollectorFeed.BATCH + " or "
            + CollectorFeed.MAX_DELAY_MILLIS + " ms, a replay key that keeps the simulated arrival times)"
            : "straight into Kafka",
        reportEvery.toSeconds());
    System.out.printf("      %6s %9s %9s %9s %7s %8s %8s %7s%n",
        "wall", "simulated", "sent", "counted", "lag", "users", "sessions", "alerts");
    Thread publisher = new Thread(() -> {
      LivePacer pacer = live.pacer();
      try (DemoFeed feed = viaCollector
          ? new DemoFeed(CollectorFeed.start(bootstrap, "events", "events.dead_letters"))
          : new DemoFeed(KafkaWriter.open(bootstrap, "events"))) {
        for (GeneratedRecord record : live.generator()) {
          pacer.acquire(record.receivedAtMillis());
          feed.send(record);
          progress.sent.incrementAndGet();
          progress.lastRecordMillis.set(record.receivedAtMillis());
          if (record.kind() == RecordKind.ON_TIME) {
            long n = progress.onTimeSent.incrementAndGet();
            progress.timeline.putIfAbsent(n, System.nanoTime());
          }
        }
        feed.close();
        feed.count(progress);
      } catch (Throwable t) {
        progress.failure.set(t);
      } finally {
        progress.done = true;
      }
    }, "demo-publisher");
    long wallStart = System.nanoTime();
    publisher.start();
    long nextReport = wallStart + reportEvery.toNanos();
    long deadline = Long.MAX_VALUE;
    while (true) {
      LockSupport.parkNanos(Math.max(0, nextReport - System.nanoTime()));
      nextReport += reportEvery.toNanos();
      long counted = report(live, redis, progress, wallStart);
      if (progress.done && deadline == Long.MAX_VALUE) {
        deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      }
      if (progress.done && counted >= progress.onTimeSent.get()) {
        break;
      }
      if (System.nanoTime() > deadline) {
        System.out.printf(Locale.ROOT,
            "      Redis counted %,d of %,d events 90 s after the last was sent: going on.%n",
            counted, progress.onTimeSent.get());
        break;
      }
    }
    publisher.join();
    System.out.printf(Locale.ROOT,
        "      Dashboards were at most %.1f s behind the events sent after the first %d s (%.1f s"
            + " while the job warmed up); measured as how long ago the publisher had sent as many"
            + " events as Redis had counted, every %d s.%n",
        progress.maxLagMillis / 1e3, WARM_UP.toSeconds(), progress.warmUpLagMillis / 1e3,
        reportEvery.toSeconds());
    return progress;
  }

  /** Prints one line of live numbers; returns the events Redis has counted. */
  private long report(LiveRun live, Jedis redis, Live progress, long wallStart) {
    long now = System.nanoTime();
    long counted = 0;
    for (LocalDate day : days(live)) {
      for (JsonNode row : RedisReader.metricRows(redis, "event_counts_per_minute", day).values()) {
        counted += row.get("event_count").asLong();
      }
    }
    // Lag: how long ago the publisher had sent as many on-time events as Redis has counted now.
    long lagMillis = 0;
    if (counted < progress.onTimeSent.get()) {
      Map.Entry<Long, Long> reached = ((java.util.NavigableMap<Long, Long>) progress.timeline)
          .ceilingEntry(Math.max(1, counted + 1));
      if (reached != null) {
        lagMillis = Math.max(0, (now - reached.getValue()) / 1_000_000);
      }
    }
    if (now - wallStart > WARM_UP.toNanos()) {
      progress.maxLagMillis = Math.max(progress.maxLagMillis, lagMillis);
    } else {
      progress.warmUpLagMillis = Math.max(progress.warmUpLagMillis, lagMillis);
    }
    Instant simulated = progress.lastRecordMillis.get() == 0
        ? live.start() : Instant.ofEpochMilli(progress.lastRecordMillis.get());
    String dayKey = YYYYMMDD.format(live.start());
    System.out.printf(Locale.ROOT, "      %5ds %9s %,9d %,9d %6.1fs %,8d %,8d %,7d%n",
        (now - wallStart) / 1_000_000_000L,
        HHMM.format(simulated.minus(live.timeShift())),
        progress.sent.get(), counted, lagMillis / 1e3,
        redis.pfcount("hll:" + RedisSink.ALL_EVENT_TYPES + ":" + dayKey),
        redis.hlen("sessions:" + LocalDate.ofInstant(live.start(), ZoneOffset.UTC)),
        redis.exists(RedisSink.ALERT_STREAM) ? redis.xlen(RedisSink.ALERT_STREAM) : 0);
    return counted;
  }

  /** Waits until the job runs, so the live numbers measure the pipeline and not its start-up. */
  private static void awaitRunning(PipelineResult job) {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (job.getState() != PipelineResult.State.RUNNING) {
      if (job.getState().isTerminal() || System.nanoTime() > deadline) {
        throw new IllegalStateException("The streaming job did not start: it is " + job.getState()
            + ". See the log above.");
      }
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
  }

  private static void awaitArchive(Path archive, long records) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    long archived = 0;
    while (System.nanoTime() < deadline) {
      archived = archivedRecords(archive);
      if (archived >= records) {
        System.out.printf(Locale.ROOT, "      %,d records archived%n", archived);
        return;
      }
      LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
    }
    throw new IllegalStateException("The archive under " + archive + " holds " + archived + " of "
        + records + " records after 3 minutes: is the streaming job running? See the log above.");
  }

  private static long archivedRecords(Path archive) throws Exception {
    if (!java.nio.file.Files.exists(archive)) {
      return 0;
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM read_parquet('" + archive
            + "/dt=*/hour=*/*.parquet')")) {
      r.next();
      return r.getLong(1);
    } catch (java.sql.SQLException e) {
      return 0; // no file yet
    }
  }

  /** The UTC days the live window covers. */
  static List<LocalDate> days(LiveRun live) {
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = LocalDate.ofInstant(live.start(), ZoneOffset.UTC);
        !d.isAfter(LocalDate.ofInstant(live.end(), ZoneOffset.UTC)); d = d.plusDays(1)) {
      days.add(d);
    }
    return days;
  }

  private static String humanDuration(Duration d) {
    return d.toMinutes() > 0 ? d.toMinutes() + " min " + d.toSecondsPart() + " s" : d.toSeconds() + " s";
  }
}
