package io.github.analytics.transforms.ingest;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.PipelineCounters;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Drops repeated events: of the events that share an {@code event_id}, the first to be processed is
 * kept and the others are counted as {@link PipelineCounters#DUPLICATES_DROPPED} and dropped. Client
 * SDKs retry, so repeats are normal; a retry carries the same {@code event_id} and client fields and
 * differs only in its arrival time.
 *
 * <p>An {@code event_id} is remembered for {@code horizon} of event time after the first copy's event
 * time, then forgotten, so state stays bounded on an unbounded stream: a copy whose event time is more
 * than the horizon after the first copy's is kept as a new event. In a bounded (batch) run the watermark
 * only advances at the end, so every copy within the run is caught; with retries that carry the
 * original event time, both layers drop the same copies.
 *
 * <p>Input: events in any windowing; they are re-windowed into the global window for the state, and the
 * output is in the global window with the input timestamps.
 *
 * <pre>{@code
 * PCollection<Event> unique = events.apply("DeduplicateEvents",
 *     DeduplicateEvents.within(Duration.standardHours(24)));
 * }</pre>
 */
public final class DeduplicateEvents extends PTransform<PCollection<Event>, PCollection<Event>> {
  private static final long serialVersionUID = 1L;

  /** Retries arrive within seconds to hours; a day bounds the state per key. */
  public static final Duration DEFAULT_HORIZON = Duration.standardHours(24);

  private final Duration horizon;

  private DeduplicateEvents(Duration horizon) {
    this.horizon = horizon;
  }

  /** Deduplicates within the default 24-hour horizon. */
  public static DeduplicateEvents of() {
    return within(DEFAULT_HORIZON);
  }

  /** Deduplicates within {@code horizon} of event time. */
  public static DeduplicateEvents within(Duration horizon) {
    return new DeduplicateEvents(horizon);
  }

  @Override
  public PCollection<Event> expand(PCollection<Event> input) {
    if (!horizon.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException(
          "DeduplicateEvents needs a positive horizon, got " + horizon + "; the default is 24 h");
    }
    return input
        .apply("IntoGlobalWindow", Window.<Event>into(new GlobalWindows()))
        .apply("KeyByEventId", WithKeys.of(Event::getEventId).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), input.getCoder()))
        .apply("KeepFirstCopy", ParDo.of(new KeepFirstFn(horizon)))
        .setCoder(input.getCoder());
  }

  /** Keeps the first event per key and remembers the key until the horizon passes. */
  static final class KeepFirstFn extends DoFn<KV<String, Event>, Event> {
    private static final long serialVersionUID = 1L;

    private final Duration horizon;
    private final Counter duplicates = PipelineCounters.counter(PipelineCounters.DUPLICATES_DROPPED);

    @StateId("seen")
    private final StateSpec<ValueState<Boolean>> seenSpec = StateSpecs.value(BooleanCoder.of());

    @TimerId("forget")
    private final TimerSpec forgetSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    KeepFirstFn(Duration horizon) {
      this.horizon = horizon;
    }

    @ProcessElement
    public void processElement(
        @Element KV<String, Event> element,
        @Timestamp Instant timestamp,
        @StateId("seen") ValueState<Boolean> seen,
        @TimerId("forget") Timer forget,
        OutputReceiver<Event> out) {
      if (seen.read() != null) {
        duplicates.inc();
        return;
      }
      seen.write(true);
      forget.set(timestamp.plus(horizon));
      out.output(element.getValue());
    }

    @OnTimer("forget")
    public void onForget(@StateId("seen") ValueState<Boolean> seen) {
      seen.clear();
    }
  }
}
