package io.github.analytics.bench;

import io.github.analytics.bench.streaming.FrameworkFloor;
import io.github.analytics.bench.streaming.FrameworkFloor.Shape;
import io.github.analytics.pipelines.BatchPipeline;
import io.github.analytics.pipelines.BatchPipelineOptions;
import io.github.analytics.pipelines.UnconsumedOutputs;
import io.github.analytics.pipelines.options.IngestSettings;
import io.github.analytics.schemas.RawEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.values.PCollection;

/**
 * The batch job cut down to its first steps and built up again, over the same archive day, options
 * and runner as the batch section's pipeline: what reading (with building and starting the job),
 * parsing, the shuffle by user, the per-user stage, enrichment and the catalog's metrics each add.
 * Each shape is timed like the pipeline, from building the job until it finished, and counts what
 * reached its end, which must be every record (up to the shuffle) or every unique valid event (after
 * the per-user stage). They run after the pipeline, in a warm JVM: compare them with its second run.
 * The shapes are {@link FrameworkFloor}'s, over the archive instead of Kafka.
 */
final class BatchFloor {
  private BatchFloor() {}

  /** One shape's run: what it is, what reached its end, and its time. */
  record Run(String description, long reached, double seconds) {}

  /**
   * Runs every shape with the options that {@code options} builds afresh for each (the batch
   * pipeline's own, on one runner), over the archive days they name.
   */
  static List<Run> runAll(Supplier<BatchPipelineOptions> options, long records) {
    List<Run> runs = new ArrayList<>();
    long unique = -1;
    for (Shape shape : Shape.values()) {
      String description = shape == Shape.READ ? "read the archive, count" : shape.description();
      Run run = run(description, options, pipeline -> {
        BatchPipelineOptions o = pipeline.getOptions().as(BatchPipelineOptions.class);
        PCollection<RawEvent> raw = pipeline.apply("ReadArchive", BatchPipeline.source(o));
        FrameworkFloor.build(shape, raw, IngestSettings.configure(o), BatchPipeline.metrics(o));
      }, FrameworkFloor.countsRecords(shape) ? records : unique);
      if (!FrameworkFloor.countsRecords(shape) && unique < 0) {
        unique = run.reached();
      }
      runs.add(run);
    }
    return runs;
  }

  /**
   * Builds and runs one job to its end; fails unless {@code expected} elements reached its end (any
   * positive number up to every record when {@code expected} is negative).
   */
  private static Run run(String description, Supplier<BatchPipelineOptions> options,
      Consumer<Pipeline> steps, long expected) {
    long started = System.nanoTime();
    Pipeline pipeline = Pipeline.create(options.get());
    steps.accept(pipeline);
    UnconsumedOutputs.guardOnSpark(pipeline);
    FrameworkFloor.resetReached();
    PipelineResult.State state = pipeline.run().waitUntilFinish();
    double seconds = (System.nanoTime() - started) / 1e9;
    long reached = FrameworkFloor.reached();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("The cut-down batch job (" + description + ") ended " + state
          + ": see the log above");
    }
    if (expected >= 0 ? reached != expected : reached <= 0) {
      throw new IllegalStateException(String.format(
          "The cut-down batch job (%s) counted %,d elements at its end, expected %s: a step lost or"
              + " repeated input; this is a bug, not a benchmark result",
          description, reached, expected >= 0 ? String.format("%,d", expected) : "some"));
    }
    return new Run(description, reached, seconds);
  }
}
