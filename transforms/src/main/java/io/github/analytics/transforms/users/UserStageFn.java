package io.github.analytics.transforms.users;

import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.EventCoder;
import io.github.analytics.transforms.PipelineCounters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The stateful step of {@link UserStage}: per user, one {@link UserState} with the ids seen (streaming
 * deduplication; a heavy user's ids beyond the first {@value UserState#INLINE_IDS} in a map cell, so
 * that a serializing state backend does not re-encode them on every event) and every metric's state,
 * and one event-time timer at the earliest time any of them needs. On a bounded input the user's events are gathered in a bag and handled in event-time
 * order when the input ends.
 */
final class UserStageFn extends DoFn<KV<String, Event>, Event> {
  private static final long serialVersionUID = 1L;

  /** Orders the copies of an event: earliest event time, then arrival, then server timestamp. */
  static final Comparator<Event> EARLIEST_COPY =
      Comparator.comparing(Event::getEventTimestamp)
          .thenComparing(Event::getReceivedAt)
          .thenComparing(Event::getServerTimestamp, Comparator.nullsLast(Comparator.naturalOrder()));

  /** The order metrics see a user's events in on a bounded input. */
  static final Comparator<Event> EVENT_TIME_ORDER =
      Comparator.comparing(Event::getEventTimestamp).thenComparing(Event::getEventId);

  private static final long MAX_TIME = GlobalWindow.INSTANCE.maxTimestamp().getMillis();

  private final List<UserMetric<?, ?>> metrics;
  private final List<TupleTag<?>> outputs;
  private final @Nullable Duration dedupeHorizon;
  private final @Nullable Duration earlyFiringDelay;
  private final boolean bounded;
  private final long sweepMillis;
  /** How long after a user's latest event its idle state is kept: the longest metric retention. */
  private final long retentionMillis;
  private final Counter duplicates = PipelineCounters.counter(PipelineCounters.DUPLICATES_DROPPED);

  @StateId("ids")
  private final StateSpec<MapState<String, Long>> idsSpec =
      StateSpecs.map(StringUtf8Coder.of(), VarLongCoder.of());

  @StateId("user")
  private final StateSpec<ValueState<UserState>> userSpec;

  @StateId("buffer")
  private final StateSpec<BagState<Event>> bufferSpec = StateSpecs.bag(EventCoder.of());

  /** Bounded input: the earliest event time gathered, where the timer holds the watermark. */
  @StateId("earliest")
  private final StateSpec<ValueState<Long>> earliestSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId("wake")
  private final TimerSpec wakeSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  /**
   * Sends the early values waiting in this instance, an early-firing period after the first of them:
   * one processing-time timer at a time per instance, on whichever user's key armed it.
   */
  @TimerId("flush")
  private final TimerSpec flushSpec = TimerSpecs.timer(TimeDomain.PROCESSING_TIME);

  /** The early values not sent yet, and whether the flush timer is set. */
  private transient PendingEarlyValues pending;

  UserStageFn(
      List<UserMetric<?, ?>> metrics,
      List<TupleTag<?>> outputs,
      UserStateCoder stateCoder,
      @Nullable Duration dedupeHorizon,
      @Nullable Duration earlyFiringDelay,
      boolean bounded) {
    this.metrics = List.copyOf(metrics);
    this.outputs = List.copyOf(outputs);
    this.userSpec = StateSpecs.value(stateCoder);
    this.dedupeHorizon = dedupeHorizon;
    this.earlyFiringDelay = earlyFiringDelay;
    this.bounded = bounded;
    this.sweepMillis =
        dedupeHorizon == null ? 1 : Math.max(1, dedupeHorizon.getMillis() / UserStage.SWEEPS_PER_HORIZON);
    long retention = 0;
    for (UserMetric<?, ?> metric : metrics) {
      retention = Math.max(retention, metric.retention().getMillis());
    }
    this.retentionMillis = retention;
  }

  @Setup
  public void setup() {
    pending = new PendingEarlyValues(metrics.size());
  }

  @ProcessElement
  public void process(
      @Element KV<String, Event> element,
      @StateId("ids") MapState<String, Long> ids,
      @StateId("user") ValueState<UserState> user,
      @StateId("buffer") BagState<Event> buffer,
      @StateId("earliest") ValueState<Long> earliest,
      @TimerId("wake") Timer wake,
      @TimerId("flush") Timer flush,
      MultiOutputReceiver out) {
    Event event = element.getValue();
    if (bounded) {
      // Everything is emitted when the input ends, at the events' own times: hold the watermark at
      // the earliest, or a runner that tracks watermarks in batch (the direct runner) would pass the
      // windows downstream first and drop it all as late.
      buffer.add(event);
      long millis = event.getEventTimestamp().getMillis();
      Long held = earliest.read();
      if (held == null || millis < held) {
        earliest.write(millis);
        wake.withOutputTimestamp(new Instant(millis)).set(new Instant(MAX_TIME));
      }
      return;
    }
    UserState state = user.read();
    if (state == null) {
      state = new UserState(metrics.size());
    }
    if (dedupeHorizon != null) {
      String id = event.getEventId();
      if (state.recentIds.containsKey(id) || (state.idsOverflow && ids.get(id).read() != null)) {
        duplicates.inc();
        return;
      }
      long expiry = event.getEventTimestamp().getMillis() + dedupeHorizon.getMillis();
      if (state.recentIds.size() < UserState.INLINE_IDS) {
        state.recentIds.put(id, expiry);
      } else {
        ids.put(id, expiry);
        state.idsOverflow = true;
      }
      long sweep = roundUp(expiry);
      if (state.nextSweep == UserState.NONE || sweep < state.nextSweep) {
        state.nextSweep = sweep;
      }
      out.get(UserStage.EVENTS).output(event);
    }
    state.lastEvent = Math.max(state.lastEvent, event.getEventTimestamp().getMillis());
    for (int i = 0; i < metrics.size(); i++) {
      state.metrics[i] = onEvent(i, element.getKey(), state.metrics[i], event, out);
      if (earlyFiringDelay != null) {
        refreshEarly(i, element.getKey(), state.metrics[i], flush);
      }
    }
    schedule(state, wake);
    user.write(state);
  }

  @OnTimer("wake")
  public void onWake(
      OnTimerContext context,
      @Key String userId,
      @StateId("ids") MapState<String, Long> ids,
      @StateId("user") ValueState<UserState> user,
      @StateId("buffer") BagState<Event> buffer,
      @StateId("earliest") ValueState<Long> earliest,
      @TimerId("wake") Timer wake,
      @TimerId("flush") Timer flush,
      MultiOutputReceiver out) {
    if (bounded) {
      earliest.clear();
      finishBounded(userId, buffer, out);
      return;
    }
    UserState state = user.read();
    if (state == null) {
      return;
    }
    long now = context.fireTimestamp().getMillis();
    state.timerAt = UserState.NONE;
    if (state.nextSweep != UserState.NONE && state.nextSweep <= now) {
      long earliestLeft = Long.MAX_VALUE;
      for (java.util.Iterator<Long> it = state.recentIds.values().iterator(); it.hasNext(); ) {
        long expiry = it.next();
        if (expiry <= now) {
          it.remove();
        } else {
          earliestLeft = Math.min(earliestLeft, expiry);
        }
      }
      if (state.idsOverflow) {
        List<String> expired = new ArrayList<>();
        boolean left = false;
        for (Map.Entry<String, Long> id : ids.entries().read()) {
          if (id.getValue() <= now) {
            expired.add(id.getKey());
          } else {
            earliestLeft = Math.min(earliestLeft, id.getValue());
            left = true;
          }
        }
        expired.forEach(ids::remove);
        state.idsOverflow = left;
      }
      state.nextSweep = earliestLeft == Long.MAX_VALUE ? UserState.NONE : roundUp(earliestLeft);
    }
    boolean idle = state.nextSweep == UserState.NONE;
    for (int i = 0; i < metrics.size(); i++) {
      Object metricState = state.metrics[i];
      if (metricState != null && nextWakeUp(i, metricState) <= now) {
        metricState = onTime(i, userId, metricState, now, out);
        state.metrics[i] = metricState;
        if (earlyFiringDelay != null) {
          refreshEarly(i, userId, metricState, flush);
        }
      }
      if (metricState != null && nextWakeUp(i, metricState) != Long.MAX_VALUE) {
        idle = false;
      }
    }
    if (idle) {
      long forgetAt = state.lastEvent == UserState.NONE ? now : state.lastEvent + retentionMillis;
      if (forgetAt <= now) {
        // Nothing left to wait for: no id to remember, no metric with a deadline, and what metrics
        // keep beyond that (tombstones against very late events) has been kept long enough.
        ids.clear();
        user.clear();
        return;
      }
      state.timerAt = Math.min(forgetAt, MAX_TIME);
      wake.set(new Instant(state.timerAt));
      user.write(state);
      return;
    }
    schedule(state, wake);
    user.write(state);
  }

  @OnTimer("flush")
  public void onFlush(MultiOutputReceiver out) {
    pending.flush((metric, value) -> {
      @SuppressWarnings("unchecked")
      TupleTag<Object> tag = (TupleTag<Object>) outputs.get(metric);
      out.get(tag).outputWithTimestamp(value.getValue(), value.getTimestamp());
    });
  }

  /** A bounded input has ended: the user's events, deduplicated, in order through every metric. */
  private void finishBounded(String userId, BagState<Event> buffer, MultiOutputReceiver out) {
    List<Event> events = new ArrayList<>();
    buffer.read().forEach(events::add);
    buffer.clear();
    List<Event> unique = events;
    if (dedupeHorizon != null) {
      events.sort(EARLIEST_COPY);
      Set<String> seen = new HashSet<>();
      unique = new ArrayList<>(events.size());
      for (Event event : events) {
        if (seen.add(event.getEventId())) {
          unique.add(event);
        }
      }
      duplicates.inc(events.size() - unique.size());
    }
    unique.sort(EVENT_TIME_ORDER);
    Object[] states = new Object[metrics.size()];
    for (Event event : unique) {
      if (dedupeHorizon != null) {
        out.get(UserStage.EVENTS).outputWithTimestamp(event, event.getEventTimestamp());
      }
      for (int i = 0; i < metrics.size(); i++) {
        states[i] = onEvent(i, userId, states[i], event, out);
      }
    }
    for (int i = 0; i < metrics.size(); i++) {
      if (states[i] != null) {
        onTime(i, userId, states[i], Long.MAX_VALUE, out);
      }
    }
  }

  /** Keeps one timer at the earliest time the ids or a metric need, moving it only earlier. */
  private void schedule(UserState state, Timer wake) {
    long next = state.nextSweep == UserState.NONE ? Long.MAX_VALUE : state.nextSweep;
    for (int i = 0; i < metrics.size(); i++) {
      if (state.metrics[i] != null) {
        next = Math.min(next, nextWakeUp(i, state.metrics[i]));
      }
    }
    if (next == Long.MAX_VALUE) {
      return;
    }
    next = Math.min(next, MAX_TIME);
    if (state.timerAt == UserState.NONE || next < state.timerAt) {
      wake.set(new Instant(next));
      state.timerAt = next;
    }
  }

  private long roundUp(long millis) {
    long rem = Math.floorMod(millis, sweepMillis);
    return rem == 0 ? millis : millis - rem + sweepMillis;
  }

  /**
   * Replaces the user's waiting early values with the metric's current ones, and arms the flush
   * timer if none is set. The timer holds no watermark: early values are never late for anything.
   */
  private void refreshEarly(
      int metric, String userId, @Nullable Object metricState, Timer flush) {
    List<TimestampedValue<Object>> values = new ArrayList<>(1);
    if (metricState != null) {
      early(metric, userId, metricState, (value, timestamp) ->
          values.add(TimestampedValue.of(value, new Instant(timestamp))));
    }
    if (pending.replace(metric, userId, values)) {
      flush.offset(earlyFiringDelay).withNoOutputTimestamp().setRelative();
    }
  }

  // The metrics are typed per metric; the stage handles their states as objects.

  @SuppressWarnings("unchecked")
  private <S, O> @Nullable Object onEvent(
      int i, String user, @Nullable Object state, Event event, MultiOutputReceiver out) {
    UserMetric<S, O> metric = (UserMetric<S, O>) metrics.get(i);
    TupleTag<O> tag = (TupleTag<O>) outputs.get(i);
    return metric.onEvent(user, (S) state, event,
        (value, timestamp) -> out.get(tag).outputWithTimestamp(value, new Instant(timestamp)));
  }

  @SuppressWarnings("unchecked")
  private <S, O> @Nullable Object onTime(
      int i, String user, Object state, long time, MultiOutputReceiver out) {
    UserMetric<S, O> metric = (UserMetric<S, O>) metrics.get(i);
    TupleTag<O> tag = (TupleTag<O>) outputs.get(i);
    return metric.onTime(user, (S) state, time,
        (value, timestamp) -> out.get(tag).outputWithTimestamp(value, new Instant(timestamp)));
  }

  @SuppressWarnings("unchecked")
  private <S> long nextWakeUp(int i, Object state) {
    return ((UserMetric<S, ?>) metrics.get(i)).nextWakeUp((S) state);
  }

  @SuppressWarnings("unchecked")
  private <S, O> void early(int i, String user, Object state, UserMetric.Output<O> out) {
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
    return Duration.millis(Long.MAX_VALUE);
  }
}
