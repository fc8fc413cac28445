package io.github.analytics.transforms.metrics;

import io.github.analytics.transforms.warehouse.FirstSeen;
import io.github.analytics.transforms.warehouse.RetentionCohorts;
import io.github.analytics.transforms.warehouse.RevenueAttribution;
import io.github.analytics.transforms.warehouse.Stickiness;
import io.github.analytics.transforms.warehouse.UserActivityDaily;
import io.github.analytics.transforms.warehouse.UserLifecycle;
import io.github.analytics.transforms.warehouse.UserTouchpoints;
import java.util.List;

/**
 * The metric catalog: every metric both layers compute, in the order they are applied (a derived
 * metric after the metric it reads). Adding a metric is one transform, one test and one line here;
 * the batch pipeline then writes it to its own warehouse table and the streaming pipeline to its sinks.
 *
 * <p>Names are table names and never change once released: a renamed metric is a new table, and a
 * streaming job's state is keyed by step names derived from them. {@code MetricCatalogTest} pins the
 * names and schemas.
 */
public final class MetricCatalog {
  private MetricCatalog() {}

  /** Every metric, in application order. */
  public static List<MetricDefinition> all() {
    return List.of(
        MetricDefinition.onEvents("event_counts_per_minute",
            "Events per minute of event time by event_type, platform and country", "window_start",
            c -> CountPerMinute.of(c.policy())),
        MetricDefinition.onEvents("distinct_users_hourly",
            "Estimated distinct users (HLL++ sketch) per hour of event time, per event_type and over all",
            "window_start", c -> EstimateDistinctUsers.of(c.policy(), c.hllPrecision())),
        MetricDefinition.derivedFrom("distinct_users_hourly", "distinct_users_daily",
            "Estimated distinct users per UTC day, per event_type and over all, merged from the hourly"
                + " sketches",
            "day", c -> MergeDistinctUsers.of(c.policy())),
        MetricDefinition.derivedFrom("distinct_users_daily", "active_users",
            "Active users over the last 1, 7, 28 and 30 days, merged from the daily sketches",
            "day", c -> CountActiveUsers.of(c.policy())),
        MetricDefinition.onEvents("sessions",
            "User sessions: events separated by less than the inactivity gap, per user_id", "session_start",
            c -> SessionizeEvents.of(c.policy(), c.sessionGap())),
        MetricDefinition.onEvents("funnel_conversion",
            "Users reaching each step of each conversion funnel per UTC day of the attempt's start,"
                + " with step and overall conversion and the median seconds from the first step",
            "day", c -> TrackFunnels.of(c.funnels(), c.policy())),
        MetricDefinition.onEvents("anomalies",
            "Per-minute event counts per event_type beyond the threshold in standard deviations of"
                + " their rolling mean",
            "window_start",
            c -> DetectAnomalies.of(c.policy()).withHistory(c.anomalyHistory())
                .withMinHistory(c.anomalyMinHistory()).withThreshold(c.anomalyThreshold())),
        MetricDefinition.onEvents("errors_per_version_per_minute",
            "Error events per minute of event time by app_version and platform", "window_start",
            c -> CountErrorsPerVersion.of(c.policy())));
  }

  /**
   * The warehouse analytics, which only the batch layer computes: each user's activity per day, then
   * metrics over users' histories across days ({@link MetricDefinition#overUserHistories}), which read
   * earlier and later days back from the warehouse and rewrite the rows a run can change.
   */
  public static List<MetricDefinition> warehouse() {
    return List.of(
        MetricDefinition.onEvents(UserActivityDaily.NAME,
            "What each user did on each UTC day: events, event types, purchase revenue, first and last"
                + " event time",
            "day", c -> UserActivityDaily.of(c.policy())),
        MetricDefinition.overUserHistories(FirstSeen.NAME,
            "The first UTC day each user sent each event type, and any event ('all'), over all runs",
            "first_seen_day", c -> FirstSeen.of(c.runDays())),
        MetricDefinition.overUserHistories(RetentionCohorts.DAILY,
            "Daily retention cohorts (first-time and recurring): users of each cohort day active N = 0..30"
                + " days later, exactly then and then or later",
            "cohort_day", c -> RetentionCohorts.daily(c.runDays()).withEvents(
                c.analytics().retentionStartEvent(), c.analytics().retentionReturnEvent())),
        MetricDefinition.overUserHistories(RetentionCohorts.WEEKLY,
            "Weekly retention cohorts (ISO weeks): users of each cohort week active N = 0..12 weeks later,"
                + " exactly then and then or later",
            "cohort_week", c -> RetentionCohorts.weekly(c.runDays()).withEvents(
                c.analytics().retentionStartEvent(), c.analytics().retentionReturnEvent())),
        MetricDefinition.overUserHistories(Stickiness.NAME,
            "Users active on exactly and at least N of the last 7 and 28 days, per day",
            "day", c -> Stickiness.of(c.runDays())),
        MetricDefinition.overUserHistories(UserLifecycle.NAME,
            "New, returning, resurrecting and dormant users per day and per ISO week",
            "period_start", c -> UserLifecycle.of(c.runDays())),
        MetricDefinition.onEvents(UserTouchpoints.NAME,
            "Each user's marketing touchpoints (utm_source or referrer, with source, medium and"
                + " campaign) and purchases (with revenue), one row per event",
            "event_timestamp", c -> UserTouchpoints.of(c.analytics())),
        MetricDefinition.derivedFrom(UserTouchpoints.NAME, RevenueAttribution.NAME,
            "Purchase revenue credited to the touchpoints of the 30 days (--attributionLookbackDays)"
                + " before, per purchase day,"
                + " channel and model (first touch, last touch, linear, position-based 40/20/40, time"
                + " decay with a 7-day half-life)",
            "day", c -> RevenueAttribution.of(c.runDays(), c.analytics().lookbackDays())));
  }

  /** The definition named {@code name}, in {@link #all} or {@link #warehouse}. */
  public static MetricDefinition named(String name) {
    return java.util.stream.Stream.concat(all().stream(), warehouse().stream())
        .filter(m -> m.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "No metric named '" + name + "'; the catalog has "
                + all().stream().map(MetricDefinition::name).toList() + " and "
                + warehouse().stream().map(MetricDefinition::name).toList()));
  }
}
