package io.github.analytics.transforms.metrics;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.PipelineCounters;
import io.github.analytics.transforms.users.UserMetric;
import java.util.Iterator;
import java.util.OptionalDouble;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The per-user part of {@link SessionizeEvents}: gap-based sessions kept in the user's state, merged
 * as events arrive in any order, each emitted as a row when the watermark passes its last event plus
 * the gap (as a session window's on-time pane would be), again when a late event changes it, and let
 * go once the allowed lateness has passed too.
 *
 * <p>Sessions are the session windows of Beam's {@code Sessions}: an event at {@code t} covers {@code
 * [t, t + gap)}, and covers that overlap merge, so two events exactly one gap apart are two sessions.
 * A late event that bridges two sessions merges them; the merged row has the earlier start, and the
 * rows of the parts it absorbed are superseded (the Redis sink deletes sessions a new row contains). An
 * event that falls before the end of the gap after a session already let go of (more than the allowed
 * lateness behind the watermark) is dropped and counted in {@link
 * PipelineCounters#SESSION_EVENTS_TOO_LATE}, as Beam drops an element of an expired window.
 *
 * <p>A session with several client session ids is counted once in {@link
 * PipelineCounters#SESSIONS_WITH_SEVERAL_CLIENT_IDS} when it is let go of, when it can no longer
 * change: the counter holds the final sessions in batch and streaming alike.
 */
final class SessionTracker extends UserMetric<UserSessions, Row> {
  private static final long serialVersionUID = 1L;

  private final long gapMillis;
  private final long allowedLatenessMillis;
  private final Counter invalidRevenue =
      PipelineCounters.counter(PipelineCounters.PURCHASE_REVENUE_INVALID);
  private final Counter severalClientIds =
      PipelineCounters.counter(PipelineCounters.SESSIONS_WITH_SEVERAL_CLIENT_IDS);
  private final Counter tooLate = PipelineCounters.counter(PipelineCounters.SESSION_EVENTS_TOO_LATE);

  SessionTracker(Duration gap, Duration allowedLateness) {
    this.gapMillis = gap.getMillis();
    this.allowedLatenessMillis = allowedLateness.getMillis();
  }

  @Override
  public String name() {
    return "sessions";
  }

  /**
   * Once its sessions are let go of, the user's state keeps the end of their gap for as long again as
   * a session may stay open and late ({@code 2 x (gap + allowed lateness)} after the latest event),
   * so that a straggler for a session already let go of is dropped, not made a session of its own.
   */
  @Override
  public Duration retention() {
    return Duration.millis(2 * (gapMillis + allowedLatenessMillis));
  }

  @Override
  public Coder<UserSessions> stateCoder() {
    return UserSessions.CODER;
  }

  @Override
  public Coder<Row> outputCoder() {
    return RowCoder.of(SessionizeEvents.SCHEMA);
  }

  @Override
  public @Nullable UserSessions onEvent(
      String user, @Nullable UserSessions state, Event event, Output<Row> out) {
    long t = event.getEventTimestamp().getMillis();
    if (state != null && t < state.closedBefore) {
      tooLate.inc();
      return state;
    }
    if (state == null) {
      state = new UserSessions();
    }
    double revenue = 0;
    if (SessionizeEvents.PURCHASE.equals(event.getEventType())) {
      OptionalDouble parsed = SessionizeEvents.revenue(event.getProperties());
      if (parsed.isPresent()) {
        revenue = parsed.getAsDouble();
      } else {
        invalidRevenue.inc();
      }
    }
    // Sessions never overlap one another, so those the event's [t, t + gap) overlaps are adjacent.
    int first = -1;
    int overlapping = 0;
    for (int i = 0; i < state.sessions.size(); i++) {
      UserSessions.Session session = state.sessions.get(i);
      if (t < session.last() + gapMillis && session.start() < t + gapMillis) {
        if (first < 0) {
          first = i;
        }
        overlapping++;
      }
    }
    String clientSessionId = event.getSessionId();
    if (overlapping == 1) {
      // The usual case: the event joins one session. Its summary changes in place; the session
      // keeps its place, since it cannot grow past a neighbour it does not overlap.
      UserSessions.Session session = state.sessions.get(first);
      session.summary.addEvent(event.getEventId(), event.getEventType(), t, clientSessionId, revenue);
      session.closed = false;
      return state;
    }
    SessionSummary merged =
        SessionSummary.ofEvent(event.getEventId(), event.getEventType(), t, clientSessionId, revenue);
    if (overlapping > 1) {
      // A late event bridges sessions: one session of them all, in the place of the first.
      for (int i = 0; i < overlapping; i++) {
        merged.add(state.sessions.remove(first).summary);
      }
      state.sessions.add(first, new UserSessions.Session(merged, false));
      return state;
    }
    int at = 0;
    while (at < state.sessions.size() && state.sessions.get(at).start() < t) {
      at++;
    }
    state.sessions.add(at, new UserSessions.Session(merged, false));
    return state;
  }

  @Override
  public long nextWakeUp(UserSessions state) {
    long next = Long.MAX_VALUE;
    for (UserSessions.Session session : state.sessions) {
      next = Math.min(next, deadline(session));
    }
    return next;
  }

  /**
   * When the row goes out (an open session), or when the session is let go of (a closed one): the
   * last millisecond of the session window, as Beam's end-of-window timer, and that plus the allowed
   * lateness, as its garbage collection.
   */
  private long deadline(UserSessions.Session session) {
    long windowMax = session.last() + gapMillis - 1;
    return session.closed ? windowMax + allowedLatenessMillis : windowMax;
  }

  @Override
  public @Nullable UserSessions onTime(
      String user, UserSessions state, long time, Output<Row> out) {
    for (Iterator<UserSessions.Session> it = state.sessions.iterator(); it.hasNext(); ) {
      UserSessions.Session session = it.next();
      long windowMax = session.last() + gapMillis - 1;
      if (!session.closed && windowMax <= time) {
        out.emit(row(user, session.summary), windowMax);
        session.closed = true;
      }
      if (session.closed && windowMax + allowedLatenessMillis <= time) {
        if (session.summary.distinctClientSessionIds() > 1) {
          severalClientIds.inc();
        }
        state.closedBefore = Math.max(state.closedBefore, windowMax + 1);
        it.remove();
      }
    }
    return time == Long.MAX_VALUE ? null : state;
  }

  @Override
  public boolean hasEarlyResults() {
    return true;
  }

  @Override
  public void early(String user, UserSessions state, Output<Row> out) {
    for (UserSessions.Session session : state.sessions) {
      if (!session.closed) {
        out.emit(row(user, session.summary), session.last() + gapMillis - 1);
      }
    }
  }

  /** A session's row: computed id {@code <user_id>-<start millis>}, end = its last event. */
  static Row row(String user, SessionSummary summary) {
    long start = summary.firstMillis();
    long end = summary.lastMillis();
    return Row.withSchema(SessionizeEvents.SCHEMA)
        .attachValues(
            user,
            user + "-" + start,
            new Instant(start),
            new Instant(end),
            (end - start) / 1000,
            summary.eventCount(),
            summary.pageViews(),
            summary.firstEventType(),
            summary.lastEventType(),
            summary.revenue(),
            summary.mainClientSessionId(),
            (long) summary.distinctClientSessionIds());
  }
}
