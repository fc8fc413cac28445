package io.github.analytics.transforms.users;

import io.github.analytics.transforms.AnySkew;
import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.PipelineCounters;
import io.github.analytics.transforms.StepFailures;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * What the two stateful steps of {@link UserStage} share: the metrics, their outputs and the typed
 * calls into them. {@link UserStageFn} runs an unbounded input event by event, {@link
 * BoundedUserStageFn} a bounded one user by user; each declares only the state it uses, since Beam's
 * Flink runner binds every declared state parameter again for every element. {@code InputT} is how an
 * event crosses the shuffle by user: itself on a stream, its encoded bytes on a bounded input (see
 * {@link BoundedUserStageFn}).
 */
abstract class UserMetricsFn<InputT> extends DoFn<KV<String, InputT>, Event> {
  private static final long serialVersionUID = 1L;

  /** Orders the copies of an event: earliest event time, then arrival, then server timestamp. */
  static final Comparator<Event> EARLIEST_COPY =
      Comparator.comparing(Event::getEventTimestamp)
          .thenComparing(Event::getReceivedAt)
          .thenComparing(Event::getServerTimestamp, Comparator.nullsLast(Comparator.naturalOrder()));

  /** The order metrics see a user's events in on a bounded input. */
  static final Comparator<Event> EVENT_TIME_ORDER =
      Comparator.comparing(Event::getEventTimestamp).thenComparing(Event::getEventId);

  static final long MAX_TIME = GlobalWindow.INSTANCE.maxTimestamp().getMillis();

  final List<UserMetric<?, ?>> metrics;
  final List<TupleTag<?>> outputs;
  final @Nullable Duration dedupeHorizon;
  final Counter duplicates = PipelineCounters.counter(PipelineCounters.DUPLICATES_DROPPED);
  final Counter failed = StepFailures.counter();

  UserMetricsFn(List<UserMetric<?, ?>> metrics, List<TupleTag<?>> outputs, @Nullable Duration dedupeHorizon) {
    this.metrics = List.copyOf(metrics);
    this.outputs = List.copyOf(outputs);
    this.dedupeHorizon = dedupeHorizon;
  }

  // The metrics are typed per metric; the stage handles their states as objects.

  /**
   * One event into metric {@code i}, guarded: if the metric throws, the event is left out of it (a
   * {@code STEP_FAILED} dead letter, counted) and the metric keeps its state as the call left it;
   * the other metrics and the stage go on.
   */
  @SuppressWarnings("unchecked")
  final <S, O> @Nullable Object onEvent(
      int i, String user, @Nullable Object state, Event event, MultiOutputReceiver out) {
    UserMetric<S, O> metric = (UserMetric<S, O>) metrics.get(i);
    TupleTag<O> tag = (TupleTag<O>) outputs.get(i);
    try {
      return metric.onEvent(user, (S) state, event,
          (value, timestamp) -> out.get(tag).outputWithTimestamp(value, new Instant(timestamp)));
    } catch (RuntimeException e) {
      failed.inc();
      out.get(UserStage.FAILURES).outputWithTimestamp(
          StepFailures.deadLetter(event, "PerUser/" + metric.name(), e), event.getEventTimestamp());
      return state;
    }
  }

  @SuppressWarnings("unchecked")
  final <S, O> @Nullable Object onTime(
      int i, String user, Object state, long time, MultiOutputReceiver out) {
    UserMetric<S, O> metric = (UserMetric<S, O>) metrics.get(i);
    TupleTag<O> tag = (TupleTag<O>) outputs.get(i);
    return metric.onTime(user, (S) state, time,
        (value, timestamp) -> out.get(tag).outputWithTimestamp(value, new Instant(timestamp)));
  }

  @SuppressWarnings("unchecked")
  final <S> long nextWakeUp(int i, Object state) {
    return ((UserMetric<S, ?>) metrics.get(i)).nextWakeUp((S) state);
  }

  @SuppressWarnings("unchecked")
  final <S, O> void early(int i, String user, Object state, UserMetric.Output<O> out) {
    ((UserMetric<S, O>) metrics.get(i)).early(user, (S) state, out);
  }

  /**
   * Metrics emit values for the past (a session at its end, a funnel step at its attempt's start),
   * from an element or a timer later than that: allowed, since the stage holds no watermark and what
   * reads them downstream either ignores timestamps or allows for the lateness (see {@link UserStage}).
   */
  @Override
  @SuppressWarnings("deprecation")
  public Duration getAllowedTimestampSkew() {
    return AnySkew.DURATION;
  }
}
