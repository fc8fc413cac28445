package io.github.analytics.transforms.metrics;

import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.StepFailures;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;

/**
 * A metric: a transform from its input (events, or another metric's rows) to rows of a fixed schema.
 * The schema is known before any pipeline is built, so warehouses can create tables from it and the
 * catalog test can pin it.
 *
 * <p>A metric's code for one event goes in a {@link PerEventFn} applied with {@link #perEvent}: an
 * event it throws on is a dead letter ({@code STEP_FAILED}), not a failed bundle, and the pipeline
 * that applies the catalog collects those dead letters from {@link #failures}.
 *
 * @param <InputT> {@link io.github.analytics.schemas.Event} for metrics over events, {@link Row} for
 *     metrics derived from another metric's output
 */
public abstract class MetricTransform<InputT>
    extends PTransform<PCollection<InputT>, PCollection<Row>> {
  private static final long serialVersionUID = 1L;

  /** The schema of every row this metric emits. */
  public abstract Schema outputSchema();

  /**
   * The columns whose values identify a row, the day column among them. Panes of the same window, and
   * replays, emit rows with the same key values: sinks write them as absolute values under that key,
   * so a later row replaces an earlier one and nothing is counted twice.
   */
  public abstract List<String> keyColumns();

  /** The steps' failures, gathered while the metric is applied (never serialized). */
  private transient @org.checkerframework.checker.nullness.qual.Nullable List<PCollection<DeadLetter>>
      failures;
  /** The name dead letters give the metric's steps; the class name unless the catalog names it. */
  private transient @org.checkerframework.checker.nullness.qual.Nullable String stepPrefix;

  /** Names the metric's steps {@code name/step} in dead letters (the catalog's step name). */
  public final MetricTransform<InputT> inDeadLettersAs(String name) {
    this.stepPrefix = name;
    return this;
  }

  /**
   * Applies {@code fn} to each event as step {@code name}, guarded: the events it throws on become
   * dead letters in {@link #failures}. Set the output's coder on the result.
   */
  protected final <OutputT> PCollection<OutputT> perEvent(
      PCollection<Event> events, String name, PerEventFn<OutputT> fn) {
    fn.step = (stepPrefix == null ? getClass().getSimpleName() : stepPrefix) + "/" + name;
    PCollectionTuple results =
        events.apply(name, ParDo.of(fn).withOutputTags(fn.output, TupleTagList.of(PerEventFn.FAILURES)));
    PCollection<DeadLetter> failed =
        results.get(PerEventFn.FAILURES).setCoder(StepFailures.coder(events.getPipeline()));
    if (!(failed.getWindowingStrategy().getWindowFn() instanceof GlobalWindows)
        || !(failed.getWindowingStrategy().getTrigger() instanceof DefaultTrigger)) {
      // Dead letters of every step are flattened together, in the global window with the default
      // trigger as the parser's: a step after a windowing with early or late firings must not bring
      // its trigger along (Flatten refuses inputs with different triggers).
      failed = failed.apply(name + "FailuresInGlobalWindow",
          Window.<DeadLetter>into(new GlobalWindows())
              .triggering(DefaultTrigger.of())
              .withAllowedLateness(Duration.ZERO)
              .discardingFiredPanes());
    }
    if (failures == null) {
      failures = new ArrayList<>();
    }
    failures.add(failed);
    return results.get(fn.output);
  }

  /** The dead letters of the events this metric's guarded steps threw on, once it is applied. */
  public final List<PCollection<DeadLetter>> failures() {
    return failures == null ? List.of() : List.copyOf(failures);
  }
}
