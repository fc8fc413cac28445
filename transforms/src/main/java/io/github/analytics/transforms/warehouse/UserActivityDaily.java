package io.github.analytics.transforms.warehouse;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.AnySkew;
import io.github.analytics.transforms.metrics.PerEventFn;
import io.github.analytics.transforms.metrics.MetricTransform;
import io.github.analytics.transforms.metrics.SessionizeEvents;
import io.github.analytics.transforms.metrics.WindowPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * What each user did on each UTC day: the input of every warehouse metric, and the history they read
 * back from the warehouse on later runs.
 *
 * <p>In: unique enriched {@link Event}s at event time. Out: {@link #SCHEMA}, one row per (day, user)
 * with at least one event: how many events, which event types (sorted, each once), the revenue of its
 * purchases (the numeric {@code revenue} property of {@code purchase} events, as in {@code sessions}),
 * and the times of its first and last event.
 *
 * <pre>{@code
 * PCollection<Row> activity = events.apply(UserActivityDaily.of(WindowPolicy.batch()));
 * }</pre>
 */
public final class UserActivityDaily extends MetricTransform<Event> {
  private static final long serialVersionUID = 1L;

  public static final String NAME = "user_activity_daily";

  public static final Schema SCHEMA =
      Schema.builder()
          .addDateTimeField("day")
          .addStringField("user_id")
          .addInt64Field("event_count")
          .addArrayField("event_types", Schema.FieldType.STRING)
          .addDoubleField("revenue")
          .addDateTimeField("first_event_at")
          .addDateTimeField("last_event_at")
          .build();

  public static final List<String> KEY_COLUMNS = List.of("day", "user_id");

  private static final FixedWindows DAILY = FixedWindows.of(Duration.standardDays(1));

  private final WindowPolicy policy;

  private UserActivityDaily(WindowPolicy policy) {
    this.policy = policy;
  }

  public static UserActivityDaily of(WindowPolicy policy) {
    return new UserActivityDaily(policy);
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
    return perEvent(
            events.apply("Daily", policy.<Event>window(DAILY)), "KeyByUser", new KeyByUserFn())
        .setCoder(KvCoder.of(StringUtf8Coder.of(), DayActivity.Coder.INSTANCE))
        .apply("PerUserAndDay", Combine.perKey(new MergeFn()))
        .apply("ToRows", ParDo.of(new ToRowFn()))
        .setRowSchema(SCHEMA);
  }

  /**
   * Events keyed by user, a run of consecutive events of one user and day folded into one activity.
   * The per-user stage hands a bounded input's events over user by user in event-time order, so in
   * batch this step emits about one activity per user and day instead of one per event, and the
   * combine after it sorts that many. On a stream, events of different users alternate and nearly
   * every run is one event long: the same output as without folding.
   *
   * <p>A run goes out when an event of another user or day arrives, and when the bundle finishes: the
   * runner holds the watermark while a bundle is open, so a run is as on time as its events (as for
   * {@code CombineInBundles}). It carries its first event's timestamp, in its day's window.
   */
  private static final class KeyByUserFn extends PerEventFn<KV<String, DayActivity>> {
    private static final long serialVersionUID = 1L;

    private transient @Nullable String runUser;
    private transient @Nullable DayActivity run;
    private transient @Nullable IntervalWindow runWindow;

    @StartBundle
    public void startBundle() {
      clear();
    }

    @Override
    protected void process(Event event, OutputReceiver<KV<String, DayActivity>> out) {
      double revenue = 0;
      if (SessionizeEvents.PURCHASE.equals(event.getEventType())) {
        OptionalDouble value = SessionizeEvents.revenue(event.getProperties());
        revenue = value.isPresent() ? value.getAsDouble() : 0;
      }
      long millis = event.getEventTimestamp().getMillis();
      DayActivity current = run;
      IntervalWindow window = runWindow;
      if (current != null && window != null) {
        if (event.getUserId().equals(runUser)
            && millis >= window.start().getMillis() && millis < window.end().getMillis()) {
          current.add(event.getEventType(), revenue, millis);
          return;
        }
        out.outputWindowedValue(KV.of(runUser, current), new Instant(current.first),
            List.of(window), PaneInfo.NO_FIRING);
      }
      runUser = event.getUserId();
      run = DayActivity.of(event.getEventType(), revenue, millis);
      runWindow = DAILY.assignWindow(event.getEventTimestamp());
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      DayActivity current = run;
      IntervalWindow window = runWindow;
      if (current != null && window != null) {
        context.output(KV.of(runUser, current), new Instant(current.first), window);
      }
      clear();
    }

    private void clear() {
      runUser = null;
      run = null;
      runWindow = null;
    }

    /** A run goes out at its first event's time, which may be before the event that ends it. */
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return AnySkew.DURATION;
    }
  }

  private static final class ToRowFn extends DoFn<KV<String, DayActivity>, Row> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(
        @Element KV<String, DayActivity> activity, IntervalWindow window, OutputReceiver<Row> out) {
      DayActivity a = activity.getValue();
      out.output(Row.withSchema(SCHEMA).attachValues(
          window.start(), activity.getKey(), a.count, new ArrayList<>(a.types), a.revenue,
          new Instant(a.first), new Instant(a.last)));
    }
  }

  /** Sums activities; merges into the first accumulator, never into an input it did not create. */
  private static final class MergeFn extends CombineFn<DayActivity, DayActivity, DayActivity> {
    private static final long serialVersionUID = 1L;

    @Override
    public DayActivity createAccumulator() {
      return new DayActivity();
    }

    @Override
    public DayActivity addInput(DayActivity accumulator, DayActivity input) {
      accumulator.add(input);
      return accumulator;
    }

    @Override
    public DayActivity mergeAccumulators(Iterable<DayActivity> accumulators) {
      DayActivity merged = new DayActivity();
      for (DayActivity a : accumulators) {
        merged.add(a);
      }
      return merged;
    }

    @Override
    public DayActivity extractOutput(DayActivity accumulator) {
      return accumulator;
    }

    @Override
    public Coder<DayActivity> getAccumulatorCoder(CoderRegistry registry, Coder<DayActivity> input) {
      return DayActivity.Coder.INSTANCE;
    }

    @Override
    public Coder<DayActivity> getDefaultOutputCoder(CoderRegistry registry, Coder<DayActivity> input) {
      return DayActivity.Coder.INSTANCE;
    }
  }

  /** A user's activity over some events of one day. */
  static final class DayActivity {
    long count;
    final TreeSet<String> types = new TreeSet<>();
    double revenue;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;

    static DayActivity of(String type, double revenue, long millis) {
      DayActivity a = new DayActivity();
      a.count = 1;
      a.types.add(type);
      a.revenue = revenue;
      a.first = millis;
      a.last = millis;
      return a;
    }

    void add(String type, double revenue, long millis) {
      count++;
      types.add(type);
      this.revenue += revenue;
      first = Math.min(first, millis);
      last = Math.max(last, millis);
    }

    void add(DayActivity other) {
      count += other.count;
      types.addAll(other.types);
      revenue += other.revenue;
      first = Math.min(first, other.first);
      last = Math.max(last, other.last);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof DayActivity a && a.count == count && a.types.equals(types)
          && Double.compare(a.revenue, revenue) == 0 && a.first == first && a.last == last;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(count) * 31 + types.hashCode();
    }

    static final class Coder extends AtomicCoder<DayActivity> {
      private static final long serialVersionUID = 1L;
      static final Coder INSTANCE = new Coder();

      @Override
      public void encode(DayActivity value, OutputStream out) throws IOException {
        VarInt.encode(value.count, out);
        VarInt.encode(value.types.size(), out);
        for (String type : value.types) {
          StringUtf8Coder.of().encode(type, out);
        }
        DoubleCoder.of().encode(value.revenue, out);
        VarInt.encode(value.first, out);
        VarInt.encode(value.last, out);
      }

      @Override
      public DayActivity decode(InputStream in) throws IOException {
        DayActivity a = new DayActivity();
        a.count = VarInt.decodeLong(in);
        int types = VarInt.decodeInt(in);
        for (int i = 0; i < types; i++) {
          a.types.add(StringUtf8Coder.of().decode(in));
        }
        a.revenue = DoubleCoder.of().decode(in);
        a.first = VarInt.decodeLong(in);
        a.last = VarInt.decodeLong(in);
        return a;
      }

      @Override
      public void verifyDeterministic() {}
    }
  }
}
