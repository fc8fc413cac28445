package io.github.analytics.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.beam.runners.spark.SparkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class SparkDefaultsTest {
  @Test
  void aSparkBatchJobCachesItsStepsOnDiskAndBeamReadsIt() {
    List<String> effective = SparkDefaults.batch(List.of("--runner=SparkRunner", "--sparkMaster=local[2]"));
    assertEquals(
        List.of("--runner=SparkRunner", "--sparkMaster=local[2]", "--storageLevel=DISK_ONLY"),
        effective);
    SparkPipelineOptions options = PipelineOptionsFactory.fromArgs(effective.toArray(String[]::new))
        .as(SparkPipelineOptions.class);
    assertEquals("DISK_ONLY", options.getStorageLevel());
    // Beam's own default, which drops what does not fit and computes it again.
    assertEquals("MEMORY_ONLY", PipelineOptionsFactory.fromArgs("--runner=SparkRunner")
        .as(SparkPipelineOptions.class).getStorageLevel());
  }

  @Test
  void theRunnerIsRecognisedAsBeamSpellsIt() {
    for (String runner : List.of("--runner=SparkRunner", "--runner=sparkrunner", "--runner=spark",
        "--runner=org.apache.beam.runners.spark.SparkRunner")) {
      assertEquals(List.of(runner, "--storageLevel=DISK_ONLY"), SparkDefaults.batch(List.of(runner)), runner);
    }
  }

  @Test
  void otherRunnersAndAnExplicitChoiceAreLeftAsGiven() {
    for (List<String> args : List.of(
        List.of("--runner=FlinkRunner"),
        List.of("--runner=DirectRunner"),
        List.<String>of(),
        List.of("--runner=SparkRunner", "--storageLevel=MEMORY_ONLY"))) {
      assertEquals(args, SparkDefaults.batch(args), args.toString());
    }
  }
}
