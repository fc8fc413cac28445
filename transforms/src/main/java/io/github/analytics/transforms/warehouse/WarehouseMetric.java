package io.github.analytics.transforms.warehouse;

import io.github.analytics.transforms.metrics.MetricTransform;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A metric over users' histories across days ({@link UserHistory}), computed by the batch layer for
 * the warehouse. A run over some days changes rows of other days too (a user returning today changes
 * the retention of the cohorts of the last 30 days), so each metric says which rows a run rewrites,
 * {@link #replacedDays}, and which days of activity it needs for them, {@link #readDays}: the batch
 * layer reads those days back from the warehouse, and the warehouse replaces exactly the rows of the
 * replaced days. Every row of the replaced days is emitted again, complete, so runs in any order and
 * re-runs leave the same tables.
 */
public abstract class WarehouseMetric extends MetricTransform<UserHistory> implements RewritesDays {
  private static final long serialVersionUID = 1L;

  private final @Nullable DayRange run;

  protected WarehouseMetric(@Nullable DayRange run) {
    this.run = run;
  }

  @Override
  public abstract DayRange replacedDays(DayRange run);

  @Override
  public abstract DayRange readDays(DayRange run);

  /** The days of the run, which {@code MetricConfig.withRunDays} sets. */
  protected DayRange run() {
    if (run == null) {
      throw new IllegalStateException(
          getClass().getSimpleName() + " rewrites the rows a batch run can change, so it needs the"
              + " run's days: build it from MetricConfig.withRunDays(...)");
    }
    return run;
  }

  /** The days of the run, or null outside a batch run (schemas and documentation only). */
  protected @Nullable DayRange runOrNull() {
    return run;
  }

  /** The rows this run writes: {@link #replacedDays} of {@link #run}. */
  protected DayRange replaced() {
    return replacedDays(run());
  }
}
