package io.github.analytics.pipelines;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Gives every unread output of a multi-output step a reader before the pipeline runs on Spark, where
 * an unread output would otherwise end up in its step's main output.
 *
 * <p>Beam's Spark runner (2.70, {@code TransformTranslator.parDo}) prunes the outputs of a {@code
 * ParDo} that nothing reads, so as not to persist the step for them. When only the main output is
 * left, it hands the step's whole result to that output without filtering it by tag. So the records
 * of the unread outputs reach the main output's readers: a {@code ClassCastException} when the types
 * differ, wrong results when they agree. Found by a cut-down bench job that read a parse step's events
 * and left its dead letters unread. A reader that drops what it reads keeps every output read, so the
 * runner filters each by its tag, as it does for every step of the production pipelines.
 */
public final class UnconsumedOutputs {
  private UnconsumedOutputs() {}

  /**
   * On a Spark runner, adds a step that drops what it reads to each output of a multi-output step
   * that no step reads; on other runners, nothing. Call it once the graph is complete, before {@code
   * run}. Returns the outputs it gave a reader.
   */
  public static List<String> readAllOnSpark(Pipeline pipeline) {
    String runner = pipeline.getOptions().getRunner().getName().toLowerCase(Locale.ROOT);
    if (!runner.contains("spark")) {
      return List.of();
    }
    return readAll(pipeline);
  }

  /** Adds a step that drops what it reads to each unread output of a multi-output step. */
  static List<String> readAll(Pipeline pipeline) {
    Set<PValue> read = new HashSet<>();
    List<PCollection<?>> outputs = new ArrayList<>();
    pipeline.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        read.addAll(node.getInputs().values());
        if (node.getOutputs().size() > 1) {
          for (Map.Entry<TupleTag<?>, PCollection<?>> output : node.getOutputs().entrySet()) {
            outputs.add(output.getValue());
          }
        }
      }
    });
    List<String> given = new ArrayList<>();
    for (PCollection<?> output : outputs) {
      if (!read.contains(output)) {
        output.apply("ReadUnconsumed " + output.getName(), ParDo.of(new DropFn<>()));
        given.add(output.getName());
      }
    }
    return given;
  }

  /** Reads and drops: what the pipeline leaves unread, on purpose. */
  private static final class DropFn<T> extends DoFn<T, Void> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process() {}
  }
}
