package io.github.analytics.pipelines;

import io.github.analytics.pipelines.io.ArchiveSink;
import io.github.analytics.pipelines.io.KafkaSinks;
import io.github.analytics.pipelines.io.KafkaSource;
import io.github.analytics.pipelines.io.RedisSink;
import io.github.analytics.pipelines.options.IngestSettings;
import io.github.analytics.pipelines.options.MetricSettings;
import io.github.analytics.pipelines.options.OptionsValidator;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.transforms.AnalyzeEvents;
import io.github.analytics.transforms.metrics.ApplyMetricCatalog;
import io.github.analytics.transforms.metrics.MetricCatalog;
import io.github.analytics.transforms.metrics.MetricConfig;
import io.github.analytics.transforms.metrics.MetricDefinition;
import io.github.analytics.transforms.metrics.WindowPolicy;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionRowTuple;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;

/**
 * The streaming layer: reads the event topic, runs the shared ingest transforms and the metric
 * catalog, and keeps dashboards and real-time feeds current. Steps:
 *
 * <ol>
 *   <li>Read the raw records from Kafka, with a watermark from their arrival times ({@link
 *       KafkaSource}).
 *   <li>Archive every record as received, in Parquet files per window of arrival time, and mark each
 *       hour complete once the watermark has passed it ({@link ArchiveSink}); the batch layer reads
 *       this archive.
 *   <li>Parse, deduplicate, enrich and apply every metric of the {@link MetricCatalog} ({@link
 *       AnalyzeEvents}, the same code as the batch layer) with the streaming {@link WindowPolicy}:
 *       early results every few seconds, the on-time result at the watermark, late updates within the
 *       allowed lateness, accumulating; dead letters to their topic.
 *   <li>Write absolute values: every metric to Redis, distinct users into Redis HyperLogLogs, anomaly
 *       alerts to a Redis stream, per-minute rollups and alerts to Kafka topics ({@link RedisSink},
 *       {@link KafkaSinks}).
 * </ol>
 *
 * <p>The job runs until cancelled. On Flink, run it with checkpointing ({@code
 * --checkpointingInterval}); a restored job resumes from the offsets and windows in its checkpoint.
 */
public final class StreamingPipeline {
  /** The metric whose rows feed the rollup topic. */
  public static final String ROLLUP_METRIC = "event_counts_per_minute";
  /** The metric whose rows are alerts. */
  public static final String ALERT_METRIC = "anomalies";
  /** The metric with its own Redis layout. */
  public static final String SESSIONS_METRIC = "sessions";

  private StreamingPipeline() {}

  public static void main(String[] args) {
    PipelineOptionsFactory.register(StreamingPipelineOptions.class);
    StreamingPipelineOptions options =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(StreamingPipelineOptions.class);
    PipelineResult result = run(options);
    if (!options.getWaitUntilFinish()) {
      // `flink run -d` or a FlinkDeployment: the cluster runs the job; waiting would hold the client.
      System.out.println(
          "Streaming job submitted (" + result.getClass().getSimpleName() + "), reading "
              + options.getBootstrapServers() + " topic " + options.getInputTopic()
              + "; it runs until it is cancelled or stopped on the cluster.");
      return;
    }
    System.out.println(
        "Streaming from " + options.getBootstrapServers() + " topic " + options.getInputTopic()
            + "; the job runs until it is cancelled (Ctrl-C here for an embedded runner).");
    PipelineResult.State state = result.waitUntilFinish();
    System.out.println("Streaming job ended: " + state);
    if (state != PipelineResult.State.DONE && state != PipelineResult.State.CANCELLED) {
      System.exit(1);
    }
  }

  /** Validates the options, builds the job on Kafka and starts it; returns without waiting. */
  public static PipelineResult run(StreamingPipelineOptions options) {
    options.setStreaming(true);
    KafkaSource.checkTopicExists(options.getBootstrapServers(), options.getInputTopic());
    Pipeline pipeline = Pipeline.create(options);
    buildPipeline(pipeline, options, source(options));
    return pipeline.run();
  }

  /**
   * The production source the options name: Kafka, with the watermark bound they give. Offline
   * checks of the job graph (the Dataflow translation test) build the graph with it, so they check
   * the same source {@link #run} launches.
   */
  public static KafkaSource source(StreamingPipelineOptions options) {
    return KafkaSource.read(
        options.getBootstrapServers(),
        options.getInputTopic(),
        options.getConsumerGroup(),
        Duration.standardSeconds(options.getMaxOutOfOrdernessSeconds()))
        .withWatermarkAheadOfClock(options.getWatermarkAheadOfClock());
  }

  /** The streaming window policy the options give. */
  public static WindowPolicy windowPolicy(StreamingPipelineOptions options) {
    return WindowPolicy.streaming(
        Duration.standardSeconds(options.getEarlyFiringSeconds()),
        Duration.standardMinutes(options.getAllowedLatenessMinutes()));
  }

  /**
   * Builds the graph from {@code source} to the sinks the options name; tests pass their own source
   * (a {@code TestStream}, or Kafka).
   */
  public static void buildPipeline(
      Pipeline pipeline,
      StreamingPipelineOptions options,
      PTransform<PBegin, PCollection<RawEvent>> source) {
    OptionsValidator.validateIngest(options);
    OptionsValidator.validateStreaming(options, options, options, options);
    org.apache.beam.sdk.io.FileSystems.setDefaultPipelineOptions(options);
    MetricConfig metrics = MetricSettings.configure(options, windowPolicy(options));

    // 1. Read the raw records.
    PCollection<RawEvent> raw = pipeline.apply("ReadKafka", source);

    // 2. The archive: every record as received.
    if (options.getWriteArchive()) {
      raw.apply(
          "WriteArchive",
          ArchiveSink.to(
              options.getArchiveRoot(),
              Duration.standardMinutes(options.getArchiveWindowMinutes()),
              options.getArchiveShards(),
              Duration.standardMinutes(options.getArchiveAllowedLatenessMinutes()),
              Duration.standardSeconds(options.getArchiveFlushSeconds())));
    }
    if (!options.getWriteMetrics()) {
      return;
    }

    // 3. Parse, deduplicate, enrich and every metric of the catalog: the same code as the batch
    //    layer.
    AnalyzeEvents.Result analyzed =
        raw.apply("Analyze", AnalyzeEvents.of(IngestSettings.configure(options), MetricCatalog.all(), metrics));
    PCollection<Event> events = analyzed.events();
    PCollectionRowTuple outputs = analyzed.metrics();

    // 4. Dead letters to their topic: the records refused, and the events a step threw on.
    if (!isBlank(options.getDeadLetterTopic())) {
      analyzed
          .deadLetters()
          .apply(
              "DeadLettersToKafka",
              KafkaSinks.deadLetters(options.getBootstrapServers(), options.getDeadLetterTopic()));
      analyzed
          .stepFailures()
          .apply(
              "StepFailuresToKafka",
              KafkaSinks.deadLetters(options.getBootstrapServers(), options.getDeadLetterTopic()));
    }

    // 5. Absolute values into Redis and the real-time topics.
    if (!isBlank(options.getRedisUri())) {
      RedisSink.Target redis =
          RedisSink.Target.of(
              options.getRedisUri(),
              Duration.standardHours(options.getRedisTtlHours()).getStandardSeconds(),
              Duration.standardDays(options.getRedisDailyTtlDays()).getStandardSeconds());
      for (MetricDefinition metric : MetricCatalog.all()) {
        PCollection<Row> rows = outputs.get(metric.name());
        String step = ApplyMetricCatalog.stepName(metric.name());
        if (metric.name().equals(SESSIONS_METRIC)) {
          rows.apply(step + "ToRedis", RedisSink.sessions(redis));
        } else {
          rows.apply(step + "ToRedis", RedisSink.metricRows(metric, redis));
        }
        if (metric.name().equals(ALERT_METRIC)) {
          rows.apply("AlertsToRedisStream", RedisSink.alerts(metric.keyColumns(), redis));
        }
      }
      events.apply("DistinctUsersToRedis", RedisSink.distinctUsers(redis));
    }
    if (!isBlank(options.getRollupTopic())) {
      outputs
          .get(ROLLUP_METRIC)
          .apply(
              "RollupsToKafka",
              KafkaSinks.metricRows(
                  options.getBootstrapServers(),
                  options.getRollupTopic(),
                  MetricCatalog.named(ROLLUP_METRIC).keyColumns(),
                  null));
    }
    if (!isBlank(options.getAlertTopic())) {
      outputs
          .get(ALERT_METRIC)
          .apply(
              "AlertsToKafka",
              KafkaSinks.metricRows(
                  options.getBootstrapServers(),
                  options.getAlertTopic(),
                  MetricCatalog.named(ALERT_METRIC).keyColumns(),
                  "alert_id"));
    }
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }
}
