package io.github.analytics.transforms.users;

import io.github.analytics.schemas.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The stateful step of {@link UserStage} on an unbounded input: per user, one {@link UserState} with
 * the ids seen (deduplication; a heavy user's ids beyond the first {@value UserState#INLINE_IDS} in a
 * map cell, so that a serializing state backend does not re-encode them on every event) and every
 * metric's state, and one event-time timer at the earliest time any of them needs. Events go through
 * the metrics in arrival order.
 */
final class UserStageFn extends UserMetricsFn<Event> {
  private static final long serialVersionUID = 1L;

  private final @Nullable Duration earlyFiringDelay;
  private final long sweepMillis;
  /** How long after a user's latest event its idle state is kept: the longest metric retention. */
  private final long retentionMillis;

  @StateId("ids")
  private final StateSpec<MapState<String, Long>> idsSpec =
      StateSpecs.map(StringUtf8Coder.of(), VarLongCoder.of());

  @StateId("user")
  private final StateSpec<ValueState<UserState>> userSpec;

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
      @Nullable Duration earlyFiringDelay) {
    super(metrics, outputs, dedupeHorizon);
    this.userSpec = StateSpecs.value(stateCoder);
    this.earlyFiringDelay = earlyFiringDelay;
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
      @TimerId("wake") Timer wake,
      @TimerId("flush") Timer flush,
      MultiOutputReceiver out) {
    Event event = element.getValue();
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
      @TimerId("wake") Timer wake,
      @TimerId("flush") Timer flush,
      MultiOutputReceiver out) {
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
    pending.flush((metric, userId, state) -> {
      @SuppressWarnings("unchecked")
      TupleTag<Object> tag = (TupleTag<Object>) outputs.get(metric);
      early(metric, userId, state,
          (value, timestamp) -> out.get(tag).outputWithTimestamp(value, new Instant(timestamp)));
    });
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
   * Registers the user's latest state of a metric with early results, whose values the flush sends,
   * and arms the flush timer if none is set. The timer holds no watermark: early values are never
   * late for anything.
   */
  private void refreshEarly(
      int metric, String userId, @Nullable Object metricState, Timer flush) {
    if (!metrics.get(metric).hasEarlyResults()) {
      return;
    }
    if (pending.replace(metric, userId, metricState)) {
      flush.offset(earlyFiringDelay).withNoOutputTimestamp().setRelative();
    }
  }
}
