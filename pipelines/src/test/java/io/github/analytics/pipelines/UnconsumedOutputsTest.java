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
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
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
  /** Never written: Beam's own steps with the throwing router have such an output. */
  private static final TupleTag<BadRecord> BAD_RECORDS = new TupleTag<>("badRecords") {};

  @Test
  void theMainOutputHoldsOnlyItsOwnRecords() {
    Pipeline pipeline = Pipeline.create(spark());
    PAssert.that(good(pipeline)).containsInAnyOrder("a", "b");
    assertEquals(1, UnconsumedOutputs.guardOnSpark(pipeline).size());
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
    assertEquals(List.of(), UnconsumedOutputs.guardOnSpark(pipeline));
    // What it would read on Spark: the dead end, not the main output that PAssert reads.
    assertEquals(List.of("Split.bad"), UnconsumedOutputs.guard(pipeline));
    assertEquals(PipelineResult.State.DONE, pipeline.run().waitUntilFinish());
  }

  @Test
  void aStepWithAnotherOutputReadOrOnlyBadRecordsUnreadNeedsNoReader() {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple split = pipeline.apply("Create", Create.of("a", "bad-1", "b"))
        .apply("Split", ParDo.of(new SplitFn())
            .withOutputTags(GOOD, TupleTagList.of(BAD).and(BAD_RECORDS)));
    split.get(BAD_RECORDS).setCoder(BadRecord.getCoder(pipeline));
    PAssert.that(split.get(GOOD)).containsInAnyOrder("a", "b");
    PAssert.that(split.get(BAD)).containsInAnyOrder("bad-1");
    assertEquals(List.of(), UnconsumedOutputs.guard(pipeline));

    Pipeline badRecordsOnly = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple written = badRecordsOnly.apply("Create", Create.of("a"))
        .apply("Write", ParDo.of(new SplitFn()).withOutputTags(GOOD, TupleTagList.of(BAD_RECORDS)));
    written.get(BAD_RECORDS).setCoder(BadRecord.getCoder(badRecordsOnly));
    PAssert.that(written.get(GOOD)).containsInAnyOrder("a");
    assertEquals(List.of(), UnconsumedOutputs.guard(badRecordsOnly));
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
