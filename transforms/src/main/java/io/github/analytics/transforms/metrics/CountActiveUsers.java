package io.github.analytics.transforms.metrics;

import java.util.List;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.SetCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.zetasketch.HllCount;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.CombineFns;
import org.apache.beam.sdk.transforms.CombineFns.CoCombineResult;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Counts the active users of the last 1, 7, 28 and 30 days (daily, weekly and monthly active users)
 * by merging the daily sketches of {@link MergeDistinctUsers} over all event types ({@code event_type
 * = }{@value EstimateDistinctUsers#ALL_EVENT_TYPES}; the other rows are ignored).
 *
 * <p>In: rows of {@link MergeDistinctUsers#SCHEMA}. Out: {@link #SCHEMA}, one row per day, window
 * length and pane: {@code day} is the last day of the window, {@code active_users} the estimated
 * distinct users of days {@code day - window_days + 1} to {@code day} (the union of their daily
 * sketches, with the error of one sketch: about 1.04 / sqrt(2^precision)), and {@code
 * days_with_data} how many of those days had a daily sketch. Fewer than {@code window_days} days
 * with data means the window is only partly covered by the input: for example the 28-day row of the
 * 10th day of a batch run over 10 days says {@code days_with_data = 10}, and its count is a lower
 * bound of the true 28-day count. A window is written only once its last day has data, so a run over
 * days 1 to 10 writes days 1 to 10, not the 29 days after it (whose windows would hold a part of the
 * run's days only); a day without any event has no row.
 *
 * <p>Windowing: {@code SlidingWindows} of {@code window_days} days every day (UTC), with the trigger of
 * the {@link WindowPolicy}; the rows come out in the one-day {@code FixedWindows} of their {@code
 * day}, so the rows of every length share one windowing. Each daily row is timestamped at the last millisecond of its day (see
 * {@link PeriodEndTimestampFn}). Under a streaming policy the daily rows arrive again at every pane;
 * the accumulator holds the union of the sketches, which is idempotent, and the set of days seen, not
 * a count, so re-emitted rows inflate neither {@code active_users} nor {@code days_with_data}.
 *
 * <pre>{@code
 * PCollection<Row> active = daily.apply(CountActiveUsers.of(WindowPolicy.batch()));
 * }</pre>
 */
public final class CountActiveUsers extends MetricTransform<Row> {
  private static final long serialVersionUID = 1L;

  public static final Schema SCHEMA =
      Schema.builder()
          .addDateTimeField("day")
          .addInt32Field("window_days")
          .addInt64Field("active_users")
          .addInt64Field("days_with_data")
          .addInt32Field("precision")
          .build();

  /** The columns that identify a row: a later row with the same values replaces it. */
  public static final List<String> KEY_COLUMNS = List.of("day", "window_days");

  /** Daily, weekly, and monthly active users (28 days: four whole weeks; 30: about a month). */
  private static final int[] DEFAULT_WINDOW_DAYS = {1, 7, 28, 30};

  private static final Duration DAY = MergeDistinctUsers.DAY;
  private static final TupleTag<byte[]> SKETCH = new TupleTag<>("sketch");
  private static final TupleTag<Set<Long>> DAYS = new TupleTag<>("days");

  private final WindowPolicy policy;
  private final int[] windowDays;

  private CountActiveUsers(WindowPolicy policy, int[] windowDays) {
    if (windowDays.length == 0) {
      throw new IllegalArgumentException("Give at least one window length in days, e.g. 1, 7, 28");
    }
    int[] sorted = windowDays.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) {
      if (sorted[i] < 1 || (i > 0 && sorted[i] == sorted[i - 1])) {
        throw new IllegalArgumentException(
            "Window lengths must be distinct positive numbers of days, got "
                + Arrays.toString(windowDays));
      }
    }
    this.policy = policy;
    this.windowDays = sorted;
  }

  /** Active users over the last 1, 7, 28 and 30 days, emitted as {@code policy} says. */
  public static CountActiveUsers of(WindowPolicy policy) {
    return new CountActiveUsers(policy, DEFAULT_WINDOW_DAYS);
  }

  /** A copy over windows of the given numbers of days instead (distinct, positive). */
  public CountActiveUsers withWindowDays(int... days) {
    return new CountActiveUsers(policy, days);
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
  public PCollection<Row> expand(PCollection<Row> daily) {
    PCollection<Row> allTypes =
        daily
            .apply("AllEventTypes",
                Filter.by((Row row) ->
                    EstimateDistinctUsers.ALL_EVENT_TYPES.equals(row.getString("event_type"))))
            .apply("AtEndOfDay", ParDo.of(new PeriodEndTimestampFn("day", DAY)))
            .setCoder(daily.getCoder());
    PCollectionList<Row> perLength = PCollectionList.empty(daily.getPipeline());
    for (int days : windowDays) {
      // Step names carry the length, so adding a length keeps the others' state.
      String name = "Last" + days + "Days";
      PCollection<Row> rows =
          allTypes
              .apply(name + "Windows",
                  policy.<Row>window(SlidingWindows.of(Duration.standardDays(days)).every(DAY)))
              .apply(name + "Merge", Combine.globally(sketchAndDays()).withoutDefaults())
              .setCoder(SerializableCoder.of(CoCombineResult.class))
              .apply(name + "ToRows", ParDo.of(new ActiveUsersRowFn(days)))
              .setRowSchema(SCHEMA)
              // A row is timestamped at the end of its last day: in that day's window, every
              // length's rows share one windowing and can be flattened.
              .apply(name + "ByDay", policy.<Row>window(FixedWindows.of(DAY)));
      perLength = perLength.and(rows);
    }
    return perLength.apply("AllLengths", Flatten.pCollections()).setRowSchema(SCHEMA);
  }

  /**
   * The union of the daily sketches ({@link HllCount.MergePartial}'s own combine) together with the
   * set of days merged: both are idempotent, so a row seen twice counts once.
   */
  @SuppressWarnings("unchecked")
  static CombineFns.ComposedCombineFn<Row> sketchAndDays() {
    CombineFn<byte[], ?, byte[]> union = SnapshotSafeCombineFn.of(
        (CombineFn<byte[], ?, byte[]>) (CombineFn<?, ?, ?>) HllCount.MergePartial.globally().getFn());
    return CombineFns.compose()
        .with(new SketchOfRowFn(), ByteArrayCoder.of(), union, SKETCH)
        .with(new DayOfRowFn(), VarLongCoder.of(), new DistinctDaysFn(), DAYS);
  }

  static final class SketchOfRowFn extends SimpleFunction<Row, byte[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] apply(Row row) {
      return row.getBytes("sketch");
    }
  }

  /** The day, as milliseconds since the epoch. */
  static final class DayOfRowFn extends SimpleFunction<Row, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Long apply(Row row) {
      return row.getDateTime("day").getMillis();
    }
  }

  /** The set of distinct days seen: a count of them that re-emitted rows cannot inflate. */
  static final class DistinctDaysFn extends CombineFn<Long, Set<Long>, Set<Long>> {
    private static final long serialVersionUID = 1L;

    @Override
    public Set<Long> createAccumulator() {
      return new TreeSet<>();
    }

    @Override
    public Set<Long> addInput(Set<Long> days, Long day) {
      days.add(day);
      return days;
    }

    @Override
    public Set<Long> mergeAccumulators(Iterable<Set<Long>> accumulators) {
      Set<Long> merged = new TreeSet<>();
      for (Set<Long> days : accumulators) {
        merged.addAll(days);
      }
      return merged;
    }

    @Override
    public Set<Long> extractOutput(Set<Long> days) {
      return new TreeSet<>(days);
    }

    @Override
    public Coder<Set<Long>> getAccumulatorCoder(CoderRegistry registry, Coder<Long> inputCoder) {
      return SetCoder.of(VarLongCoder.of());
    }

    @Override
    public Coder<Set<Long>> getDefaultOutputCoder(CoderRegistry registry, Coder<Long> inputCoder) {
      return SetCoder.of(VarLongCoder.of());
    }
  }

  /** One {@link #SCHEMA} row per window whose last day has data. */
  static final class ActiveUsersRowFn extends DoFn<CoCombineResult, Row> {
    private static final long serialVersionUID = 1L;

    private final int windowDays;

    ActiveUsersRowFn(int windowDays) {
      this.windowDays = windowDays;
    }

    @ProcessElement
    public void process(
        @Element CoCombineResult merged, IntervalWindow window, OutputReceiver<Row> out) {
      Instant lastDay = window.end().minus(DAY);
      Set<Long> days = merged.get(DAYS);
      if (!days.contains(lastDay.getMillis())) {
        return;
      }
      HllSketches.Summary summary =
          HllSketches.summarize(merged.get(SKETCH), MetricConfig.DEFAULT_HLL_PRECISION);
      out.output(
          Row.withSchema(SCHEMA)
              .attachValues(
                  lastDay, windowDays, summary.estimate(), (long) days.size(), summary.precision()));
    }
  }
}
