package io.github.analytics.transforms.warehouse;

import java.time.LocalDate;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Retention cohorts by day (N = 0..{@value #DAILY_HORIZON} days) or by ISO week (N = 0..{@value
 * #WEEKLY_HORIZON} weeks), as product-analytics tools define them:
 *
 * <ul>
 *   <li>{@code first_time} cohorts: the users whose first {@code start} event, over all runs, falls in
 *       the period; {@code recurring} cohorts: the users who sent a {@code start} event in the period,
 *       first or not (a user is in every such cohort).
 *   <li>{@code retained} (bounded): users of the cohort who sent a {@code return} event in period N
 *       after it; {@code retained_or_later} (unbounded): in period N or any later one up to the
 *       horizon. Both count each user once.
 *   <li>{@code complete}: period N has ended on or before the last day with data; later cells are
 *       emitted with what is known so far.
 * </ul>
 *
 * <p>Start and return events are {@value UserHistory#ANY} (any event) by default, or an event type.
 * A run over days D..E rewrites the cohorts whose horizon touches them, from D minus the horizon, to
 * E + {@value FirstSeen#MOVES} (first-time cohorts lose the users the run finds earlier), whole weeks
 * for the weekly table, reading their activity back from the warehouse.
 */
public final class RetentionCohorts extends WarehouseMetric {
  private static final long serialVersionUID = 1L;

  public static final String DAILY = "retention_daily";
  public static final String WEEKLY = "retention_weekly";
  public static final int DAILY_HORIZON = 30;
  public static final int WEEKLY_HORIZON = 12;

  public static final String FIRST_TIME = "first_time";
  public static final String RECURRING = "recurring";

  public static final Schema DAILY_SCHEMA = schema("cohort_day", "day_n");
  public static final Schema WEEKLY_SCHEMA = schema("cohort_week", "week_n");

  private final Periods period;
  private final int horizon;
  private final String startEvent;
  private final String returnEvent;

  private RetentionCohorts(
      @Nullable DayRange run, Periods period, String startEvent, String returnEvent) {
    super(run);
    this.period = period;
    this.horizon = period == Periods.DAY ? DAILY_HORIZON : WEEKLY_HORIZON;
    this.startEvent = startEvent;
    this.returnEvent = returnEvent;
  }

  /** Daily cohorts, any event starting and returning. */
  public static RetentionCohorts daily(@Nullable DayRange run) {
    return new RetentionCohorts(run, Periods.DAY, UserHistory.ANY, UserHistory.ANY);
  }

  /** Weekly cohorts, any event starting and returning. */
  public static RetentionCohorts weekly(@Nullable DayRange run) {
    return new RetentionCohorts(run, Periods.WEEK, UserHistory.ANY, UserHistory.ANY);
  }

  /** The same cohorts started by {@code start} and retained by {@code returning} event types. */
  public RetentionCohorts withEvents(String start, String returning) {
    return new RetentionCohorts(runOrNull(), period, start, returning);
  }

  private static Schema schema(String cohortColumn, String offsetColumn) {
    return Schema.builder()
        .addStringField("cohort_type")
        .addDateTimeField(cohortColumn)
        .addInt64Field(offsetColumn)
        .addStringField("start_event")
        .addStringField("return_event")
        .addInt64Field("cohort_size")
        .addInt64Field("retained")
        .addInt64Field("retained_or_later")
        .addBooleanField("complete")
        .build();
  }

  private Schema rowSchema() {
    return period == Periods.DAY ? DAILY_SCHEMA : WEEKLY_SCHEMA;
  }

  @Override
  public Schema outputSchema() {
    return rowSchema();
  }

  @Override
  public List<String> keyColumns() {
    Schema schema = rowSchema();
    return List.of(schema.getField(1).getName(), "cohort_type", schema.getField(2).getName(),
        "start_event", "return_event");
  }

  /**
   * The cohorts whose cells hold the run's days (the horizon before them), the run's own, and those of
   * the {@value FirstSeen#MOVES} days after, whose first-time users may have been found earlier.
   */
  @Override
  public DayRange replacedDays(DayRange run) {
    LocalDate last = run.to().plusDays(FirstSeen.MOVES);
    if (period == Periods.DAY) {
      return DayRange.of(run.from().minusDays(horizon), last);
    }
    return DayRange.of(DayRange.monday(run.from()).minusWeeks(horizon), DayRange.monday(last));
  }

  @Override
  public DayRange readDays(DayRange run) {
    DayRange cohorts = replacedDays(run);
    if (period == Periods.DAY) {
      return DayRange.of(cohorts.from(), cohorts.to().plusDays(horizon));
    }
    return DayRange.of(cohorts.from(), cohorts.to().plusWeeks(horizon).plusDays(6));
  }

  @Override
  public PCollection<Row> expand(PCollection<UserHistory> histories) {
    PCollectionView<DataBounds> bounds = DataBounds.of(histories, "DataBounds");
    DayRange cohorts = replaced();
    return histories
        .apply("CohortsOfUsers", ParDo.of(new CohortsFn(this, cohorts)))
        .setCoder(KvCoder.of(Tally.KEY_CODER, Tally.CountsCoder.INSTANCE))
        .apply("PerCohort", Combine.perKey(new RetentionTally(horizon).merging()))
        .apply("ToRows", ParDo.of(new ToRowsFn(this, bounds)).withSideInputs(bounds))
        .setRowSchema(rowSchema());
  }

  /**
   * Per cohort, the bundle's users' counts: each user adds, to each cohort it belongs to, a mask of the
   * periods after the cohort's (bit N: period N) in which it sent a return event.
   */
  private static final class CohortsFn extends DoFn<UserHistory, KV<KV<String, Long>, long[]>> {
    private static final long serialVersionUID = 1L;
    private transient BundlePartials<KV<String, Long>, Long, long[]> cells;
    private final Periods period;
    private final int horizon;
    private final String startEvent;
    private final String returnEvent;
    private final long firstCohort;
    private final long lastCohort;

    CohortsFn(RetentionCohorts spec, DayRange cohorts) {
      this.period = spec.period;
      this.horizon = spec.horizon;
      this.startEvent = spec.startEvent;
      this.returnEvent = spec.returnEvent;
      this.firstCohort = period.of(cohorts.fromEpochDay());
      this.lastCohort = period.of(cohorts.toEpochDay());
    }

    @StartBundle
    public void startBundle() {
      cells = new BundlePartials<>(new RetentionTally(horizon));
    }

    @ProcessElement
    public void process(
        @Element UserHistory user, OutputReceiver<KV<KV<String, Long>, long[]>> out) {
      boolean room = true;
      long first = user.firstSeen(startEvent);
      if (first != UserHistory.NONE) {
        long cohort = period.of(first);
        if (cohort >= firstCohort && cohort <= lastCohort) {
          room &= cells.add(KV.of(FIRST_TIME, cohort), returns(user, cohort));
        }
      }
      for (long cohort = firstCohort; cohort <= lastCohort; cohort++) {
        if (period.active(user, cohort, startEvent)) {
          room &= cells.add(KV.of(RECURRING, cohort), returns(user, cohort));
        }
      }
      if (!room) {
        cells.emit(out);
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      cells.emit(context);
    }

    private long returns(UserHistory user, long cohort) {
      long mask = 0;
      for (int n = 0; n <= horizon; n++) {
        if (period.active(user, cohort + n, returnEvent)) {
          mask |= 1L << n;
        }
      }
      return mask;
    }
  }

  /** [cohort size, retained by N (horizon + 1), retained in N or later (horizon + 1)]. */
  private static final class RetentionTally extends Tally {
    private static final long serialVersionUID = 1L;
    private final int horizon;

    RetentionTally(int horizon) {
      super(2 * horizon + 3);
      this.horizon = horizon;
    }

    @Override
    void add(long[] counts, long mask) {
      counts[0]++;
      for (int n = 0; n <= horizon; n++) {
        if ((mask & (1L << n)) != 0) {
          counts[1 + n]++;
        }
      }
      // Returned in N or later: every N up to the last period the user returned in.
      int last = 63 - Long.numberOfLeadingZeros(mask);
      for (int n = 0; n <= last; n++) {
        counts[2 + horizon + n]++;
      }
    }
  }

  private static final class ToRowsFn extends DoFn<KV<KV<String, Long>, long[]>, Row> {
    private static final long serialVersionUID = 1L;
    private final Periods period;
    private final int horizon;
    private final String startEvent;
    private final String returnEvent;
    private final Schema schema;
    private final PCollectionView<DataBounds> bounds;

    ToRowsFn(RetentionCohorts spec, PCollectionView<DataBounds> bounds) {
      this.period = spec.period;
      this.horizon = spec.horizon;
      this.startEvent = spec.startEvent;
      this.returnEvent = spec.returnEvent;
      this.schema = spec.rowSchema();
      this.bounds = bounds;
    }

    @ProcessElement
    public void process(
        @Element KV<KV<String, Long>, long[]> cohort, OutputReceiver<Row> out, ProcessContext c) {
      long through = c.sideInput(bounds).dataThrough();
      long index = cohort.getKey().getValue();
      long[] counts = cohort.getValue();
      Instant start = new Instant(period.firstDay(index) * Periods.DAY_MILLIS);
      for (int n = 0; n <= horizon; n++) {
        out.output(Row.withSchema(schema).attachValues(
            cohort.getKey().getKey(), start, (long) n, startEvent, returnEvent, counts[0],
            counts[1 + n], counts[2 + horizon + n], period.lastDay(index + n) <= through));
      }
    }
  }
}
