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
 * Keeps Beam's Spark runner from handing the records of a step's unread outputs to its main output,
 * by giving one of them a reader before the pipeline runs.
 *
 * <p>Beam's Spark runner (2.70, {@code TransformTranslator.parDo}) prunes the outputs of a {@code
 * ParDo} that nothing reads, so as not to persist the step for them. When only the main output is
 * left, it hands the step's whole result to that output without filtering it by tag. So the records
 * of the unread outputs reach the main output's readers: a {@code ClassCastException} when the types
 * differ, wrong results when they agree. Found by a cut-down bench job that read a parse step's events
 * and left its dead letters unread. A reader that drops what it reads on one more output keeps two
 * outputs, so the runner filters each by its tag.
 */
public final class UnconsumedOutputs {
  private UnconsumedOutputs() {}

  /**
   * On a Spark runner, gives an unread output of each multi-output step that needs one a step that
   * drops what it reads (see {@link #guard}); on other runners, nothing. Call it once the graph is
   * complete, before {@code run}. Returns the outputs it gave a reader.
   */
  public static List<String> guardOnSpark(Pipeline pipeline) {
    String runner = pipeline.getOptions().getRunner().getName().toLowerCase(Locale.ROOT);
    if (!runner.contains("spark")) {
      return List.of();
    }
    return guard(pipeline);
  }

  /**
   * Adds a step that drops what it reads to one unread output of each multi-output step whose main
   * output is read and whose other outputs are all unread: with two outputs left, the runner filters
   * each by its tag, and drops the outputs still unread. An unread output of Beam's {@link BadRecord}s
   * is left alone: its step has the throwing router, which never writes to it (Beam's file writes
   * have 36 such outputs in the batch pipeline, and a reader on each would cost a Spark job each).
   */
  static List<String> guard(Pipeline pipeline) {
    Set<PValue> read = new HashSet<>();
    List<TransformHierarchy.Node> steps = new ArrayList<>();
    pipeline.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        read.addAll(node.getInputs().values());
        if (node.getTransform() instanceof ParDo.MultiOutput<?, ?> && node.getOutputs().size() > 1) {
          steps.add(node);
        }
      }
    });
    List<String> given = new ArrayList<>();
    for (TransformHierarchy.Node step : steps) {
      TupleTag<?> main = ((ParDo.MultiOutput<?, ?>) step.getTransform()).getMainOutputTag();
      PCollection<?> mainOutput = step.getOutputs().get(main);
      if (mainOutput == null || !read.contains(mainOutput)) {
        continue;
      }
      List<PCollection<?>> unread = new ArrayList<>();
      boolean anotherRead = false;
      for (Map.Entry<TupleTag<?>, PCollection<?>> output : step.getOutputs().entrySet()) {
        if (output.getKey().equals(main)) {
          continue;
        }
        if (read.contains(output.getValue())) {
          anotherRead = true;
        } else if (!holdsBadRecords(output.getValue())) {
          unread.add(output.getValue());
        }
      }
      if (!anotherRead && !unread.isEmpty()) {
        PCollection<?> output = unread.get(0);
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
