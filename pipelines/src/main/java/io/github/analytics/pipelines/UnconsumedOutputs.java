package io.github.analytics.pipelines;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Gives every unread output of a multi-output step a reader before the pipeline runs on Spark, where
 * Beam's runner mishandles the records of unread outputs.
 *
 * <p>Beam's Spark runner (2.70, {@code TransformTranslator.parDo}) prunes the outputs of a {@code
 * ParDo} that nothing reads, so as not to persist the step for them, but the step still writes to
 * them:
 *
 * <ul>
 *   <li>When only the main output is left, the runner hands it the step's whole result without
 *       filtering it by tag: the records of the unread outputs reach the main output's readers (a
 *       {@code ClassCastException} when the types differ, wrong results when they agree). Found by a
 *       cut-down bench job that read a parse step's events and left its dead letters unread.
 *   <li>When two or more are left, the runner persists the result, encoding each record with its
 *       output's coder at a storage level that serializes, such as the {@code DISK_ONLY} the CLI sets:
 *       a pruned output has no coder, and its first record fails the job with a {@code
 *       NullPointerException} (apache/beam#37994, fixed after 2.70). Found by the same bench with the
 *       per-user stage's events read and its metric outputs unread.
 * </ul>
 *
 * <p>A reader that drops what it reads keeps every output: the runner persists and filters them all,
 * as it does for the steps of the production pipelines. An unread output of Beam's {@link BadRecord}s
 * is left alone: its step has the throwing router, which never writes to it. Beam's file writes have
 * 36 such outputs in the batch pipeline, and a reader on each would cost a Spark job each.
 */
public final class UnconsumedOutputs {
  private UnconsumedOutputs() {}

  /**
   * On a Spark runner, gives every unread output of a multi-output step a step that drops what it
   * reads (see {@link #guard}); on other runners, nothing. Call it once the graph is complete, before
   * {@code run}. Returns the outputs it gave a reader.
   */
  public static List<String> guardOnSpark(Pipeline pipeline) {
    String runner = pipeline.getOptions().getRunner().getName().toLowerCase(Locale.ROOT);
    if (!runner.contains("spark")) {
      return List.of();
    }
    return guard(pipeline);
  }

  /**
   * Gives every unread output of a multi-output {@code ParDo}, except Beam's never-written {@link
   * BadRecord} outputs, a step that drops what it reads.
   */
  static List<String> guard(Pipeline pipeline) {
    Set<PValue> read = new HashSet<>();
    List<PCollection<?>> outputs = new ArrayList<>();
    pipeline.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        read.addAll(node.getInputs().values());
        if (node.getTransform() instanceof ParDo.MultiOutput<?, ?> && node.getOutputs().size() > 1) {
          for (Map.Entry<TupleTag<?>, PCollection<?>> output : node.getOutputs().entrySet()) {
            outputs.add(output.getValue());
          }
        }
      }
    });
    List<String> given = new ArrayList<>();
    for (PCollection<?> output : outputs) {
      if (!read.contains(output) && !holdsBadRecords(output)) {
        output.apply("ReadUnconsumed " + output.getName(), ParDo.of(new DropFn<>()));
        given.add(output.getName());
      }
    }
    return given;
  }

  private static boolean holdsBadRecords(PCollection<?> output) {
    return output.getCoder() instanceof SchemaCoder<?> coder
        && BadRecord.class.equals(coder.getEncodedTypeDescriptor().getRawType());
  }

  /** Reads and drops: what the pipeline leaves unread, on purpose. */
  private static final class DropFn<T> extends DoFn<T, Void> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process() {}
  }
}
