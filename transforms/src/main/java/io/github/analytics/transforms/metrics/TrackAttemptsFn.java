package io.github.analytics.transforms.metrics;

import io.github.analytics.transforms.PipelineCounters;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.VarIntCoder;
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
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Stage A of {@link TrackFunnels}: per (user, funnel) key, buffers the user's marks and evaluates
 * each attempt once the watermark has passed its start plus the funnel's window, when every event it
 * can contain has arrived, in whatever order. Attempts are evaluated in the order they started, and
 * for each UTC day of an attempt's start the state remembers the furthest step already reported, so
 * it emits at most one record per (user, funnel, day, step): "reached step k after s ms", timestamped
 * at the start of the attempt that first reached it, which lies in that day.
 *
 * <p>One event-time timer per key, always at the earliest pending attempt's start plus the window,
 * with its output timestamp at that start: the watermark hold keeps the day's window downstream open
 * until the attempt is evaluated. With no attempt pending, the timer is set to the end of the last
 * day seen plus the allowed lateness plus the window; when it fires, all state of the key is cleared.
 *
 * <p>State: {@code marks} holds only marks from {@code keepFrom} on; {@code keepFrom} is the earliest
 * pending attempt start, or just after the last evaluation with none pending. An arriving mark older
 * than {@code keepFrom} is dropped and counted ({@link PipelineCounters#FUNNEL_EVENTS_TOO_LATE}): the
 * attempts it belongs to may have been evaluated and the events before it cleared.
 */
final class TrackAttemptsFn extends DoFn<KV<Row, FunnelMark>, Row> {
  private static final long serialVersionUID = 1L;
  static final long DAY_MILLIS = Duration.standardDays(1).getMillis();

  private final Map<String, FunnelDefinition> funnels;
  private final long allowedLatenessMillis;
  private final Counter tooLate = PipelineCounters.counter(PipelineCounters.FUNNEL_EVENTS_TOO_LATE);

  @StateId("marks")
  private final StateSpec<BagState<FunnelMark>> marksSpec = StateSpecs.bag(FunnelMark.Coder.of());

  /** Day start (epoch millis) to the furthest step already emitted for an attempt of that day. */
  @StateId("reachedByDay")
  private final StateSpec<MapState<Long, Integer>> reachedByDaySpec =
      StateSpecs.map(VarLongCoder.of(), VarIntCoder.of());

  @StateId("keepFrom")
  private final StateSpec<ValueState<Long>> keepFromSpec = StateSpecs.value(VarLongCoder.of());

  @StateId("evaluatedThrough")
  private final StateSpec<ValueState<Long>> evaluatedThroughSpec =
      StateSpecs.value(VarLongCoder.of());

  @StateId("lastDayEnd")
  private final StateSpec<ValueState<Long>> lastDayEndSpec = StateSpecs.value(VarLongCoder.of());

  /** The output timestamp of the timer as set, or null when none is set. */
  @StateId("timerHold")
  private final StateSpec<ValueState<Long>> timerHoldSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId("evaluate")
  private final TimerSpec evaluateSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  TrackAttemptsFn(List<FunnelDefinition> funnels, Duration allowedLateness) {
    this.funnels = new HashMap<>();
    funnels.forEach(f -> this.funnels.put(f.name(), f));
    this.allowedLatenessMillis = allowedLateness.getMillis();
  }

  static long dayStart(long millis) {
    return Math.floorDiv(millis, DAY_MILLIS) * DAY_MILLIS;
  }

  @ProcessElement
  public void process(
      @Element KV<Row, FunnelMark> element,
      @StateId("marks") BagState<FunnelMark> marks,
      @StateId("keepFrom") ValueState<Long> keepFrom,
      @StateId("lastDayEnd") ValueState<Long> lastDayEnd,
      @StateId("timerHold") ValueState<Long> timerHold,
      @TimerId("evaluate") Timer evaluate) {
    FunnelDefinition funnel = funnel(element.getKey());
    FunnelMark mark = element.getValue();
    long at = mark.millis();
    Long keep = keepFrom.read();
    if (keep != null && at < keep) {
      tooLate.inc();
      return;
    }
    marks.add(mark);
    Long lastEnd = lastDayEnd.read();
    long dayEnd = dayStart(at) + DAY_MILLIS;
    if (lastEnd == null || dayEnd > lastEnd) {
      lastEnd = dayEnd;
      lastDayEnd.write(dayEnd);
    }
    Long hold = timerHold.read();
    if (FunnelAttempts.canStart(funnel.order(), mark)) {
      // The earliest pending start holds the watermark; a later start is due after it anyway.
      if (hold == null || at < hold) {
        set(evaluate, timerHold, at + funnel.window().getMillis(), at);
      }
    } else if (hold == null) {
      long expiry = expiry(lastEnd, funnel);
      set(evaluate, timerHold, expiry, expiry);
    }
  }

  @OnTimer("evaluate")
  public void onEvaluate(
      OnTimerContext context,
      @Key Row key,
      @StateId("marks") BagState<FunnelMark> marks,
      @StateId("reachedByDay") MapState<Long, Integer> reachedByDay,
      @StateId("keepFrom") ValueState<Long> keepFrom,
      @StateId("evaluatedThrough") ValueState<Long> evaluatedThrough,
      @StateId("lastDayEnd") ValueState<Long> lastDayEnd,
      @StateId("timerHold") ValueState<Long> timerHold,
      @TimerId("evaluate") Timer evaluate) {
    FunnelDefinition funnel = funnel(key);
    String user = key.getString(0);
    long window = funnel.window().getMillis();
    int stepCount = funnel.steps().size();
    Long previousRead = evaluatedThrough.read();
    long previous = previousRead == null ? Long.MIN_VALUE : previousRead;
    long through = Math.max(previous, context.fireTimestamp().getMillis());

    List<FunnelMark> all = FunnelAttempts.inOrder(marks.read());
    Map<Long, Integer> reached = new HashMap<>();
    for (Map.Entry<Long, Integer> entry : reachedByDay.entries().read()) {
      reached.put(entry.getKey(), entry.getValue());
    }
    long minPending = Long.MAX_VALUE;
    for (int i = 0; i < all.size(); i++) {
      FunnelMark start = all.get(i);
      if (!FunnelAttempts.canStart(funnel.order(), start)) {
        continue;
      }
      long due = start.millis() + window;
      if (due <= previous) {
        continue; // evaluated at an earlier firing
      }
      if (due > through) {
        minPending = Math.min(minPending, start.millis());
        continue;
      }
      long[] times = FunnelAttempts.evaluate(funnel.order(), stepCount, all, i, window);
      long day = dayStart(start.millis());
      int done = reached.getOrDefault(day, 0);
      if (times.length > done) {
        Instant dayInstant = new Instant(day);
        for (int k = done; k < times.length; k++) {
          context.outputWithTimestamp(
              Row.withSchema(TrackFunnels.REACHED_SCHEMA)
                  .addValues(funnel.name(), user, dayInstant, k + 1, times[k])
                  .build(),
              new Instant(start.millis()));
        }
        reached.put(day, times.length);
        reachedByDay.put(day, times.length);
      }
    }

    long keep = Math.min(minPending, through + 1);
    keepFrom.write(keep);
    evaluatedThrough.write(through);
    marks.clear();
    for (FunnelMark mark : all) {
      if (mark.millis() >= keep) {
        marks.add(mark);
      }
    }
    for (long day : reached.keySet()) {
      if (day + DAY_MILLIS <= keep) {
        reachedByDay.remove(day); // no attempt of that day can be accepted any more
      }
    }

    if (minPending != Long.MAX_VALUE) {
      set(evaluate, timerHold, minPending + window, minPending);
      return;
    }
    Long lastEnd = lastDayEnd.read();
    long expiry = lastEnd == null ? through : expiry(lastEnd, funnel);
    if (through < expiry) {
      set(evaluate, timerHold, expiry, expiry);
      return;
    }
    // Past the last day's lateness: a straggler now would be dropped downstream anyway.
    marks.clear();
    reachedByDay.clear();
    keepFrom.clear();
    evaluatedThrough.clear();
    lastDayEnd.clear();
    timerHold.clear();
  }

  /**
   * When the state of a key with no pending attempt may go: once the daily windows downstream can no
   * longer take a record of the last day seen (its end plus the allowed lateness), plus one window,
   * by which the watermark hold of any attempt has been released.
   */
  private long expiry(long lastDayEnd, FunnelDefinition funnel) {
    return lastDayEnd + allowedLatenessMillis + funnel.window().getMillis();
  }

  private static void set(Timer timer, ValueState<Long> timerHold, long at, long hold) {
    timer.withOutputTimestamp(new Instant(hold)).set(new Instant(at));
    timerHold.write(hold);
  }

  private FunnelDefinition funnel(Row key) {
    FunnelDefinition funnel = funnels.get(key.getString(1));
    if (funnel == null) {
      throw new IllegalStateException("No funnel named " + key.getString(1));
    }
    return funnel;
  }
}
