package io.github.analytics.transforms.warehouse;

/**
 * A warehouse metric whose batch run over some days changes rows of other days too (a user returning
 * today changes the retention of the last 30 days' cohorts; a campaign click today gets credit for
 * purchases of the next 30 days): it says which rows a run rewrites, and which days of its input
 * those rows need. The batch layer reads those days back from the warehouse and replaces exactly the
 * rewritten days, and the metric emits every row of them, so runs in any order and re-runs leave the
 * same tables.
 */
public interface RewritesDays {
  /** The days whose rows (by the metric's day column) a run over {@code run} rewrites. */
  DayRange replacedDays(DayRange run);

  /** The days of input those rows depend on. */
  DayRange readDays(DayRange run);
}
