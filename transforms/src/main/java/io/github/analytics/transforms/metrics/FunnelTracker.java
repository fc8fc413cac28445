package io.github.analytics.transforms.metrics;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.PipelineCounters;
import io.github.analytics.transforms.users.UserMetric;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The per-user part of {@link TrackFunnels}: per funnel, the user's marks (the events that match a
 * step, or every event for a strict funnel), each attempt evaluated once the watermark has passed its
 * start plus the funnel's window, when every event it can contain has arrived on time, in whatever
 * order. Attempts are evaluated in the order they started; per UTC day of an attempt's start the
 * state remembers the furthest step already emitted, so each (user, funnel, day, step) is emitted at
 * most once: "reached step k after s ms", timestamped at the start of the attempt that first reached
 * it.
 *
 * <p>Late events: a mark within the allowed lateness that falls into attempts already evaluated makes
 * them evaluated again, and a step they now reach is emitted then (steps are never taken back: a late
 * event that would break a strict attempt already reported leaves it counted). Marks are kept for the
 * allowed lateness plus one window after their attempts were evaluated, the furthest steps per day
 * until that day can no longer change. A mark more than the allowed lateness behind the evaluated time
 * is dropped and counted in {@link PipelineCounters#FUNNEL_EVENTS_TOO_LATE}.
 *
 * <p>Live (streaming, when the policy fires early): an event that can take a still open attempt
 * further re-evaluates the open attempts that contain it on the marks seen so far, and a step no
 * attempt of that day had reached yet is emitted at once as {@link #PROVISIONAL}, each (user, funnel,
 * day, step) at most once. The final record of a step then says whether it was already shown ({@link
 * #FINAL_SHOWN_LIVE}) or not ({@link #FINAL}), so that stage B counts every user once in the live
 * figure and only final records in the final one. An event that matches no step beyond the furthest
 * already counted for its days skips the work: a late event that fills a gap shows at the final
 * evaluation.
 */
final class FunnelTracker extends UserMetric<UserFunnels, Row> {
  private static final long serialVersionUID = 1L;
  static final long DAY_MILLIS = Duration.standardDays(1).getMillis();

  /** A reached record's {@code kind}: final, not shown before as provisional. */
  static final byte FINAL = 0;
  /** Final, already counted in the live figure by a provisional record. */
  static final byte FINAL_SHOWN_LIVE = 1;
  /** Seen in an attempt still open: counts in the live figure only. */
  static final byte PROVISIONAL = 2;

  private final List<FunnelDefinition> funnels;
  /** Every property name a step matches on: the only ones read from an event's properties. */
  private final Set<String> propertyNames;
  private final long allowedLatenessMillis;
  private final boolean live;
  private final Counter tooLate = PipelineCounters.counter(PipelineCounters.FUNNEL_EVENTS_TOO_LATE);
  private final Counter unreadable =
      PipelineCounters.counter(PipelineCounters.FUNNEL_PROPERTIES_UNREADABLE);

  /**
   * @param live whether to emit {@link #PROVISIONAL} records as events arrive (streaming with early
   *     firings); batch has no use for them
   */
  FunnelTracker(List<FunnelDefinition> funnels, Duration allowedLateness, boolean live) {
    this.funnels = List.copyOf(funnels);
    Set<String> names = new HashSet<>();
    funnels.forEach(f -> f.steps().forEach(step -> names.addAll(step.properties().keySet())));
    this.propertyNames = Set.copyOf(names);
    this.allowedLatenessMillis = allowedLateness.getMillis();
    this.live = live;
  }

  @Override
  public String name() {
    return "funnels";
  }

  @Override
  public Coder<UserFunnels> stateCoder() {
    return UserFunnels.CODER;
  }

  @Override
  public Coder<Row> outputCoder() {
    return RowCoder.of(TrackFunnels.REACHED_SCHEMA);
  }

  static long dayStart(long millis) {
    return Math.floorDiv(millis, DAY_MILLIS) * DAY_MILLIS;
  }

  @Override
  public @Nullable UserFunnels onEvent(
      String user, @Nullable UserFunnels state, Event event, Output<Row> out) {
    long t = event.getEventTimestamp().getMillis();
    Map<String, String> properties = null;
    boolean parsed = false;
    for (int f = 0; f < funnels.size(); f++) {
      FunnelDefinition funnel = funnels.get(f);
      int steps = 0;
      List<FunnelStep> funnelSteps = funnel.steps();
      for (int i = 0; i < funnelSteps.size(); i++) {
        FunnelStep step = funnelSteps.get(i);
        if (!step.eventType().equals(event.getEventType())) {
          continue;
        }
        if (!step.properties().isEmpty() && !parsed) {
          properties = parse(event.getProperties());
          parsed = true;
        }
        if (step.matchesProperties(properties)) {
          steps |= 1 << i;
        }
      }
      if (steps == 0 && funnel.order() != FunnelOrder.STRICT) {
        continue;
      }
      if (state == null) {
        state = new UserFunnels(funnels.size());
      }
      UserFunnels.State fs = state.funnels[f];
      if (fs == null) {
        fs = new UserFunnels.State();
        state.funnels[f] = fs;
      }
      if (fs.evaluatedThrough != Long.MIN_VALUE && t < fs.evaluatedThrough - allowedLatenessMillis) {
        tooLate.inc();
        continue;
      }
      FunnelMark mark = new FunnelMark(t, event.getEventId(), steps);
      if (!fs.insert(mark)) {
        continue;
      }
      fs.lastDayEnd = Math.max(fs.lastDayEnd, dayStart(t) + DAY_MILLIS);
      long window = funnel.window().getMillis();
      if (FunnelAttempts.canStart(funnel.order(), mark) && t + window > fs.evaluatedThrough) {
        fs.pendingFrom = Math.min(fs.pendingFrom, t);
      }
      if (fs.evaluatedThrough != Long.MIN_VALUE && t <= fs.evaluatedThrough) {
        // Late: attempts already evaluated that can contain it start in [t - window, t].
        for (int i = 0; i < fs.marks.size(); i++) {
          FunnelMark start = fs.marks.get(i);
          if (start.millis() > t) {
            break;
          }
          if (start.millis() >= t - window
              && start.millis() + window <= fs.evaluatedThrough
              && FunnelAttempts.canStart(funnel.order(), start)) {
            evaluate(user, funnel, fs, i, out);
          }
        }
      }
      if (live && steps != 0) {
        showProgress(user, funnel, fs, mark, out);
      }
    }
    return state;
  }

  /**
   * Re-evaluates, on the marks seen so far, the open attempts that contain {@code mark}, and emits as
   * provisional each step that no attempt of the same day has been counted for yet.
   */
  private void showProgress(
      String user, FunnelDefinition funnel, UserFunnels.State fs, FunnelMark mark, Output<Row> out) {
    long t = mark.millis();
    long window = funnel.window().getMillis();
    int stepCount = funnel.steps().size();
    // The furthest step this mark can be, in order: nothing to do when both days it can belong to
    // already count it (any order: any mark may complete a further step).
    int furthest =
        funnel.order() == FunnelOrder.ANY_ORDER
            ? stepCount
            : Integer.SIZE - Integer.numberOfLeadingZeros(mark.steps());
    if (furthest <= Math.min(shown(fs, dayStart(t - window)), shown(fs, dayStart(t)))) {
      return;
    }
    for (int i = 0; i < fs.marks.size(); i++) {
      FunnelMark start = fs.marks.get(i);
      if (start.millis() > t) {
        break;
      }
      if (start.millis() < t - window
          || start.millis() + window <= fs.evaluatedThrough
          || !FunnelAttempts.canStart(funnel.order(), start)) {
        continue;
      }
      long day = dayStart(start.millis());
      int done = shown(fs, day);
      if (done >= stepCount) {
        continue;
      }
      long[] times =
          FunnelAttempts.evaluate(funnel.order(), stepCount, fs.marks, i, window);
      if (times.length <= done) {
        continue;
      }
      Instant dayInstant = new Instant(day);
      for (int k = done; k < times.length; k++) {
        out.emit(reached(funnel, user, dayInstant, k + 1, times[k], PROVISIONAL), start.millis());
      }
      fs.liveByDay.put(day, times.length);
    }
  }

  /** The furthest step counted in the live figure for an attempt of {@code day}. */
  private static int shown(UserFunnels.State fs, long day) {
    return Math.max(fs.liveByDay.getOrDefault(day, 0), fs.reachedByDay.getOrDefault(day, 0));
  }

  private static Row reached(
      FunnelDefinition funnel, String user, Instant day, int step, long millis, byte kind) {
    return Row.withSchema(TrackFunnels.REACHED_SCHEMA)
        .attachValues(funnel.name(), user, day, step, millis, kind);
  }

  @Override
  public long nextWakeUp(UserFunnels state) {
    long next = Long.MAX_VALUE;
    for (int f = 0; f < funnels.size(); f++) {
      UserFunnels.State fs = state.funnels[f];
      if (fs != null) {
        next = Math.min(next, nextWakeUp(funnels.get(f), fs));
      }
    }
    return next;
  }

  /**
   * The next attempt's due time; else, with no attempt pending, when the marks can go (the allowed
   * lateness and a window after the last: no late event can reopen their attempts), then when the
   * furthest steps can go (the same after their last day's end).
   */
  private long nextWakeUp(FunnelDefinition funnel, UserFunnels.State fs) {
    long window = funnel.window().getMillis();
    if (fs.pendingFrom != Long.MAX_VALUE) {
      return fs.pendingFrom + window;
    }
    if (!fs.marks.isEmpty()) {
      return fs.marks.get(fs.marks.size() - 1).millis() + window + allowedLatenessMillis + 1;
    }
    if (!fs.reachedByDay.isEmpty() || !fs.liveByDay.isEmpty()) {
      return fs.lastDayEnd + window + allowedLatenessMillis;
    }
    return Long.MAX_VALUE;
  }

  @Override
  public @Nullable UserFunnels onTime(String user, UserFunnels state, long time, Output<Row> out) {
    for (int f = 0; f < funnels.size(); f++) {
      UserFunnels.State fs = state.funnels[f];
      if (fs == null) {
        continue;
      }
      FunnelDefinition funnel = funnels.get(f);
      long window = funnel.window().getMillis();
      long pending = Long.MAX_VALUE;
      for (int i = 0; i < fs.marks.size(); i++) {
        FunnelMark start = fs.marks.get(i);
        if (!FunnelAttempts.canStart(funnel.order(), start)) {
          continue;
        }
        long due = start.millis() + window;
        if (due <= fs.evaluatedThrough) {
          continue;
        }
        if (due > time) {
          pending = Math.min(pending, start.millis());
          continue;
        }
        evaluate(user, funnel, fs, i, out);
      }
      fs.evaluatedThrough = Math.max(fs.evaluatedThrough, time);
      fs.pendingFrom = pending;
      // Keep what a late event may still need: pending attempts, and marks and days within the
      // allowed lateness plus one window of the evaluated time.
      long keepFrom = Math.min(pending, saturatedMinus(time, allowedLatenessMillis + window));
      for (Iterator<FunnelMark> it = fs.marks.iterator(); it.hasNext(); ) {
        if (it.next().millis() < keepFrom) {
          it.remove();
        }
      }
      while (!fs.reachedByDay.isEmpty() && fs.reachedByDay.firstKey() + DAY_MILLIS <= keepFrom) {
        fs.reachedByDay.pollFirstEntry();
      }
      while (!fs.liveByDay.isEmpty() && fs.liveByDay.firstKey() + DAY_MILLIS <= keepFrom) {
        fs.liveByDay.pollFirstEntry();
      }
    }
    return time == Long.MAX_VALUE ? null : state;
  }

  /** Evaluates the attempt starting at mark {@code i} and emits the steps it reaches first that day. */
  private void evaluate(
      String user, FunnelDefinition funnel, UserFunnels.State fs, int i, Output<Row> out) {
    FunnelMark start = fs.marks.get(i);
    long[] times =
        FunnelAttempts.evaluate(
            funnel.order(), funnel.steps().size(), fs.marks, i, funnel.window().getMillis());
    long day = dayStart(start.millis());
    int done = fs.reachedByDay.getOrDefault(day, 0);
    if (times.length <= done) {
      return;
    }
    Instant dayInstant = new Instant(day);
    int shownLive = fs.liveByDay.getOrDefault(day, 0);
    for (int k = done; k < times.length; k++) {
      byte kind = k < shownLive ? FINAL_SHOWN_LIVE : FINAL;
      out.emit(reached(funnel, user, dayInstant, k + 1, times[k], kind), start.millis());
    }
    fs.reachedByDay.put(day, times.length);
  }

  private static long saturatedMinus(long time, long millis) {
    return time == Long.MAX_VALUE ? Long.MAX_VALUE : time - millis;
  }

  private @Nullable Map<String, String> parse(@Nullable String json) {
    Map<String, String> values = TopLevelProperties.read(json, propertyNames);
    if (values == null) {
      // Parsing validated the properties, so this means a changed upstream.
      unreadable.inc();
    }
    return values;
  }
}
