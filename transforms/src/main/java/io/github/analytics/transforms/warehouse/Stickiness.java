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
 * Stickiness: for each day and each window of the last 7 and 28 days ending on it, how many users
 * were active on exactly N of its days and on N or more (N = 1 .. the window's length), and on how
 * many of its days anyone was active ({@code days_with_data}: a window reaching before the data
 * starts holds fewer). A day gets rows when someone was active in the window and it is not after the
 * last day with data. A run over days D..E rewrites days D to E + 27, whose windows hold its days.
 */
public final class Stickiness extends WarehouseMetric {
  private static final long serialVersionUID = 1L;

  public static final String NAME = "stickiness";
  static final int[] WINDOWS = {7, 28};
  /** The windows' labels in the cells' keys. */
  private static final String[] WINDOW_LABELS = {"7", "28"};
  private static final int LONGEST = 28;

  public static final Schema SCHEMA =
      Schema.builder()
          .addDateTimeField("day")
          .addInt64Field("window_days")
          .addInt64Field("active_days")
          .addInt64Field("users_exactly")
          .addInt64Field("users_at_least")
          .addInt64Field("days_with_data")
          .build();

  public static final List<String> KEY_COLUMNS = List.of("day", "window_days", "active_days");

  private Stickiness(@Nullable DayRange run) {
    super(run);
  }

  public static Stickiness of(@Nullable DayRange run) {
    return new Stickiness(run);
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
  public DayRange replacedDays(DayRange run) {
    return DayRange.of(run.from(), run.to().plusDays(LONGEST - 1));
  }

  @Override
  public DayRange readDays(DayRange run) {
    return DayRange.of(run.from().minusDays(LONGEST - 1), run.to().plusDays(LONGEST - 1));
  }

  @Override
  public PCollection<Row> expand(PCollection<UserHistory> histories) {
    PCollectionView<DataBounds> bounds = DataBounds.of(histories, "DataBounds");
    return histories
        .apply("ActiveDaysOfUsers", ParDo.of(new ActiveDaysFn(replaced())))
        .setCoder(KvCoder.of(Tally.KEY_CODER, Tally.CountsCoder.INSTANCE))
        .apply("PerDayAndWindow", Combine.perKey(new Histogram().merging()))
        .apply("ToRows", ParDo.of(new ToRowsFn(bounds)).withSideInputs(bounds))
        .setRowSchema(SCHEMA);
  }

  /**
   * Per day and window, the bundle's users by their number of active days in it (each user adds its
   * number to the histogram of every day and window it was active in).
   */
  private static final class ActiveDaysFn extends DoFn<UserHistory, KV<KV<String, Long>, long[]>> {
    private static final long serialVersionUID = 1L;
    private final long first;
    private final long last;
    private transient BundlePartials<KV<String, Long>, Long, long[]> cells;

    ActiveDaysFn(DayRange days) {
      this.first = days.fromEpochDay();
      this.last = days.toEpochDay();
    }

    @StartBundle
    public void startBundle() {
      cells = new BundlePartials<>(new Histogram());
    }

    @ProcessElement
    public void process(
        @Element UserHistory user, OutputReceiver<KV<KV<String, Long>, long[]>> out) {
      boolean room = true;
      for (long day = first; day <= last; day++) {
        for (int w = 0; w < WINDOWS.length; w++) {
          int active = user.activeDaysBetween(day - WINDOWS[w] + 1, day);
          if (active > 0) {
            room &= cells.add(KV.of(WINDOW_LABELS[w], day), (long) active);
          }
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
  }

  /** Users by their number of active days: index N counts the users active on N days. */
  private static final class Histogram extends Tally {
    private static final long serialVersionUID = 1L;

    Histogram() {
      super(LONGEST + 1);
    }

    @Override
    void add(long[] counts, long activeDays) {
      counts[(int) activeDays]++;
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
      DataBounds data = c.sideInput(bounds);
      long day = cell.getKey().getValue();
      if (day > data.dataThrough()) {
        return;
      }
      int window = Integer.parseInt(cell.getKey().getKey());
      long[] counts = cell.getValue();
      long withData = data.daysWithData(day - window + 1, day);
      long atLeast = 0;
      long[] atLeastN = new long[window + 2];
      for (int n = window; n >= 1; n--) {
        atLeast += counts[n];
        atLeastN[n] = atLeast;
      }
      Instant start = new Instant(day * Periods.DAY_MILLIS);
      for (int n = 1; n <= window; n++) {
        out.output(Row.withSchema(SCHEMA).attachValues(
            start, (long) window, (long) n, counts[n], atLeastN[n], withData));
      }
    }
  }
}
