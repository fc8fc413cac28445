package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Steps whose outputs are all strings, some of them unread, on Spark {@code local[1]} with the CLI's
 * storage level: what the read outputs' readers see with and without {@link UnconsumedOutputs}.
 */
class UnconsumedOutputsTest {
  private static final TupleTag<String> GOOD = new TupleTag<>("good") {};
  private static final TupleTag<String> BAD = new TupleTag<>("bad") {};
  private static final TupleTag<String> UGLY = new TupleTag<>("ugly") {};
  /** Never written: Beam's own steps with the throwing router have such an output. */
  private static final TupleTag<BadRecord> BAD_RECORDS = new TupleTag<>("badRecords") {};

  @Test
  void eachReadOutputHoldsOnlyItsOwnRecords() {
    Pipeline pipeline = Pipeline.create(spark());
    PAssert.that(split(pipeline, false).get(GOOD)).containsInAnyOrder("a", "b");
    assertEquals(1, UnconsumedOutputs.guardOnSpark(pipeline).size());
    assertEquals(PipelineResult.State.DONE, pipeline.run().waitUntilFinish());

    Pipeline three = Pipeline.create(spark());
    PCollectionTuple outputs = split(three, true);
    PAssert.that(outputs.get(GOOD)).containsInAnyOrder("a", "b");
    PAssert.that(outputs.get(BAD)).containsInAnyOrder("bad-1");
    assertEquals(1, UnconsumedOutputs.guardOnSpark(three).size());
    assertEquals(PipelineResult.State.DONE, three.run().waitUntilFinish());
  }

  /**
   * Why the guard exists: with only the main output read, Beam's Spark runner hands it the unread
   * output's records. When this fails after a Beam upgrade, the runner filters again.
   */
  @Test
  void withoutItSparkHandsTheUnreadOutputToTheMainOne() {
    Pipeline pipeline = Pipeline.create(spark());
    PAssert.that(split(pipeline, false).get(GOOD)).containsInAnyOrder("a", "b", "bad-1", "ugly-1");
    assertEquals(PipelineResult.State.DONE, pipeline.run().waitUntilFinish());
  }

  /**
   * And with two outputs read and a third unread but written, the runner's persisting on disk finds
   * no coder for the third (apache/beam#37994). When this fails after a Beam upgrade, that is fixed.
   */
  @Test
  void withoutItSparkFailsOnAnUnreadOutputWhenTwoAreRead() {
    Pipeline pipeline = Pipeline.create(spark());
    PCollectionTuple outputs = split(pipeline, true);
    PAssert.that(outputs.get(GOOD)).containsInAnyOrder("a", "b");
    PAssert.that(outputs.get(BAD)).containsInAnyOrder("bad-1");
    Exception e = assertThrows(Exception.class, () -> pipeline.run().waitUntilFinish());
    assertTrue(String.valueOf(e).contains("NullPointerException"), String.valueOf(e));
  }

  @Test
  void otherRunnersAndNeverWrittenBadRecordsAreLeftAlone() {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    PAssert.that(split(pipeline, false).get(GOOD)).containsInAnyOrder("a", "b");
    assertEquals(List.of(), UnconsumedOutputs.guardOnSpark(pipeline));
    // What it would read on Spark: the unread output, not the main one that PAssert reads.
    assertEquals(List.of("Split.bad"), UnconsumedOutputs.guard(pipeline));
    assertEquals(PipelineResult.State.DONE, pipeline.run().waitUntilFinish());

    Pipeline badRecords = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple written = badRecords.apply("Create", Create.of("a"))
        .apply("Write", ParDo.of(new SplitFn()).withOutputTags(GOOD, TupleTagList.of(BAD_RECORDS)));
    written.get(BAD_RECORDS).setCoder(BadRecord.getCoder(badRecords));
    PAssert.that(written.get(GOOD)).containsInAnyOrder("a");
    assertEquals(List.of(), UnconsumedOutputs.guard(badRecords));
  }

  private static PipelineOptions spark() {
    return PipelineOptionsFactory.fromArgs(
        "--runner=SparkRunner", "--sparkMaster=local[1]", "--storageLevel=DISK_ONLY").create();
  }

  /**
   * "a", "bad-1", "b", "ugly-1" split by prefix into good, bad and (with {@code ugly}) ugly
   * outputs; with two outputs the ugly records go to the bad one. The last output is left unread.
   */
  private static PCollectionTuple split(Pipeline pipeline, boolean ugly) {
    TupleTagList others = ugly ? TupleTagList.of(BAD).and(UGLY) : TupleTagList.of(BAD);
    return pipeline.apply("Create", Create.of("a", "bad-1", "b", "ugly-1"))
        .apply("Split", ParDo.of(new SplitFn(ugly)).withOutputTags(GOOD, others));
  }

  private static final class SplitFn extends DoFn<String, String> {
    private static final long serialVersionUID = 1L;
    private final boolean ugly;

    SplitFn() {
      this(false);
    }

    SplitFn(boolean ugly) {
      this.ugly = ugly;
    }

    @ProcessElement
    public void process(@Element String value, MultiOutputReceiver out) {
      if (value.startsWith("ugly")) {
        out.get(ugly ? UGLY : BAD).output(value);
      } else {
        out.get(value.startsWith("bad") ? BAD : GOOD).output(value);
      }
    }
  }
}
