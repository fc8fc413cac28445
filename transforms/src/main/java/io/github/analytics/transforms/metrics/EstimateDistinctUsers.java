package io.github.analytics.transforms.metrics;

import java.util.List;
import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.PipelineCounters;
import org.apache.beam.sdk.extensions.zetasketch.HllCount;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;

/**
 * Estimates the distinct users per hour of event time, per event type and over all event types,
 * with HyperLogLog++ sketches ({@link HllCount}, ZetaSketch): the format BigQuery's {@code
 * HLL_COUNT.MERGE} and {@code HLL_COUNT.EXTRACT} read, so the hourly sketches can be merged into any
 * coarser period in the warehouse as well as by {@link MergeDistinctUsers}.
 *
 * <p>In: enriched {@link Event}s, timestamped at event time; {@code user_id} is what is counted. Out:
 * {@link #SCHEMA}, one row per hour and event type, plus one per hour with {@code event_type} {@value
 * #ALL_EVENT_TYPES} for the users of any type. Windowing: {@code FixedWindows} of one hour, with the
 * trigger of the {@link WindowPolicy}; under a streaming policy an hour's rows are emitted again, each
 * time with the sketch of all its users so far.
 *
 * <p>The {@value #ALL_EVENT_TYPES} sketch counts every event's user once more, under the key {@value
 * #ALL_EVENT_TYPES}, in the same hourly windows, rather than being merged from the per-type sketches
 * in a second combine. Every pane, late ones included, is timestamped at the last millisecond of its
 * hour (Beam's end-of-window timestamp; {@code MergeDistinctUsersTest} pins that a late pane's users
 * reach the day). An event whose type is literally {@value #ALL_EVENT_TYPES} counts in the total but gets no row
 * of its own; it is counted in {@link PipelineCounters#DISTINCT_USERS_RESERVED_EVENT_TYPE}.
 *
 * <p>Accuracy: the relative standard error of an estimate is about 1.04 / sqrt(2^precision): 1.6% at
 * precision 12, 1.15% at 13, 0.81% at 14, 0.57% at 15 (the default, BigQuery's); three standard
 * errors (1.7% at 15) bound almost every estimate. Small sets are counted in the sketch's sparse
 * mode, where the estimate is nearly exact. A sketch takes up to 2^precision bytes (dense mode: 32
 * KiB at 15); sparse sketches of few users are much smaller.
 *
 * <pre>{@code
 * PCollection<Row> hourly =
 *     events.apply(EstimateDistinctUsers.of(WindowPolicy.batch(), MetricConfig.DEFAULT_HLL_PRECISION));
 * }</pre>
 */
public final class EstimateDistinctUsers extends MetricTransform<Event> {
  private static final long serialVersionUID = 1L;

  /** The {@code event_type} of the rows that count the users of every event type. */
  public static final String ALL_EVENT_TYPES = "all";

  public static final Schema SCHEMA =
      Schema.builder()
          .addDateTimeField("window_start")
          .addDateTimeField("window_end")
          .addStringField("event_type")
          .addInt64Field("distinct_users")
          .addByteArrayField("sketch")
          .addInt32Field("precision")
          .build();

  /** The columns that identify a row: a later row with the same values replaces it. */
  public static final List<String> KEY_COLUMNS = List.of("window_start", "event_type");

  static final Duration HOUR = Duration.standardHours(1);

  private final WindowPolicy policy;
  private final int precision;

  private EstimateDistinctUsers(WindowPolicy policy, int precision) {
    if (precision < HllCount.MINIMUM_PRECISION || precision > HllCount.MAXIMUM_PRECISION) {
      throw new IllegalArgumentException(
          "The HLL++ precision must be between " + HllCount.MINIMUM_PRECISION + " and "
              + HllCount.MAXIMUM_PRECISION + ", got " + precision + "; "
              + MetricConfig.DEFAULT_HLL_PRECISION + " is BigQuery's default");
    }
    this.policy = policy;
    this.precision = precision;
  }

  /** Sketches of {@code precision} (10 to 24) emitted as {@code policy} says. */
  public static EstimateDistinctUsers of(WindowPolicy policy, int precision) {
    return new EstimateDistinctUsers(policy, precision);
  }

  /** A copy with sketches of {@code value} (10 to 24). */
  public EstimateDistinctUsers withPrecision(int value) {
    return new EstimateDistinctUsers(policy, value);
  }

  public int precision() {
    return precision;
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
  public PCollection<Row> expand(PCollection<Event> events) {
    PCollection<KV<String, byte[]>> sketches =
        perEvent(events, "KeyByEventTypeAndAll", new EventTypeUserFn())
            .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
            .apply("Hourly", policy.<KV<String, String>>window(FixedWindows.of(HOUR)))
            .apply("SketchPerType",
                CombineInBundles.<String, String, byte[], byte[]>of(
                    HllSketches.init(precision), HllSketches.merge()));
    return sketches
        .apply("ToRows", ParDo.of(new HourlyRowFn(precision)))
        .setRowSchema(SCHEMA);
  }

  /**
   * (event_type, user_id) and ({@value #ALL_EVENT_TYPES}, user_id) per event; an event whose type is
   * the reserved total's name goes into the total only, and is counted.
   */
  static final class EventTypeUserFn extends PerEventFn<KV<String, String>> {
    private static final long serialVersionUID = 1L;

    private final Counter reservedType =
        PipelineCounters.counter(PipelineCounters.DISTINCT_USERS_RESERVED_EVENT_TYPE);

    @Override
    protected void process(Event event, OutputReceiver<KV<String, String>> out) {
      if (ALL_EVENT_TYPES.equals(event.getEventType())) {
        reservedType.inc();
      } else {
        out.output(KV.of(event.getEventType(), event.getUserId()));
      }
      out.output(KV.of(ALL_EVENT_TYPES, event.getUserId()));
    }
  }

  /** One {@link #SCHEMA} row per (event type, hour) and pane. */
  static final class HourlyRowFn extends DoFn<KV<String, byte[]>, Row> {
    private static final long serialVersionUID = 1L;

    private final int precision;

    HourlyRowFn(int precision) {
      this.precision = precision;
    }

    @ProcessElement
    public void process(
        @Element KV<String, byte[]> sketch, IntervalWindow window, OutputReceiver<Row> out) {
      HllSketches.Summary summary = HllSketches.summarize(sketch.getValue(), precision);
      out.output(
          Row.withSchema(SCHEMA)
              .attachValues(
                  window.start(), window.end(), sketch.getKey(), summary.estimate(),
                  sketch.getValue(), summary.precision()));
    }
  }
}
