package io.github.analytics.transforms.metrics;

import java.util.List;
import io.github.analytics.schemas.Event;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;

/**
 * Counts events per one-minute event-time window and (event_type, platform, country).
 *
 * <p>In: enriched {@link Event}s, timestamped at event time. Out: one row per key and window and
 * firing, {@link #SCHEMA}; under a streaming {@link WindowPolicy} a window's row is emitted again,
 * with its whole count so far, at every early, on-time and late firing. Summing over platform and
 * country gives the count per event type.
 *
 * <pre>{@code
 * PCollection<Row> counts = events.apply(CountPerMinute.of(WindowPolicy.batch()));
 * }</pre>
 */
public final class CountPerMinute extends MetricTransform<Event> {
  private static final long serialVersionUID = 1L;

  public static final Schema SCHEMA =
      Schema.builder()
          .addDateTimeField("window_start")
          .addDateTimeField("window_end")
          .addStringField("event_type")
          .addStringField("platform")
          .addStringField("country")
          .addInt64Field("event_count")
          .build();

  /** The columns that identify a row: a later row with the same values replaces it. */
  public static final List<String> KEY_COLUMNS = List.of("window_start", "event_type", "platform", "country");

  private static final Duration MINUTE = Duration.standardMinutes(1);

  private final WindowPolicy policy;

  private CountPerMinute(WindowPolicy policy) {
    this.policy = policy;
  }

  public static CountPerMinute of(WindowPolicy policy) {
    return new CountPerMinute(policy);
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
    return perEvent(events, "Key", new KeyFn())
        .setCoder(KvCoder.of(GroupKey.Coder.of(), VarLongCoder.of()))
        .apply("PerMinute", policy.<KV<GroupKey, Long>>window(FixedWindows.of(MINUTE)))
        .apply("Count", CombineInBundles.<GroupKey, Long, Long, Long>of(Counting.fn(), Counting.fn()))
        .apply("ToRows", ParDo.of(new ToRowFn()))
        .setRowSchema(SCHEMA);
  }

  /** Each event as a count of one for its (event type, platform, country). */
  private static final class KeyFn extends PerEventFn<KV<GroupKey, Long>> {
    private static final long serialVersionUID = 1L;

    @Override
    protected void process(Event event, OutputReceiver<KV<GroupKey, Long>> out) {
      out.output(KV.of(GroupKey.of(event.getEventType(), event.getPlatform(), event.getCountry()), 1L));
    }
  }

  private static final class ToRowFn extends DoFn<KV<GroupKey, Long>, Row> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(
        @Element KV<GroupKey, Long> count, IntervalWindow window, OutputReceiver<Row> out) {
      GroupKey key = count.getKey();
      out.output(
          Row.withSchema(SCHEMA)
              .attachValues(
                  window.start(), window.end(), key.get(0), key.get(1), key.get(2), count.getValue()));
    }
  }
}
