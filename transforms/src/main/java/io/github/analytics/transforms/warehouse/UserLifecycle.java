package io.github.analytics.transforms.warehouse;

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
 * Lifecycle per day and per ISO week: each user active in the period or the one before is exactly
 * one of
 *
 * <ul>
 *   <li>{@code new}: active in the period, which holds their first day over all runs;
 *   <li>{@code returning}: active in the period and the one before, first seen before the period;
 *   <li>{@code resurrecting}: active in the period but not the one before, first seen earlier;
 *   <li>{@code dormant}: active in the period before but not in this one.
 * </ul>
 *
 * <p>So {@code active_users} = new + returning + resurrecting, and the previous period's active
 * users = returning + dormant. A period gets a row when someone was active in it or the one before,
 * and it does not start after the last day with data. A run over days D..E rewrites the periods from
 * the Monday of D's week to the Monday after the week of E + {@value FirstSeen#MOVES} (rows of both
 * periods on those days): a user the run finds earlier is no longer new on a later day.
 */
public final class UserLifecycle extends WarehouseMetric {
  private static final long serialVersionUID = 1L;

  public static final String NAME = "user_lifecycle";

  private static final int NEW = 0;
  private static final int RETURNING = 1;
  private static final int RESURRECTING = 2;
  private static final int DORMANT = 3;

  public static final Schema SCHEMA =
      Schema.builder()
          .addStringField("period")
          .addDateTimeField("period_start")
          .addInt64Field("active_users")
          .addInt64Field("new_users")
          .addInt64Field("returning_users")
          .addInt64Field("resurrecting_users")
          .addInt64Field("dormant_users")
          .build();

  public static final List<String> KEY_COLUMNS = List.of("period_start", "period");

  private UserLifecycle(@Nullable DayRange run) {
    super(run);
  }

  public static UserLifecycle of(@Nullable DayRange run) {
    return new UserLifecycle(run);
  }

  @Override
  public Schema outputSchema() {
    return SCHEMA;
  }

  @Override
  public List<String> keyColumns() {
    return KEY_COLUMNS;
  }

  /**
   * From the Monday of the run's first week to the Monday after its last, and on to the weeks of the
   * {@value FirstSeen#MOVES} days after it, whose new users may have been found earlier.
   */
  @Override
  public DayRange replacedDays(DayRange run) {
    return DayRange.of(DayRange.monday(run.from()),
        DayRange.monday(run.to().plusDays(FirstSeen.MOVES)).plusDays(7));
  }

  @Override
  public DayRange readDays(DayRange run) {
    DayRange replaced = replacedDays(run);
    return DayRange.of(replaced.from().minusDays(7), replaced.to().plusDays(6));
  }

  @Override
  public PCollection<Row> expand(PCollection<UserHistory> histories) {
    PCollectionView<DataBounds> bounds = DataBounds.of(histories, "DataBounds");
    return histories
        .apply("ClassifyUsers", ParDo.of(new ClassifyFn(replaced())))
        .setCoder(KvCoder.of(Tally.KEY_CODER, Tally.CountsCoder.INSTANCE))
        .apply("PerPeriod", Combine.perKey(new ClassTally().merging()))
        .apply("ToRows", ParDo.of(new ToRowsFn(bounds)).withSideInputs(bounds))
        .setRowSchema(SCHEMA);
  }

  /** Per period, the bundle's users by class: each user adds its class in each period. */
  private static final class ClassifyFn extends DoFn<UserHistory, KV<KV<String, Long>, long[]>> {
    private static final long serialVersionUID = 1L;
    private final DayRange days;
    private transient BundlePartials<KV<String, Long>, Long, long[]> cells;

    ClassifyFn(DayRange days) {
      this.days = days;
    }

    @StartBundle
    public void startBundle() {
      cells = new BundlePartials<>(new ClassTally());
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      cells.emit(context);
    }

    @ProcessElement
    public void process(
        @Element UserHistory user, OutputReceiver<KV<KV<String, Long>, long[]>> out) {
      boolean room = true;
      long firstDay = user.firstSeen(UserHistory.ANY);
      for (Periods period : Periods.values()) {
        long firstIndex = period.of(days.fromEpochDay());
        long lastIndex = period.of(days.toEpochDay());
        for (long p = firstIndex; p <= lastIndex; p++) {
          if (!days.contains(period.firstDay(p))) {
            continue;
          }
          boolean now = period.active(user, p, UserHistory.ANY);
          boolean before = period.active(user, p - 1, UserHistory.ANY);
          int kind;
          if (now) {
            if (period.of(firstDay) == p) {
              kind = NEW;
            } else {
              kind = before ? RETURNING : RESURRECTING;
            }
          } else if (before) {
            kind = DORMANT;
          } else {
            continue;
          }
          room &= cells.add(KV.of(period.label(), p), (long) kind);
        }
      }
      if (!room) {
        cells.emit(out);
      }
    }
  }

  private static final class ClassTally extends Tally {
    private static final long serialVersionUID = 1L;

    ClassTally() {
      super(4);
    }

    @Override
    void add(long[] counts, long kind) {
      counts[(int) kind]++;
    }
  }

  private static final class ToRowsFn extends DoFn<KV<KV<String, Long>, long[]>, Row> {
    private static final long serialVersionUID = 1L;
    private final PCollectionView<DataBounds> bounds;

    ToRowsFn(PCollectionView<DataBounds> bounds) {
      this.bounds = bounds;
    }

    @ProcessElement
    public void process(
        @Element KV<KV<String, Long>, long[]> cell, OutputReceiver<Row> out, ProcessContext c) {
      String label = cell.getKey().getKey();
      Periods period = label.equals(Periods.DAY.label()) ? Periods.DAY : Periods.WEEK;
      long start = period.firstDay(cell.getKey().getValue());
      if (start > c.sideInput(bounds).dataThrough()) {
        return;
      }
      long[] n = cell.getValue();
      out.output(Row.withSchema(SCHEMA).attachValues(
          label, new Instant(start * Periods.DAY_MILLIS), n[NEW] + n[RETURNING] + n[RESURRECTING],
          n[NEW], n[RETURNING], n[RESURRECTING], n[DORMANT]));
    }
  }
}
