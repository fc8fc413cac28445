package io.github.analytics.transforms.metrics;

import java.util.List;
import org.apache.beam.sdk.extensions.zetasketch.HllCount;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Merges the hourly distinct-user sketches of {@link EstimateDistinctUsers} into daily ones: the
 * distinct users of each UTC day, per event type and over all of them ({@value
 * EstimateDistinctUsers#ALL_EVENT_TYPES}), without reading the events again.
 *
 * <p>In: rows of {@link EstimateDistinctUsers#SCHEMA}. Out: {@link #SCHEMA}, one row per day and
 * event type (and pane). The sketch is the union of the day's hourly sketches ({@link
 * HllCount.MergePartial}), so it is the sketch one would have built over the day's users, and the
 * estimate has the hourly metric's error (about 1.04 / sqrt(2^precision)), not a sum of errors. Once
 * the sketches are dense (a few thousand users at precision 12, more at 15) the merged estimate
 * equals exactly that of one sketch over the union; just below, a merge of sparse sketches can stay
 * sparse where one sketch would have gone dense, and the two estimates differ within the error. The
 * precision is the merged sketch's: the smallest of the hourly ones.
 *
 * <p>Windowing: {@code FixedWindows} of one day (UTC midnight to midnight) with the trigger of the
 * {@link WindowPolicy}. A row is windowed by its {@code window_start}: each hourly row is timestamped
 * at the last millisecond of its hour, which lies in the same day. Rows from {@link
 * EstimateDistinctUsers} already have that timestamp (a combine emits at the end of its window); rows
 * timestamped earlier (read back from a table) are moved forward to it; rows timestamped after their
 * hour are dropped and counted (see {@link PeriodEndTimestampFn}), since moving them back would need
 * allowed skew and make them late.
 *
 * <p>Under a streaming policy the hourly rows arrive again at every pane, each with the whole hour so
 * far, and the daily sketch accumulates them all: that is correct because a union of sketches is
 * idempotent (a sketch merged with itself or with a subset of its users is unchanged), so
 * re-emitted hourly rows never inflate the daily estimate.
 *
 * <pre>{@code
 * PCollection<Row> daily = hourly.apply(MergeDistinctUsers.of(WindowPolicy.batch()));
 * }</pre>
 */
public final class MergeDistinctUsers extends MetricTransform<Row> {
  private static final long serialVersionUID = 1L;

  public static final Schema SCHEMA =
      Schema.builder()
          .addDateTimeField("day")
          .addStringField("event_type")
          .addInt64Field("distinct_users")
          .addByteArrayField("sketch")
          .addInt32Field("precision")
          .build();

  /** The columns that identify a row: a later row with the same values replaces it. */
  public static final List<String> KEY_COLUMNS = List.of("day", "event_type");

  static final Duration DAY = Duration.standardDays(1);

  private final WindowPolicy policy;

  private MergeDistinctUsers(WindowPolicy policy) {
    this.policy = policy;
  }

  /** Daily sketches emitted as {@code policy} says. */
  public static MergeDistinctUsers of(WindowPolicy policy) {
    return new MergeDistinctUsers(policy);
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
  public PCollection<Row> expand(PCollection<Row> hourly) {
    return hourly
        .apply("AtEndOfHour",
            ParDo.of(new PeriodEndTimestampFn("window_start", EstimateDistinctUsers.HOUR)))
        .setCoder(hourly.getCoder())
        .apply("KeyByEventType",
            MapElements.into(
                    TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(byte[].class)))
                .via((Row row) -> KV.of(row.getString("event_type"), row.getBytes("sketch"))))
        .apply("Daily", policy.<KV<String, byte[]>>window(FixedWindows.of(DAY)))
        .apply("MergeHours", Combine.<String, byte[], byte[]>perKey(
            SnapshotSafeCombineFn.of(HllCount.MergePartial.<String>perKey().getFn())))
        .apply("ToRows", ParDo.of(new DailyRowFn()))
        .setRowSchema(SCHEMA);
  }

  /** One {@link #SCHEMA} row per (event type, day) and pane. */
  static final class DailyRowFn extends DoFn<KV<String, byte[]>, Row> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(
        @Element KV<String, byte[]> sketch, IntervalWindow window, OutputReceiver<Row> out) {
      HllSketches.Summary summary =
          HllSketches.summarize(sketch.getValue(), MetricConfig.DEFAULT_HLL_PRECISION);
      out.output(
          Row.withSchema(SCHEMA)
              .attachValues(
                  window.start(), sketch.getKey(), summary.estimate(), sketch.getValue(),
                  summary.precision()));
    }
  }
}
