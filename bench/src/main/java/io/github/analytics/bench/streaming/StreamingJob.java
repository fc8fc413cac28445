package io.github.analytics.bench.streaming;

import io.github.analytics.generator.MmdbWriter;
import io.github.analytics.pipelines.StreamingPipeline;
import io.github.analytics.pipelines.StreamingPipelineOptions;
import io.github.analytics.stack.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The production {@link StreamingPipeline} on embedded Flink ({@code [local]}, in this JVM) against a
 * {@link LocalStack}, as the benchmarks start it: the same options an operator passes, plus the
 * section's own. {@link #cancel()} stops it.
 */
final class StreamingJob implements AutoCloseable {
  /** Topics the pipeline writes besides Redis (created up front, as the demo does). */
  static final List<String> OUTPUT_TOPICS =
      List.of("events.dead_letters", "metrics.events_per_minute", "alerts.anomalies");

  private final PipelineResult result;
  private final List<String> args;

  private StreamingJob(PipelineResult result, List<String> args) {
    this.result = result;
    this.args = args;
  }

  /** What the job is started with; see {@link #args}. */
  record Settings(
      int parallelism,
      int earlyFiringSeconds,
      boolean archive,
      boolean kafkaSinks,
      boolean geo,
      long checkpointingIntervalMs,
      List<String> extraArgs) {}

  /**
   * The checkpoint interval of the production job ({@code deploy/flink/analytics-streaming.yaml}).
   * Embedded Flink keeps heap state and writes all of it at every checkpoint (a cluster's RocksDB
   * writes only what changed), so a shorter interval would bill the pipeline for more copying than
   * production does.
   */
  static final long PRODUCTION_CHECKPOINT_MS = 60_000;

  /**
   * The pipeline's arguments, as {@code analytics stream} would run it: Flink {@code [local]}
   * detached (so this JVM keeps control and can cancel it), reading {@code topic} under a fresh consumer group, writing Redis database 0.
   */
  static List<String> args(LocalStack stack, String topic, Settings s, Path workDir) {
    List<String> args = new ArrayList<>(List.of(
        "--runner=FlinkRunner",
        "--flinkMaster=[local]",
        // As `analytics stream` runs it: no element copies between chained operators.
        "--objectReuse=true",
        "--parallelism=" + s.parallelism(),
        "--streaming=true",
        "--attachedMode=false",
        "--bootstrapServers=" + stack.kafka().bootstrapServers(),
        "--inputTopic=" + topic,
        "--consumerGroup=bench-" + topic,
        "--redisUri=redis://" + stack.redis().host() + ":" + stack.redis().port() + "/0",
        "--earlyFiringSeconds=" + s.earlyFiringSeconds(),
        "--writeArchive=" + s.archive(),
        "--archiveRoot=" + workDir.resolve("archive").toAbsolutePath()));
    if (s.checkpointingIntervalMs() > 0) {
      // Flink's default keeps checkpoints in the JobManager's memory, which refuses state over 5 MB
      // (the dedupe and window state of a backlog are far larger) and fails the job: heap state with
      // checkpoints in files, as StreamingRecoveryTest runs it. Production on a cluster uses RocksDB.
      args.add("--checkpointingInterval=" + s.checkpointingIntervalMs());
      args.add("--stateBackend=filesystem");
      args.add("--stateBackendStoragePath=" + workDir.resolve("checkpoints").toAbsolutePath().toUri());
    }
    if (!s.kafkaSinks()) {
      args.addAll(List.of("--deadLetterTopic=", "--rollupTopic=", "--alertTopic="));
    }
    if (s.geo()) {
      Path geo = workDir.resolve("geo/GeoIP2-City-bench.mmdb");
      try {
        Files.createDirectories(geo.getParent());
        MmdbWriter.writeGeoFixture(geo);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write the generator's GeoIP database to " + geo, e);
      }
      args.add("--geoDatabase=" + geo.toAbsolutePath());
    }
    args.addAll(s.extraArgs());
    // As the CLI runs it: no probe of the EC2 metadata service for a region that nothing uses.
    return io.github.analytics.pipelines.options.S3Settings.withoutRegionProbe(args);
  }

  /** Validates the options and submits the job; returns once Flink has it. */
  static StreamingJob start(List<String> args) {
    PipelineOptionsFactory.register(StreamingPipelineOptions.class);
    StreamingPipelineOptions options = PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
        .withValidation()
        .as(StreamingPipelineOptions.class);
    return new StreamingJob(StreamingPipeline.run(options), List.copyOf(args));
  }

  List<String> args() {
    return args;
  }

  /** Throws, saying how the job ended, if it is no longer running. */
  void checkRunning() {
    PipelineResult.State state;
    try {
      state = result.getState();
    } catch (RuntimeException e) {
      throw new IllegalStateException("The streaming job is gone (its Flink mini cluster shut down);"
          + " see the log above for its failure", e);
    }
    if (state.isTerminal()) {
      throw new IllegalStateException("The streaming job ended early: " + state
          + "; see the log above for its failure");
    }
  }

  /** Cancels the job and waits up to a minute for it to stop; one that already ended is left alone. */
  void cancel() {
    cancel(result, "the streaming job");
  }

  /**
   * Cancels an embedded job and waits up to a minute for it to stop; problems go to stderr, naming
   * {@code what}.
   */
  static void cancel(PipelineResult result, String what) {
    try {
      result.cancel();
      result.waitUntilFinish(org.joda.time.Duration.standardSeconds(60));
    } catch (IllegalStateException e) {
      // Cancelling an embedded job shuts its mini cluster down, after which waiting says so: stopped.
      if (!String.valueOf(e.getMessage()).contains("shut down")) {
        System.err.println("[bench] cancelling " + what + ": " + e);
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("[bench] cancelling " + what + ": " + e);
    }
  }

  @Override
  public void close() {
    cancel();
  }

  /**
   * Creates {@code topic} with {@code partitions}, keeping every record (no retention) and accepting
   * any record timestamp, so a generated day in the past or future is neither refused nor deleted;
   * plus the pipeline's output topics.
   */
  static void createTopics(LocalStack stack, String topic, int partitions) {
    stack.kafka().createTopics(OUTPUT_TOPICS.toArray(new String[0]));
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(Map.of(
              "retention.ms", "-1",
              "retention.bytes", "-1",
              "message.timestamp.after.max.ms", Long.toString(Long.MAX_VALUE),
              "message.timestamp.before.max.ms", Long.toString(Long.MAX_VALUE)))))
          .all()
          .get(60, TimeUnit.SECONDS);
      // The controller has it; the broker's metadata, which the pipeline's topic check reads, may
      // lag behind by a moment.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("The broker does not list the created topic " + topic + " after 30 s");
        }
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    } catch (Exception e) {
      throw new IllegalStateException("Cannot create the topic " + topic + " on " + stack.kafka().bootstrapServers()
          + " (broker log: " + stack.kafka().log() + ")", e);
    }
  }
}
