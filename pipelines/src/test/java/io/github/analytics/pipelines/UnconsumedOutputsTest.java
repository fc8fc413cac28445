package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.junit.jupiter.api.Test;

/**
 * A step with two outputs of one type, only the main one read, on Spark {@code local[1]}: what the
 * main output's reader sees with and without {@link UnconsumedOutputs}.
 */
class UnconsumedOutputsTest {
  private static final TupleTag<String> GOOD = new TupleTag<>("good") {};
  private static final TupleTag<String> BAD = new TupleTag<>("bad") {};

  @Test
  void theMainOutputHoldsOnlyItsOwnRecords() {
    Pipeline pipeline = Pipeline.create(spark());
    PAssert.that(good(pipeline)).containsInAnyOrder("a", "b");
    assertEquals(1, UnconsumedOutputs.readAllOnSpark(pipeline).size());
    assertEquals(PipelineResult.State.DONE, pipeline.run().waitUntilFinish());
  }

  /**
   * Why the guard exists: Beam's Spark runner hands an unread output's records to the main output.
   * When this fails after a Beam upgrade, the runner filters again and the guard can go.
   */
  @Test
  void withoutItSparkHandsTheUnreadOutputToTheMainOne() {
    Pipeline pipeline = Pipeline.create(spark());
    PAssert.that(good(pipeline)).containsInAnyOrder("a", "b", "bad-1");
    assertEquals(PipelineResult.State.DONE, pipeline.run().waitUntilFinish());
  }

  @Test
  void otherRunnersAreLeftAlone() {
    PipelineOptions options = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create();
    Pipeline pipeline = Pipeline.create(options);
    PAssert.that(good(pipeline)).containsInAnyOrder("a", "b");
    assertEquals(List.of(), UnconsumedOutputs.readAllOnSpark(pipeline));
    // What it would read on Spark: the dead end, not the main output that PAssert reads.
    assertEquals(List.of("Split.bad"), UnconsumedOutputs.readAll(pipeline));
    assertEquals(PipelineResult.State.DONE, pipeline.run().waitUntilFinish());
  }

  private static PipelineOptions spark() {
    return PipelineOptionsFactory.fromArgs("--runner=SparkRunner", "--sparkMaster=local[1]").create();
  }

  /** The main output of a split of "a", "bad-1", "b", whose other output nothing reads. */
  private static PCollection<String> good(Pipeline pipeline) {
    PCollectionTuple split = pipeline.apply("Create", Create.of("a", "bad-1", "b"))
        .apply("Split", ParDo.of(new SplitFn()).withOutputTags(GOOD, TupleTagList.of(BAD)));
    return split.get(GOOD);
  }

  private static final class SplitFn extends DoFn<String, String> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element String value, MultiOutputReceiver out) {
      out.get(value.startsWith("bad") ? BAD : GOOD).output(value);
    }
  }
}
