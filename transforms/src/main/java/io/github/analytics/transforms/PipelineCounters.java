package io.github.analytics.transforms;

import io.github.analytics.schemas.DeadLetterReason;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * The Beam counters that account for every record, in one namespace so that pipelines, summaries and
 * dashboards can query them by name. Records in = {@link #PARSE_VALID} + the dead-letter counters;
 * {@link #PARSE_VALID} = events out + {@link #DUPLICATES_DROPPED}.
 */
public final class PipelineCounters {
  /** The namespace of every counter of this project. */
  public static final String NAMESPACE = "analytics";

  public static final String PARSE_INPUT = "parse_input";
  public static final String PARSE_VALID = "parse_valid";
  public static final String DEAD_LETTER_PREFIX = "dead_letter_";
  public static final String DUPLICATES_DROPPED = "duplicates_dropped";
  public static final String GEO_FOUND = "geo_found";
  public static final String GEO_NOT_FOUND = "geo_not_found";
  public static final String GEO_INVALID_IP = "geo_invalid_ip";
  public static final String GEO_LOOKUP_FAILED = "geo_lookup_failed";
  public static final String USER_AGENT_UNKNOWN = "user_agent_unknown";
  public static final String USER_AGENT_LOOKUP_FAILED = "user_agent_lookup_failed";
  /**
   * Computed sessions whose events carry more than one client session id, each counted once (see
   * {@code SessionizeEvents}).
   */
  public static final String SESSIONS_WITH_SEVERAL_CLIENT_IDS = "sessions_with_several_client_ids";
  /** Purchase events whose properties have no numeric {@code revenue}; they add 0 to a session. */
  public static final String PURCHASE_REVENUE_INVALID = "purchase_revenue_invalid";
  /**
   * Events a funnel could not use because they arrived after the user's funnel state had moved past
   * their time (late by more than the attempts they belong to allow); counted once per funnel.
   */
  public static final String FUNNEL_EVENTS_TOO_LATE = "funnel_events_too_late";
  /**
   * Events the sessions could not take because they fall before the end of a session already let go
   * of, more than the allowed lateness behind the watermark (a session window would have expired).
   */
  public static final String SESSION_EVENTS_TOO_LATE = "session_events_too_late";
  /** Events whose properties could not be read as a JSON object, so no property match can hold. */
  public static final String FUNNEL_PROPERTIES_UNREADABLE = "funnel_properties_unreadable";
  /**
   * Events whose event_type is literally {@code all}, the name the distinct-user metrics reserve for
   * the total: their users count in the total, but they get no row of their own.
   */
  public static final String DISTINCT_USERS_RESERVED_EVENT_TYPE = "distinct_users_reserved_event_type";
  /**
   * Metric rows dropped by a derived metric because they were timestamped after the end of the
   * period they describe, so they could not be re-windowed by that period.
   */
  public static final String METRIC_ROWS_AFTER_THEIR_PERIOD = "metric_rows_after_their_period";
  /** Late panes of windows the anomaly detector had already judged, and ignored. */
  public static final String ANOMALY_LATE_UPDATES_IGNORED = "anomaly_late_updates_ignored";
  /**
   * Users whose first day moved earlier in this run: the warehouse had recorded them first on a day
   * after the run's days (a backfill of earlier days found them). Retention cohorts of their old
   * first day outside the days this run rewrites still count them there until those days are re-run.
   */
  public static final String FIRST_SEEN_MOVED_EARLIER = "first_seen_moved_earlier";

  private PipelineCounters() {}

  /** The counter named {@code name} in the project's namespace. */
  public static Counter counter(String name) {
    return Metrics.counter(NAMESPACE, name);
  }

  /** The name of the counter of records dead-lettered for {@code reason}. */
  public static String deadLetterCounterName(DeadLetterReason reason) {
    return DEAD_LETTER_PREFIX + reason.name();
  }
}
