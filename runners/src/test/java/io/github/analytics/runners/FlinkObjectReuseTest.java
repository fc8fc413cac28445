package io.github.analytics.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class FlinkObjectReuseTest {
  @Test
  void aFlinkJobGetsObjectReuseNotFasterCopyAndBeamReadsIt() {
    List<String> args = List.of("--runner=FlinkRunner", "--flinkMaster=[local]");
    List<String> effective = FlinkObjectReuse.withObjectReuse(args);
    assertEquals(
        List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--objectReuse=true"), effective);
    FlinkPipelineOptions options = PipelineOptionsFactory.fromArgs(effective.toArray(String[]::new))
        .as(FlinkPipelineOptions.class);
    assertTrue(options.getObjectReuse());
    // fasterCopy would let heap snapshots share accumulators the task changes in place.
    assertFalse(options.getFasterCopy());
  }

  @Test
  void otherRunnersAndAnExplicitChoiceAreLeftAsGiven() {
    for (List<String> args : List.of(
        List.of("--runner=DirectRunner"),
        List.of("--runner=SparkRunner"),
        List.<String>of(),
        List.of("--runner=FlinkRunner", "--objectReuse=false"),
        List.of("--runner=FlinkRunner", "--fasterCopy=true"))) {
      assertEquals(args, FlinkObjectReuse.withObjectReuse(args), args.toString());
    }
  }
}
