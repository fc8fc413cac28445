package io.github.analytics.transforms.metrics;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.PipelineCounters;
import io.github.analytics.transforms.users.UserMetric;
import io.github.analytics.transforms.users.UserStage;
import java.util.List;
import java.util.OptionalDouble;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;

/**
 * Groups each user's events into sessions of activity separated by at least {@code gap} of
 * inactivity, in event time, and summarizes each session.
 *
 * <p>In: enriched {@link Event}s, timestamped at event time ({@code event_timestamp}). Out: one row
 * per session, {@link #SCHEMA}, emitted again whenever the session changes.
 *
 * <p>Sessions are Beam's {@code Sessions} windows, computed per user in the shared per-user stage
 * ({@link SessionTracker}; a state cell and a timer per user instead of merging windows): each event
 * covers {@code [t, t + gap)} and covers that overlap merge, so two events exactly {@code gap} apart
 * are in different sessions and events closer than that are in one. A session's row goes out when the
 * watermark passes its last event plus the gap (batch: once, when the input is complete); under a
 * streaming {@link WindowPolicy} its current row also goes out every early-firing period while it is
 * open, and again when a late event within the allowed lateness changes it. An event that arrives
 * later and bridges two sessions merges them: the merged session has the {@code session_id} of the
 * earlier one, and rows already emitted for the later one are superseded (the Redis sink deletes the
 * sessions a new row contains; the batch layer emits only final rows). An event later than the
 * allowed lateness is dropped and counted ({@code session_events_too_late}).
 *
 * <p>Columns:
 *
 * <ul>
 *   <li>{@code session_id}: computed, deterministic: {@code user_id + "-" + session_start} in epoch
 *       milliseconds. An event that arrives late, earlier than the session's first event, changes the
 *       start and so the id, with the same consequence as a merge.
 *   <li>{@code session_start}, {@code session_end}: event times of the first and the last event;
 *       {@code duration_seconds} is end - start in whole seconds (rounded down), 0 for a one-event
 *       session.
 *   <li>{@code page_views}: events of type {@code page_view}.
 *   <li>{@code first_event_type}, {@code last_event_type}: by event time; among events at the same
 *       millisecond the smallest (first) or largest (last) {@code event_id} decides.
 *   <li>{@code revenue}: the sum of the numeric {@code revenue} property of {@code purchase} events. A
 *       purchase whose properties have no numeric revenue (missing, a string, not JSON) adds 0 and is
 *       counted in {@link PipelineCounters#PURCHASE_REVENUE_INVALID}.
 *   <li>{@code client_session_id}: the session id the client sent on most of the session's events,
 *       the smallest one on a tie; {@code client_session_ids}: how many distinct ones it sent.
 * </ul>
 *
 * <p>Client and computed sessions: the client's {@code session_id} is what the app believed; the
 * computed session, from the gap in event time, is authoritative here, because it is the same for every
 * client and survives app restarts and clock changes. A computed session whose events carry more than
 * one client id is counted once in {@link PipelineCounters#SESSIONS_WITH_SEVERAL_CLIENT_IDS}, when it
 * can no longer change (its gap and the allowed lateness have passed), so the counter holds the final
 * sessions in batch and streaming alike. A client id spanning two computed sessions is not counted; it
 * shows as one {@code client_session_id} on two rows.
 *
 * <pre>{@code
 * PCollection<Row> sessions =
 *     events.apply(SessionizeEvents.of(WindowPolicy.batch(), Duration.standardMinutes(30)));
 * }</pre>
 */
public final class SessionizeEvents extends MetricTransform<Event> implements PerUserMetric<Row> {
  private static final long serialVersionUID = 1L;

  public static final Schema SCHEMA =
      Schema.builder()
          .addStringField("user_id")
          .addStringField("session_id")
          .addDateTimeField("session_start")
          .addDateTimeField("session_end")
          .addInt64Field("duration_seconds")
          .addInt64Field("event_count")
          .addInt64Field("page_views")
          .addStringField("first_event_type")
          .addStringField("last_event_type")
          .addDoubleField("revenue")
          .addStringField("client_session_id")
          .addInt64Field("client_session_ids")
          .build();

  /** The columns that identify a row: a later row with the same values replaces it. */
  public static final List<String> KEY_COLUMNS = List.of("user_id", "session_start");

  static final String PAGE_VIEW = "page_view";
  public static final String PURCHASE = "purchase";
  static final String REVENUE = "revenue";

  private final WindowPolicy policy;
  private final Duration gap;

  private SessionizeEvents(WindowPolicy policy, Duration gap) {
    if (policy == null) {
      throw new IllegalArgumentException("SessionizeEvents needs a WindowPolicy, got null");
    }
    if (gap == null || !gap.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException(
          "The session gap must be positive, got " + gap + "; the default is "
              + MetricConfig.DEFAULT_SESSION_GAP);
    }
    this.policy = policy;
    this.gap = gap;
  }

  /** Sessions closed by {@code gap} of inactivity, emitted as {@code policy} says. */
  public static SessionizeEvents of(WindowPolicy policy, Duration gap) {
    return new SessionizeEvents(policy, gap);
  }

  /** A copy with another inactivity gap. */
  public SessionizeEvents withGap(Duration value) {
    return new SessionizeEvents(policy, value);
  }

  public Duration gap() {
    return gap;
  }

  @Override
  public Schema outputSchema() {
    return SCHEMA;
  }

  @Override
  public List<String> keyColumns() {
    return KEY_COLUMNS;
  }

  @Override
  public UserMetric<?, Row> userMetric() {
    return new SessionTracker(gap, policy.allowedLateness());
  }

  /** The per-user part emits the rows themselves. */
  @Override
  public PCollection<Row> rows(PCollection<Row> values) {
    return values;
  }

  @Override
  public PCollection<Row> expand(PCollection<Event> events) {
    UserMetric<?, Row> sessions = userMetric();
    return rows(
        events
            .apply("PerUser",
                UserStage.of(List.of(sessions)).withEarlyFirings(policy.earlyFiringDelay()))
            .get(UserStage.output(sessions)));
  }

  /**
   * The revenue of a purchase: the {@code revenue} property of the JSON object {@code properties}, if
   * it is a finite JSON number; empty otherwise. Read with the streaming parser, not a tree: a tree
   * per purchase was 1% of the streaming job's samples.
   */
  public static OptionalDouble revenue(String properties) {
    return TopLevelProperties.readNumber(properties, REVENUE);
  }
}
