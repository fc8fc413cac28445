package io.github.analytics.runners.dataflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.pipelines.StreamingPipeline;
import io.github.analytics.pipelines.StreamingPipelineOptions;
import io.github.analytics.transforms.metrics.ApplyMetricCatalog;
import io.github.analytics.transforms.metrics.MetricCatalog;
import io.github.analytics.transforms.metrics.MetricDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming pipeline as Dataflow would receive it: built with its production Kafka source and
 * translated by {@code DataflowRunner} offline ({@link DataflowJobCheck}), once for the class.
 */
class StreamingJobOnDataflowTest {
  /**
   * Launch options as deploy/dataflow/launch.sh passes them, with a non-default value to trace.
   * Runner v2: on v1, Dataflow splits the Kafka source at submission, which asks the brokers for the
   * topic's partitions from the launching machine (here it timed out after a minute); on v2 workers
   * discover partitions, and the job is built without reaching Kafka.
   */
  static final List<String> LAUNCH_ARGS =
      List.of(
          "--runner=DataflowRunner",
          "--project=analytics-offline-check",
          "--region=europe-west1",
          "--tempLocation=gs://analytics-offline-check/tmp",
          "--jobName=analytics-stream",
          "--streaming",
          "--enableStreamingEngine",
          "--experiments=use_runner_v2",
          "--bootstrapServers=10.128.0.5:9092,10.128.0.6:9092",
          "--redisUri=redis://10.128.0.9:6379",
          "--archiveRoot=gs://analytics-offline-check/archive",
          "--earlyFiringSeconds=7");

  static TranslatedJob job;

  @BeforeAll
  @Timeout(value = 3, unit = TimeUnit.MINUTES) // a call that leaves the machine would hang for minutes
  static void translate(@TempDir Path dir) throws IOException {
    // The bundle stands in for the classpath, which the runner would otherwise hash jar by jar
    // (350 jars, most of this test's time); what is staged does not change the graph.
    Path bundle = Files.write(dir.resolve("analytics-dataflow-bundle.jar"), new byte[] {0});
    List<String> args = new ArrayList<>(LAUNCH_ARGS);
    args.add("--filesToStage=" + bundle);
    job = DataflowJobCheck.translate(streamingPipeline(args));
    System.out.println(job.summary());
  }

  static Pipeline streamingPipeline(List<String> args) {
    PipelineOptionsFactory.register(StreamingPipelineOptions.class);
    StreamingPipelineOptions options =
        PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
            .withValidation()
            .as(StreamingPipelineOptions.class);
    Pipeline pipeline = DataflowJobCheck.offlinePipeline(options);
    StreamingPipeline.buildPipeline(pipeline, options, StreamingPipeline.source(options));
    return pipeline;
  }

  @Test
  void isAStreamingJobOnStreamingEngine() {
    assertTrue(job.isStreaming(), "job type " + job.job().getType());
    assertTrue(
        job.experiments().containsAll(List.of("enable_streaming_engine", "use_runner_v2")),
        "experiments " + job.experiments());
    assertEquals("analytics-stream", job.job().getName());
    assertTrue(job.runsOnRunnerV2(), "experiments " + job.experiments());
  }

  @Test
  void everyMetricOfTheCatalogHasItsStepsAndItsRedisSink() {
    List<String> missing = new ArrayList<>();
    for (MetricDefinition metric : MetricCatalog.all()) {
      String step = ApplyMetricCatalog.stepName(metric.name());
      for (String path : List.of("Analyze/" + step, step + "ToRedis")) {
        if (job.stepsUnder(path).isEmpty()) {
          missing.add(path);
        }
      }
    }
    assertEquals(List.of(), missing, "metric steps missing from the Dataflow job");
  }

  @Test
  void everySourceAndSinkIsInTheJob() {
    List<String> missing = new ArrayList<>();
    for (String path :
        List.of(
            "ReadKafka",
            "WriteArchive",
            "Analyze/ParseEvents",
            "Analyze/PerUser",
            "Analyze/EnrichEvents",
            "DeadLettersToKafka",
            "DistinctUsersToRedis",
            "AlertsToRedisStream",
            "RollupsToKafka",
            "AlertsToKafka")) {
      if (job.stepsUnder(path).isEmpty()) {
        missing.add(path);
      }
    }
    assertEquals(List.of(), missing, "steps missing from the Dataflow job");
  }

  @Test
  void theCreateJobRequestStaysUnderDataflowsLimit() {
    assertTrue(
        job.requestBytes() > 0 && job.requestBytes() < TranslatedJob.CREATE_JOB_REQUEST_LIMIT_BYTES,
        "create-job request of " + job.requestBytes() + " bytes");
    assertTrue(job.pipelineProtoBytes() > 0, "no portable pipeline proto was staged");
    assertEquals(1, job.stagedFiles(), "the bundle is the only file to stage");
  }

  @Test
  void dataflowReceivesTheProjectsOptions() {
    Map<String, Object> options = job.pipelineOptions();
    assertEquals("10.128.0.5:9092,10.128.0.6:9092", options.get("bootstrapServers"));
    assertEquals("redis://10.128.0.9:6379", options.get("redisUri"));
    assertEquals("gs://analytics-offline-check/archive", options.get("archiveRoot"));
    assertEquals("events", options.get("inputTopic"));
    assertEquals(7, ((Number) options.get("earlyFiringSeconds")).intValue());
    assertEquals(Boolean.TRUE, options.get("streaming"));
    assertEquals("analytics-offline-check", options.get("project"));
    assertEquals("europe-west1", options.get("region"));
  }

  @Test
  void theRunnerCalledNothingButCreateJob() {
    assertEquals(List.of(), job.unexpectedCalls());
  }

  @Test
  void optionsDataflowWouldRefuseAreNamedBeforeTheRunnerStarts() {
    List<String> args = new ArrayList<>(LAUNCH_ARGS);
    args.removeIf(a -> a.startsWith("--tempLocation=") || a.startsWith("--region="));
    args.add("--tempLocation=/tmp/analytics");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> streamingPipeline(args));
    assertTrue(e.getMessage().contains("--region is unset"), e.getMessage());
    assertTrue(e.getMessage().contains("gs://my-bucket"), e.getMessage());
    assertFalse(e.getMessage().contains("--runner"), e.getMessage());
  }
}
