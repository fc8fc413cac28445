package io.github.analytics.transforms.metrics;

import static io.github.analytics.transforms.ingest.TestEvents.event;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratedRecord;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.transforms.PipelineCounters;
import io.github.analytics.transforms.ingest.DeduplicateEvents;
import io.github.analytics.transforms.ingest.ParseEvents;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class DetectAnomaliesTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  private static final Duration MINUTE = Duration.standardMinutes(1);

  /** Start of minute {@code m} after {@link #T0}. */
  private static Instant minute(int m) {
    return T0.plus(MINUTE.multipliedBy(m));
  }

  /** {@code count} events of {@code type} spread over minute {@code m}, with their event times. */
  private static List<TimestampedValue<Event>> events(String type, int m, int count) {
    List<TimestampedValue<Event>> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Instant time = minute(m).plus(i * 59_000L / Math.max(1, count));
      out.add(TimestampedValue.of(event(type + "-" + m + "-" + i, type, "u" + i, time), time));
    }
    return out;
  }

  /** Events for consecutive minutes from 0, one count per minute. */
  private static List<TimestampedValue<Event>> series(String type, long... counts) {
    List<TimestampedValue<Event>> out = new ArrayList<>();
    for (int m = 0; m < counts.length; m++) {
      out.addAll(events(type, m, (int) counts[m]));
    }
    return out;
  }

  /** {@code n} counts alternating {@code a}, {@code b}, a, b, ... */
  private static long[] alternating(int n, long a, long b) {
    long[] counts = new long[n];
    for (int i = 0; i < n; i++) {
      counts[i] = i % 2 == 0 ? a : b;
    }
    return counts;
  }

  private static long[] constant(int n, long value) {
    long[] counts = new long[n];
    java.util.Arrays.fill(counts, value);
    return counts;
  }

  private static long[] concat(long[]... parts) {
    int n = 0;
    for (long[] part : parts) {
      n += part.length;
    }
    long[] out = new long[n];
    int i = 0;
    for (long[] part : parts) {
      System.arraycopy(part, 0, out, i, part.length);
      i += part.length;
    }
    return out;
  }

  /** An alert as a line: key, window start (HH:mm), value, mean, stddev, z, direction. */
  static String describe(Row alert) {
    return String.format(
        Locale.ROOT,
        "%s %s %s %s %d mean=%.4f stddev=%.4f z=%.4f %s",
        alert.getString("series"),
        alert.getString("series_key"),
        alert.getDateTime("window_start").toString().substring(11, 16),
        alert.getDateTime("window_end").toString().substring(11, 16),
        alert.getInt64("value"),
        alert.getDouble("mean"),
        alert.getDouble("stddev"),
        alert.getDouble("z_score"),
        alert.getString("direction"));
  }

  private static PCollection<String> described(PCollection<Row> alerts) {
    return alerts.apply("Describe", MapElements.into(TypeDescriptors.strings()).via(DetectAnomaliesTest::describe));
  }

  private static long counter(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> counter :
        result.metrics()
            .queryMetrics(MetricsFilter.builder()
                .addNameFilter(MetricNameFilter.named(PipelineCounters.NAMESPACE, name))
                .build())
            .getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }

  /**
   * click: 30 minutes alternating 5 and 15, a 40 at minute 30, then 10 more alternating minutes.
   * purchase: 30 minutes of 4, then an 11. page_view: 30 minutes of 4, then a 9.
   */
  private static List<TimestampedValue<Event>> handWorkedInput() {
    List<TimestampedValue<Event>> input = new ArrayList<>();
    input.addAll(series("click",
        concat(alternating(30, 5, 15), new long[] {40}, alternating(10, 5, 15))));
    input.addAll(series("purchase", concat(constant(30, 4), new long[] {11})));
    input.addAll(series("page_view", concat(constant(30, 4), new long[] {9})));
    return input;
  }

  /**
   * click, minute 30: the 30 previous values are fifteen 5s and fifteen 15s: mean 10, population
   * variance ((5-10)^2 * 15 + (15-10)^2 * 15) / 30 = 25, stddev 5 (above the floor max(1, sqrt(10)) =
   * 3.16); z = (40 - 10) / 5 = 6 > 3: a spike. Minute 31 (a 5): the 31 previous values have mean
   * 340/31 = 10.97 and stddev sqrt(5350/31 - 10.97^2) = 7.23, z = -0.83; later minutes stay within 1.
   *
   * <p>purchase, minute 30: thirty 4s, mean 4, stddev 0, floored at max(1, sqrt(4)) = 2, z = (11 - 4)
   * / 2 = 3.5: a spike. page_view, minute 30: z = (9 - 4) / 2 = 2.5, no alert; with a floor of 1 alone
   * it would be 5.
   */
  private static final String[] HAND_WORKED_ALERTS = {
    "events_per_minute click 10:30 10:31 40 mean=10.0000 stddev=5.0000 z=6.0000 spike",
    "events_per_minute purchase 10:30 10:31 11 mean=4.0000 stddev=2.0000 z=3.5000 spike",
  };

  @Test
  void alertsOnceOnAHandWorkedSpikeAndNotOnTheFloor(TestPipeline pipeline) {
    PCollection<Row> alerts =
        pipeline.apply(Create.timestamped(handWorkedInput()))
            .apply(DetectAnomalies.of(WindowPolicy.batch()));
    PAssert.that(described(alerts)).containsInAnyOrder(HAND_WORKED_ALERTS);
    pipeline.run().waitUntilFinish();
  }
}
