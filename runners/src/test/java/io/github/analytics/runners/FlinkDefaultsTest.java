package io.github.analytics.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class FlinkDefaultsTest {
  @Test
  void aFlinkJobGetsObjectReuseNotFasterCopyAndBeamReadsIt() {
    List<String> args = List.of("--runner=FlinkRunner", "--flinkMaster=[local]");
    List<String> effective = FlinkDefaults.streaming(args);
    assertEquals(
        List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--objectReuse=true"), effective);
    FlinkPipelineOptions options = PipelineOptionsFactory.fromArgs(effective.toArray(String[]::new))
        .as(FlinkPipelineOptions.class);
    assertTrue(options.getObjectReuse());
    // fasterCopy would let heap snapshots share accumulators the task changes in place.
    assertFalse(options.getFasterCopy());
    assertFalse(options.getUseDataStreamForBatch());
  }

  @Test
  void aFlinkBatchJobAlsoGetsTheDataStreamTranslationAndBeamReadsIt() {
    // On a cluster: the cluster's Flink configuration is its own.
    List<String> effective =
        FlinkDefaults.batch(List.of("--runner=FlinkRunner", "--flinkMaster=flink-jobmanager:8081"));
    assertEquals(
        List.of("--runner=FlinkRunner", "--flinkMaster=flink-jobmanager:8081", "--objectReuse=true",
            "--useDataStreamForBatch=true"),
        effective);
    FlinkPipelineOptions options = PipelineOptionsFactory.fromArgs(effective.toArray(String[]::new))
        .as(FlinkPipelineOptions.class);
    assertTrue(options.getObjectReuse());
    assertTrue(options.getUseDataStreamForBatch());
  }

  @Test
  void anEmbeddedFlinkBatchJobAlsoGetsAFlinkConfigurationAndBeamReadsIt() {
    assumeTrue(System.getenv("FLINK_CONF_DIR") == null, "FLINK_CONF_DIR chooses the configuration");
    List<String> effective = FlinkDefaults.batch(List.of("--runner=FlinkRunner"));
    assertEquals(
        List.of("--runner=FlinkRunner", "--objectReuse=true", "--useDataStreamForBatch=true"),
        effective.subList(0, 3));
    assertEquals(4, effective.size(), effective::toString);
    FlinkPipelineOptions options = PipelineOptionsFactory.fromArgs(effective.toArray(String[]::new))
        .as(FlinkPipelineOptions.class);
    // FlinkBatchSettingsTest checks the directory's file and what Flink does with it.
    assertTrue(Files.isRegularFile(Path.of(options.getFlinkConfDir(), "config.yaml")));
  }

  @Test
  void otherRunnersAndAnExplicitChoiceAreLeftAsGiven() {
    for (List<String> args : List.of(
        List.of("--runner=DirectRunner"),
        List.of("--runner=SparkRunner"),
        List.<String>of(),
        List.of("--runner=FlinkRunner", "--objectReuse=false"),
        List.of("--runner=FlinkRunner", "--fasterCopy=true"))) {
      assertEquals(args, FlinkDefaults.streaming(args), args.toString());
    }
    for (List<String> args : List.of(
        List.of("--runner=DirectRunner"),
        List.of("--runner=SparkRunner"),
        List.<String>of(),
        List.of("--runner=FlinkRunner", "--objectReuse=false", "--useDataStreamForBatch=false",
            "--flinkConfDir=/etc/flink"))) {
      assertEquals(args, FlinkDefaults.batch(args), args.toString());
    }
    assertEquals(
        List.of("--runner=FlinkRunner", "--flinkConfDir=/etc/flink", "--useDataStreamForBatch=false",
            "--objectReuse=true"),
        FlinkDefaults.batch(List.of("--runner=FlinkRunner", "--flinkConfDir=/etc/flink",
            "--useDataStreamForBatch=false")));
  }
}
