package io.github.analytics.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    List<String> effective = FlinkDefaults.batch(List.of("--runner=FlinkRunner"));
    assertEquals(
        List.of("--runner=FlinkRunner", "--objectReuse=true", "--useDataStreamForBatch=true"),
        effective);
    FlinkPipelineOptions options = PipelineOptionsFactory.fromArgs(effective.toArray(String[]::new))
        .as(FlinkPipelineOptions.class);
    assertTrue(options.getObjectReuse());
    assertTrue(options.getUseDataStreamForBatch());
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
        List.of("--runner=FlinkRunner", "--objectReuse=false", "--useDataStreamForBatch=false"))) {
      assertEquals(args, FlinkDefaults.batch(args), args.toString());
    }
    assertEquals(
        List.of("--runner=FlinkRunner", "--useDataStreamForBatch=false", "--objectReuse=true"),
        FlinkDefaults.batch(List.of("--runner=FlinkRunner", "--useDataStreamForBatch=false")));
  }
}
