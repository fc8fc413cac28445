package io.github.analytics.transforms.metrics;

import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.StepFailures;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.TupleTag;

/**
 * A metric's code for one event, guarded against poison pills: an event on which {@link #process}
 * throws is left out of this step, counted ({@code dead_letter_STEP_FAILED}) and sent to the dead
 * letters ({@link StepFailures}); the bundle and the job go on. Apply it with {@link
 * MetricTransform#perEvent}, which routes the dead letters to the pipeline's.
 *
 * <p>What the step output for the event before it threw stays output. Subclasses may declare Beam's
 * lifecycle methods ({@code @Setup}, {@code @StartBundle}, ...), but not {@code @ProcessElement}.
 *
 * <pre>{@code
 * static final class KeyFn extends PerEventFn<KV<String, Long>> {
 *   protected void process(Event event, OutputReceiver<KV<String, Long>> out) {
 *     out.output(KV.of(event.getEventType(), 1L));
 *   }
 * }
 * PCollection<KV<String, Long>> keyed = perEvent(events, "Key", new KeyFn());
 * }</pre>
 *
 * @param <OutputT> what the step emits per event
 */
public abstract class PerEventFn<OutputT> extends DoFn<Event, OutputT> {
  private static final long serialVersionUID = 1L;

  /** Where the guard sends the dead letters of the events the step threw on. */
  static final TupleTag<DeadLetter> FAILURES = new TupleTag<>("stepFailures");

  /** The step's own output. */
  final TupleTag<OutputT> output = new TupleTag<>("output");

  private final Counter failed = StepFailures.counter();
  /** The step's name in dead letters, set when the step is applied. */
  String step = getClass().getSimpleName();

  /** What the step does with one event. */
  protected abstract void process(Event event, OutputReceiver<OutputT> out) throws Exception;

  @ProcessElement
  public final void processElement(@Element Event event, MultiOutputReceiver out) {
    try {
      process(event, out.get(output));
    } catch (Exception e) {
      failed.inc();
      out.get(FAILURES).output(StepFailures.deadLetter(event, step, e));
    }
  }
}
