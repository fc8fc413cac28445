package io.github.analytics.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class FlinkFasterCopyTest {
  @Test
  void aFlinkJobGetsFasterCopyAndBeamReadsIt() {
    List<String> args = List.of("--runner=FlinkRunner", "--flinkMaster=[local]");
    List<String> effective = FlinkFasterCopy.withFasterCopy(args);
    assertEquals(
        List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--fasterCopy=true"), effective);
    FlinkPipelineOptions options = PipelineOptionsFactory.fromArgs(effective.toArray(String[]::new))
        .as(FlinkPipelineOptions.class);
    assertTrue(options.getFasterCopy());
  }

  @Test
  void otherRunnersAndAnExplicitChoiceAreLeftAsGiven() {
    for (List<String> args : List.of(
        List.of("--runner=DirectRunner"),
        List.of("--runner=SparkRunner"),
        List.<String>of(),
        List.of("--runner=FlinkRunner", "--fasterCopy=false"))) {
      assertEquals(args, FlinkFasterCopy.withFasterCopy(args), args.toString());
    }
  }
}
