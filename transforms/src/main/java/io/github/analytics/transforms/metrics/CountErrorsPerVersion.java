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
 * Counts {@code error} events per one-minute event-time window, {@code app_version} and {@code
 * platform}: which release is failing. The worked example of the README's "How to add a metric".
 *
 * <p>In: enriched {@link Event}s at event time. Out: {@link #SCHEMA}, one row per (minute, version,
 * platform) with at least one error, per firing of the {@link WindowPolicy}. An event without an
 * app version counts under {@code unknown}.
 *
 * <pre>{@code
 * PCollection<Row> errors = events.apply(CountErrorsPerVersion.of(WindowPolicy.batch()));
 * }</pre>
 */
public final class CountErrorsPerVersion extends MetricTransform<Event> {
  private static final long serialVersionUID = 1L;

  public static final Schema SCHEMA =
      Schema.builder()
          .addDateTimeField("window_start")
          .addDateTimeField("window_end")
          .addStringField("app_version")
          .addStringField("platform")
          .addInt64Field("error_count")
          .build();

  /** The columns that identify a row: a later row with the same values replaces it. */
  public static final List<String> KEY_COLUMNS = List.of("window_start", "app_version", "platform");

  private final WindowPolicy policy;

  private CountErrorsPerVersion(WindowPolicy policy) {
    this.policy = policy;
  }

  public static CountErrorsPerVersion of(WindowPolicy policy) {
    return new CountErrorsPerVersion(policy);
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
    return perEvent(events, "ErrorsByVersion", new KeyFn())
        .setCoder(KvCoder.of(GroupKey.Coder.of(), VarLongCoder.of()))
        .apply("PerMinute",
            policy.<KV<GroupKey, Long>>window(FixedWindows.of(Duration.standardMinutes(1))))
        .apply("Count", CombineInBundles.<GroupKey, Long, Long, Long>of(Counting.fn(), Counting.fn()))
        .apply("ToRows", ParDo.of(new ToRowFn()))
        .setRowSchema(SCHEMA);
  }

  /** Each error event as a count of one for its (app version, platform). */
  private static final class KeyFn extends PerEventFn<KV<GroupKey, Long>> {
    private static final long serialVersionUID = 1L;

    @Override
    protected void process(Event event, OutputReceiver<KV<GroupKey, Long>> out) {
      if ("error".equals(event.getEventType())) {
        out.output(KV.of(GroupKey.of(event.getAppVersion(), event.getPlatform()), 1L));
      }
    }
  }

  private static final class ToRowFn extends DoFn<KV<GroupKey, Long>, Row> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(
        @Element KV<GroupKey, Long> count, IntervalWindow window, OutputReceiver<Row> out) {
      out.output(
          Row.withSchema(SCHEMA)
              .attachValues(
                  window.start(), window.end(),
                  count.getKey().get(0), count.getKey().get(1), count.getValue()));
    }
  }
}
