package io.github.analytics.transforms.metrics;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.users.UserMetric;
import io.github.analytics.transforms.users.UserStage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Conversion funnels: per funnel, UTC day and step, how many distinct users reached the step, the
 * conversion from the previous step and from step 1, and the median time from the first step.
 *
 * <p>In: enriched {@link Event}s timestamped at event time, in any windowing. Out: {@link #SCHEMA},
 * one row per (funnel, day, step) per firing of the day's window, for every step of the funnel
 * (steps nobody reached have 0 users).
 *
 * <p>Semantics. An <i>attempt</i> starts at an event that can start the funnel (step 1, or for
 * {@link FunnelOrder#ANY_ORDER} any step) and sees the same user's events up to the start plus the
 * {@link FunnelDefinition#window() window}, inclusive; how far it gets is decided by the funnel's
 * {@link FunnelOrder}. An attempt belongs to the UTC day of its start. {@code users} of step k counts
 * the users with an attempt that day reaching step k, once each. Attempts of a user are taken in the
 * order they started, and each step's time comes from the first attempt that reached it; so the time
 * to the user's furthest step is that of their best attempt (the one that gets furthest, the earliest
 * of those). {@code median_seconds_to_step} is the exact median of those times (the mean of the two
 * middle ones for an even count), null for step 1 and for a step nobody reached.
 *
 * <p>Windowing. Stage A, in the shared per-user stage ({@link FunnelTracker}), evaluates each attempt
 * once the watermark has passed its start plus the window, and evaluates it again when a late event
 * within the allowed lateness falls into it; it emits each (user, funnel, day, step) at most once,
 * timestamped at the start of the attempt that first reached it. Stage B windows those records into
 * UTC days with the injected {@link WindowPolicy}, its allowed lateness extended by the longest funnel
 * window (an attempt's records come that long after it started), and counts them with a {@code
 * CombineFn}: each record is unique, so accumulating panes are exact in streaming and a pane carries
 * the day's whole value so far. An event more than the allowed lateness behind the evaluated attempts
 * is dropped and counted ({@code funnel_events_too_late}).
 *
 * <p>Live figures. A day's window closes at the end of the day, so in streaming its final counts come
 * late; the early panes show the funnel moving instead. When the policy fires early, stage A also
 * emits a provisional record as soon as an event takes an open attempt to a step that user had not
 * yet been counted for that day, and an early pane's {@code users} (and conversions) count every user
 * who reached the step so far, open attempts included: for ordered and any-order funnels that is what
 * the final count will say once the attempts close, for strict funnels it can be more (a late event
 * may still break an attempt). The on-time and late panes count final records only, as in batch; the
 * median always comes from final records. Batch emits no provisional records.
 *
 * <pre>{@code
 * PCollection<Row> funnels =
 *     events.apply("FunnelConversion",
 *         TrackFunnels.of(FunnelDefinition.load(Path.of("funnels.json")), WindowPolicy.batch()));
 * }</pre>
 */
public final class TrackFunnels extends MetricTransform<Event> implements PerUserMetric<Row> {
  private static final long serialVersionUID = 1L;

  public static final Schema SCHEMA =
      Schema.builder()
          .addStringField("funnel")
          .addDateTimeField("day")
          .addInt32Field("step")
          .addStringField("step_name")
          .addInt64Field("users")
          .addDoubleField("step_conversion")
          .addDoubleField("overall_conversion")
          .addNullableField("median_seconds_to_step", FieldType.DOUBLE)
          .build();

  /** The columns that identify a row: a later row with the same values replaces it. */
  public static final List<String> KEY_COLUMNS = List.of("funnel", "day", "step");

  /** Stage A's records: user_id first reached this step of the funnel on day, millis after step 1. */
  static final Schema REACHED_SCHEMA =
      Schema.builder()
          .addStringField("funnel")
          .addStringField("user_id")
          .addDateTimeField("day")
          .addInt32Field("step")
          .addInt64Field("millis_to_step")
          // FunnelTracker.FINAL, FINAL_SHOWN_LIVE or PROVISIONAL
          .addByteField("kind")
          .build();

  private static final Duration DAY = Duration.standardDays(1);

  private final List<FunnelDefinition> funnels;
  private final WindowPolicy policy;

  private TrackFunnels(List<FunnelDefinition> funnels, WindowPolicy policy) {
    this.funnels = funnels;
    this.policy = policy;
  }

  /** Tracks {@code funnels} (unique names), emitting under {@code policy}. */
  public static TrackFunnels of(List<FunnelDefinition> funnels, WindowPolicy policy) {
    if (funnels == null) {
      throw new IllegalArgumentException(
          "TrackFunnels needs a list of funnels; use FunnelDefinition.defaults() for the checkout");
    }
    if (policy == null) {
      throw new IllegalArgumentException("TrackFunnels needs a WindowPolicy, such as WindowPolicy.batch()");
    }
    Set<String> names = new HashSet<>();
    for (FunnelDefinition funnel : funnels) {
      if (funnel == null) {
        throw new IllegalArgumentException("TrackFunnels: the list of funnels contains null");
      }
      if (!names.add(funnel.name())) {
        throw new IllegalArgumentException(
            "TrackFunnels: two funnels are named '" + funnel.name() + "'; names must be unique");
      }
    }
    return new TrackFunnels(List.copyOf(funnels), policy);
  }

  public TrackFunnels withFunnels(List<FunnelDefinition> value) {
    return of(value, policy);
  }

  public TrackFunnels withPolicy(WindowPolicy value) {
    return of(funnels, value);
  }

  public List<FunnelDefinition> funnels() {
    return funnels;
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
  public UserMetric<?, Row> userMetric() {
    return new FunnelTracker(funnels, policy.allowedLateness(), policy.earlyFiringDelay() != null);
  }

  /**
   * Stage B: the reached records of each funnel and UTC day counted into the day's rows. An attempt
   * is evaluated a window after it starts, so its records reach a day's window up to the longest
   * funnel window after the day has ended: the windows wait that much longer than the policy's
   * allowed lateness, and the stage before holds no watermark for them.
   */
  @Override
  public PCollection<Row> rows(PCollection<Row> reached) {
    Map<String, FunnelDefinition> byName = new LinkedHashMap<>();
    funnels.forEach(f -> byName.put(f.name(), f));
    Duration longestWindow = Duration.ZERO;
    for (FunnelDefinition funnel : funnels) {
      if (funnel.window().isLongerThan(longestWindow)) {
        longestWindow = funnel.window();
      }
    }
    return reached
        .apply(
            "KeyByFunnel",
            MapElements.into(
                    TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(Row.class)))
                .via((Row r) -> KV.of(r.getString("funnel"), r)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), RowCoder.of(REACHED_SCHEMA)))
        .apply("Daily", policy.withExtraLateness(longestWindow)
            .<KV<String, Row>>window(FixedWindows.of(DAY)))
        .apply("CountSteps", Combine.perKey(new FunnelStepsFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), RowCoder.of(FunnelStepsFn.SUMMARY)))
        .apply("ToRows", ParDo.of(new ToRowsFn(byName)))
        .setRowSchema(SCHEMA);
  }

  @Override
  public PCollection<Row> expand(PCollection<Event> events) {
    UserMetric<?, Row> tracker = userMetric();
    return rows(
        events
            .apply("PerUser", UserStage.of(List.of(tracker)))
            .get(UserStage.output(tracker)));
  }

  /** One row per step of the funnel, from a day's summary. */
  private static final class ToRowsFn extends DoFn<KV<String, Row>, Row> {
    private static final long serialVersionUID = 1L;

    private final Map<String, FunnelDefinition> funnels;

    ToRowsFn(Map<String, FunnelDefinition> funnels) {
      this.funnels = new LinkedHashMap<>(funnels);
    }

    @ProcessElement
    public void process(
        @Element KV<String, Row> summary,
        IntervalWindow window,
        PaneInfo pane,
        OutputReceiver<Row> out) {
      FunnelDefinition funnel = funnels.get(summary.getKey());
      // Early panes show the live figure; from the on-time pane on, only final records count.
      String column = pane.getTiming() == PaneInfo.Timing.EARLY ? "live_users" : "users";
      List<Long> users = new ArrayList<>(summary.getValue().<Long>getArray(column));
      List<@Nullable Double> medians =
          new ArrayList<>(summary.getValue().<Double>getArray("median_seconds"));
      long first = users.isEmpty() ? 0 : users.get(0);
      long previous = first;
      for (int k = 1; k <= funnel.steps().size(); k++) {
        long reached = k <= users.size() ? users.get(k - 1) : 0;
        out.output(
            Row.withSchema(SCHEMA)
                .attachValues(
                    funnel.name(),
                    window.start(),
                    k,
                    funnel.steps().get(k - 1).name(),
                    reached,
                    k == 1 ? 1.0 : ratio(reached, previous),
                    ratio(reached, first),
                    k == 1 || k > medians.size() ? null : medians.get(k - 1)));
        previous = reached;
      }
    }

    private static double ratio(long numerator, long denominator) {
      return denominator == 0 ? 0.0 : numerator / (double) denominator;
    }
  }
}
