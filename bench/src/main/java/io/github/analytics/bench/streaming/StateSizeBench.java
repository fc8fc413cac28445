package io.github.analytics.bench.streaming;

import static io.github.analytics.bench.streaming.BenchFiles.progress;

import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratedRecord;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.generator.KafkaWriter;
import io.github.analytics.stack.LocalStack;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import io.github.analytics.generator.RecordKind;
import io.github.analytics.pipelines.StreamingPipeline;
import io.github.analytics.pipelines.StreamingPipelineOptions;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.shaded.guava31.com.google.common.hash.Hashing;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * The streaming job's state size over a month of traffic (issue 17): {@code days} generated days at a
 * low volume are published to a real Kafka broker first, then the production {@link
 * io.github.analytics.pipelines.StreamingPipeline} (every metric, the Redis sinks and Kafka feeds,
 * {@code --objectReuse}, heap state checkpointed to files as {@code analytics stream} runs it embedded)
 * reads through the month on Flink {@code [local]}. For every completed checkpoint it records how far
 * the job had read (the latest hour of event time whose {@code hll:all:<yyyyMMddHH>} key is in Redis,
 * written by the early firings) and the checkpoint's bytes on disk (every file in its {@code chk-N}
 * directory; heap state is a full snapshot, so this is the whole state), with the largest operators
 * read from the checkpoint's metadata.
 *
 * <p>Only checkpoints taken while the job is still behind count: once a partition is drained, KafkaIO
 * moves its watermark to the wall clock, every window and retention timer of the month fires, and the
 * state empties. Those rows are printed but marked; the run goes on until that drained state is
 * steady, since what is left then is what the longest retentions keep (active users over 30 days, the
 * anomaly history), with nothing in flight.
 *
 * <p>Run it with the classpath of {@code ParserMicroBench} (README, Benchmarks):
 * {@code java -cp "bench/target/classes:$(cat bench/target/classpath.txt)"
 * io.github.analytics.bench.streaming.StateSizeBench --days=30 --eventsPerDay=15000 --users=3000}
 */
public final class StateSizeBench {
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("yyyyMMddHH", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  /** How far ahead of the last hour seen the probe looks for a later one (nights may be empty). */
  private static final int PROBE_HOURS = 48;

  private StateSizeBench() {}

  /** What to run; see {@link #USAGE}. */
  record Params(LocalDate firstDay, int days, long eventsPerDay, int users, long seed, int partitions,
      int parallelism, long checkpointingIntervalMs, boolean archive, Duration timeout, Path workDir) {}

  /** One completed checkpoint. */
  record Point(long checkpointId, double seconds, long bytes, int files, Instant reached,
      boolean caughtUp, Map<String, Long> largestOperators) {}

  public static void main(String[] argv) throws Exception {
    BenchFiles.quietLogs();
    BenchArgs a = BenchArgs.parse(argv, Set.of("firstDay", "days", "eventsPerDay", "users", "seed",
        "partitions", "parallelism", "checkpointingIntervalMs", "archive", "timeout", "workDir"), USAGE);
    Params p = new Params(
        LocalDate.parse(a.getString("firstDay", "2026-11-01")),
        a.getInt("days", 30),
        a.getLong("eventsPerDay", 15_000),
        a.getInt("users", 3_000),
        a.getLong("seed", 42),
        a.getInt("partitions", 2),
        a.getInt("parallelism", 2),
        a.getLong("checkpointingIntervalMs", 5_000),
        a.getBoolean("archive", false),
        a.getDuration("timeout", Duration.ofMinutes(30)),
        a.getPath("workDir", null));
    List<Point> points = run(p);
    System.out.print(table(p, points));
    System.exit(0); // Flink's and Kafka's non-daemon threads would keep the JVM up
  }

  static List<Point> run(Params p) throws Exception {
    Path workDir = BenchFiles.workDir(p.workDir(), "state-size");
    try (LocalStack stack = LocalStack.start(workDir.resolve("stack"))) {
      String topic = "bench-state-" + System.currentTimeMillis();
      StreamingJob.createTopics(stack, topic, p.partitions());

      // 1. The whole month into the topic before the job starts (a drained partition's watermark jumps
      //    to the wall clock, which would fire every window and empty the state).
      long lastEventTime = 0;
      long started = System.nanoTime();
      try (KafkaWriter writer = KafkaWriter.open(stack.kafka().bootstrapServers(), topic)) {
        for (int d = 0; d < p.days(); d++) {
          // A seed a day, far apart as WarehouseSection's: one seed makes the same event ids every
          // day, and the job would drop each next day's events as duplicates (dedupe horizon 24 h).
          // User ids are the user's index, so the same users come back every day.
          for (GeneratedRecord record : EventGenerator.of(GeneratorConfig.forDay(p.firstDay().plusDays(d))
              .withSeed(p.seed() + d * 1_000_000_007L).withEvents(p.eventsPerDay()).withUsers(p.users()))) {
            writer.write(record);
            if (record.kind() == RecordKind.ON_TIME) {
              lastEventTime = Math.max(lastEventTime, Math.min(
                  StreamingThroughputBench.clientTimestamp(record.payload()), record.receivedAtMillis()));
            }
          }
        }
        progress(String.format("loaded %,d records of %d days from %s in %.1f s", writer.sent(),
            p.days(), p.firstDay(), (System.nanoTime() - started) / 1e9));
      }
      // The job has read the month once Redis has the last hour of event time of an on-time event.
      Instant lastHour = Instant.ofEpochMilli(lastEventTime - lastEventTime % 3_600_000);

      // 2. The production job, checkpointing heap state to files.
      Path checkpoints = workDir.resolve("checkpoints");
      List<String> args = StreamingJob.args(stack, topic, new StreamingJob.Settings(p.parallelism(), 5,
          p.archive(), true, true, p.checkpointingIntervalMs(), List.of()), workDir);
      progress("streaming pipeline: " + String.join(" ", args));
      Map<String, String> names = operatorNames(args);
      List<Point> points = new ArrayList<>();
      try (Jedis redis = new Jedis(stack.redis().host(), stack.redis().port());
          StreamingJob job = StreamingJob.start(args)) {
        long submitted = System.nanoTime();
        long deadline = submitted + p.timeout().toNanos();
        Instant reached = null;
        long seen = -1;
        List<Long> caughtUpSizes = new ArrayList<>();
        // 3. Every completed checkpoint (Flink keeps only the latest, so poll faster than they come).
        // After the month, until the drained state is steady (three equal checkpoints) or 30 more:
        // what is left then is what the retention keeps, not windows in flight.
        while (!steady(caughtUpSizes)) {
          if (System.nanoTime() > deadline) {
            progress("timeout after " + p.timeout() + "; the table holds what was measured");
            break;
          }
          job.checkRunning();
          reached = probe(redis, p.firstDay().atStartOfDay().toInstant(ZoneOffset.UTC), reached);
          for (Path chk : completed(checkpoints)) {
            long id = Long.parseLong(chk.getFileName().toString().substring(4));
            if (id <= seen) {
              continue;
            }
            seen = id;
            long[] size = size(chk);
            if (size == null) {
              continue; // deleted while being measured: the next one will do
            }
            boolean caughtUp = reached != null && !reached.isBefore(lastHour);
            Point point = new Point(id, (System.nanoTime() - submitted) / 1e9, size[0], (int) size[1],
                reached, caughtUp, largestOperators(chk, names));
            points.add(point);
            progress(String.format("chk-%d at %.0f s: %,d bytes in %d files, data reached %s%s; %s", id,
                point.seconds(), size[0], size[1], reached, caughtUp ? " (caught up)" : "",
                point.largestOperators()));
            if (caughtUp) {
              caughtUpSizes.add(size[0]);
            }
          }
          LockSupport.parkNanos(POLL_NANOS);
        }
      }
      return points;
    } finally {
      if (p.workDir() == null) {
        BenchFiles.delete(workDir);
      }
    }
  }

  /** Three equal sizes in a row, or thirty checkpoints after the month was read. */
  static boolean steady(List<Long> sizes) {
    int n = sizes.size();
    return n >= 30 || (n >= 3 && sizes.get(n - 1).equals(sizes.get(n - 2)) && sizes.get(n - 2).equals(sizes.get(n - 3)));
  }

  /**
   * The latest hour whose {@code hll:all} key exists, looking up to {@link #PROBE_HOURS} past {@code
   * known} (the last one found; {@code start} before any); {@code known} if none is found.
   */
  static Instant probe(Jedis redis, Instant start, Instant known) {
    Instant from = known == null ? start : known;
    Pipeline pipe = redis.pipelined();
    List<Response<Boolean>> exists = new ArrayList<>();
    for (int h = 0; h <= PROBE_HOURS; h++) {
      exists.add(pipe.exists("hll:all:" + HOUR.format(from.plusSeconds(3600L * h))));
    }
    pipe.sync();
    Instant latest = known;
    for (int h = 0; h <= PROBE_HOURS; h++) {
      if (exists.get(h).get()) {
        latest = from.plusSeconds(3600L * h);
      }
    }
    return latest;
  }

  /** The {@code chk-N} directories under {@code root} whose {@code _metadata} is written, by id. */
  static List<Path> completed(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    TreeMap<Long, Path> byId = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root, 2)) {
      for (Path dir : paths.toList()) {
        String name = dir.getFileName().toString();
        if (name.startsWith("chk-") && Files.exists(dir.resolve("_metadata"))) {
          byId.put(Long.parseLong(name.substring(4)), dir);
        }
      }
    } catch (UncheckedIOException e) {
      return List.of(); // a directory went away while listed (Flink subsumed a checkpoint)
    }
    return new ArrayList<>(byId.values());
  }

  /** Bytes and files under {@code chk}, or null if it went away meanwhile. */
  static long[] size(Path chk) {
    long bytes = 0;
    long files = 0;
    try (Stream<Path> paths = Files.walk(chk)) {
      for (Path f : paths.filter(Files::isRegularFile).toList()) {
        bytes += Files.size(f);
        files++;
      }
    } catch (IOException | UncheckedIOException e) {
      return null;
    }
    return new long[] {bytes, files};
  }

  /**
   * The three operators with the most state in the checkpoint (its metadata's own accounting, which
   * leaves out the metadata file), named by {@code names} where the id is known, or empty if the
   * metadata cannot be read.
   */
  static Map<String, Long> largestOperators(Path chk, Map<String, String> names) {
    try (InputStream in = Files.newInputStream(chk.resolve("_metadata"))) {
      CheckpointMetadata metadata = Checkpoints.loadCheckpointMetadata(new DataInputStream(in),
          StateSizeBench.class.getClassLoader(), chk.toString());
      Map<String, Long> top = new LinkedHashMap<>();
      metadata.getOperatorStates().stream()
          .sorted((x, y) -> Long.compare(y.getStateSize(), x.getStateSize()))
          .limit(3)
          .forEach((OperatorState op) -> {
            String id = op.getOperatorID().toString();
            top.put(names.getOrDefault(id, "operator " + id.substring(0, 8)), op.getStateSize());
          });
      return top;
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
  }

  /**
   * Flink operator id to Beam transform name: Beam's Flink runner gives each operator its transform's
   * full name as uid, and Flink's id of an operator with a uid is the 128-bit murmur3 (seed 0) of it.
   * The graph is built again here from the same options, not run.
   */
  static Map<String, String> operatorNames(List<String> args) {
    Map<String, String> names = new TreeMap<>();
    try {
      PipelineOptionsFactory.register(StreamingPipelineOptions.class);
      StreamingPipelineOptions options = PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
          .withValidation().as(StreamingPipelineOptions.class);
      options.setStreaming(true);
      org.apache.beam.sdk.Pipeline pipeline = org.apache.beam.sdk.Pipeline.create(options);
      StreamingPipeline.buildPipeline(pipeline, options, StreamingPipeline.source(options));
      pipeline.traverseTopologically(new org.apache.beam.sdk.Pipeline.PipelineVisitor.Defaults() {
        @Override
        public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
          add(node);
          return CompositeBehavior.ENTER_TRANSFORM;
        }

        @Override
        public void visitPrimitiveTransform(TransformHierarchy.Node node) {
          add(node);
        }

        private void add(TransformHierarchy.Node node) {
          if (!node.isRootNode()) {
            byte[] hash = Hashing.murmur3_128(0).newHasher()
                .putString(node.getFullName(), StandardCharsets.UTF_8).hash().asBytes();
            names.put(new OperatorID(hash).toString(), node.getFullName());
          }
        }
      });
    } catch (RuntimeException e) {
      progress("cannot name the operators (" + e + "); the table shows their ids");
    }
    return names;
  }

  static String table(Params p, List<Point> points) {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "State size over %d days from %s: %,d events a day, %,d users,"
            + " %d partitions, parallelism %d, checkpoints every %d ms, archive %s%n%n",
        p.days(), p.firstDay(), p.eventsPerDay(), p.users(), p.partitions(), p.parallelism(),
        p.checkpointingIntervalMs(), p.archive() ? "on" : "off"));
    s.append("| checkpoint | s after submit | data reached (hour, UTC) | day | checkpoint bytes | files |"
        + " largest operators (transform: bytes) |\n");
    s.append("|---:|---:|---|---:|---:|---:|---|\n");
    for (Point pt : points) {
      String day = pt.reached() == null ? "" : Long.toString(
          java.time.temporal.ChronoUnit.DAYS.between(p.firstDay(), pt.reached().atZone(ZoneOffset.UTC).toLocalDate()) + 1);
      StringBuilder ops = new StringBuilder();
      pt.largestOperators().forEach((id, bytes) -> ops.append(ops.length() == 0 ? "" : ", ")
          .append(id).append(": ").append(String.format(Locale.ROOT, "%,d", bytes)));
      s.append(String.format(Locale.ROOT, "| %d | %.0f | %s%s | %s | %,d | %d | %s |%n", pt.checkpointId(),
          pt.seconds(), pt.reached() == null ? "(nothing yet)" : pt.reached().toString(),
          pt.caughtUp() ? " (caught up: watermark at the wall clock, does not count)" : "", day,
          pt.bytes(), pt.files(), ops));
    }
    return s.toString();
  }

  private static final String USAGE = String.join("\n",
      "StateSizeBench: the streaming job's checkpoint size as it reads through a month of traffic.",
      "Arguments (--name=value):",
      "  --firstDay=2026-11-01 --days=30 --eventsPerDay=15000 --users=3000 --seed=42",
      "  --partitions=2 --parallelism=2 --checkpointingIntervalMs=5000 --archive=false --timeout=PT30M",
      "  --workDir=DIR (default: a temporary directory, deleted after)");
}
