package io.github.analytics.transforms.metrics;

import static io.github.analytics.transforms.ingest.TestEvents.event;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.PipelineCounters;
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
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
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
    return alerts.apply("Describe",
        MapElements.into(TypeDescriptors.strings()).via(DetectAnomaliesTest::describe));
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
   * click: 30 minutes alternating 40 and 0 (no events: counted as 0), a 100 at minute 30, then ten
   * more alternating minutes. purchase: 30 minutes of 2, then a 15. page_view: 30 minutes of 2, then
   * a 13.
   */
  private static List<TimestampedValue<Event>> handWorkedInput() {
    List<TimestampedValue<Event>> input = new ArrayList<>();
    input.addAll(series("click",
        concat(alternating(30, 40, 0), new long[] {100}, alternating(10, 0, 40))));
    input.addAll(series("purchase", concat(constant(30, 2), new long[] {15})));
    input.addAll(series("page_view", concat(constant(30, 2), new long[] {13})));
    return input;
  }

  /**
   * click, minute 30: the 30 previous values are fifteen 40s and fifteen 0s: mean 20, population
   * variance (15 * 20^2 + 15 * 20^2) / 30 = 400, stddev 20 (above the spike floor sqrt(8 * 20) =
   * 12.6); z = (100 - 20) / 20 = 4 > 3: a spike. Minute 31 (a 0): the 31 previous values have mean
   * 700/31 = 22.6 and stddev sqrt(34000/31 - 22.6^2) = 24.2, z = -0.93; later minutes stay within 1.
   *
   * <p>purchase, minute 30: thirty 2s, mean 2, stddev 0, floored at max(1, sqrt(8 * 2)) = 4: z =
   * (15 - 2) / 4 = 3.25, a spike. page_view, minute 30: z = (13 - 2) / 4 = 2.75, no alert (with a
   * floor of 1 alone it would be 11).
   */
  private static final String[] HAND_WORKED_ALERTS = {
    "events_per_minute click 10:30 10:31 100 mean=20.0000 stddev=20.0000 z=4.0000 spike",
    "events_per_minute purchase 10:30 10:31 15 mean=2.0000 stddev=4.0000 z=3.2500 spike",
  };

  @Test
  void alertsOnceOnAHandWorkedSpikeAndNotWithinTheFloor(TestPipeline pipeline) {
    PCollection<Row> alerts =
        pipeline.apply(Create.timestamped(handWorkedInput()))
            .apply(DetectAnomalies.of(WindowPolicy.batch()));
    PAssert.that(described(alerts)).containsInAnyOrder(HAND_WORKED_ALERTS);
    pipeline.run().waitUntilFinish();
  }

  @Test
  void judgesTheSameWhateverOrderTheInputComesIn(TestPipeline pipeline) {
    List<TimestampedValue<Event>> shuffled = handWorkedInput();
    Collections.shuffle(shuffled, new Random(7));
    PCollection<Row> alerts =
        pipeline.apply("Shuffled", Create.timestamped(shuffled))
            .apply(DetectAnomalies.of(WindowPolicy.batch()));
    PAssert.that(described(alerts)).containsInAnyOrder(HAND_WORKED_ALERTS);

    // The judging step alone, fed the click counts latest first: it must still judge minute 30
    // against minutes 0-29 (the silent odd minutes as 0), not against whatever came before it.
    long[] click = concat(alternating(30, 40, 0), new long[] {100}, alternating(10, 0, 40));
    List<TimestampedValue<KV<String, KV<Long, Long>>>> counts = new ArrayList<>();
    for (int m = click.length - 1; m >= 0; m--) {
      if (click[m] > 0) {
        counts.add(TimestampedValue.of(
            KV.of("click", KV.of(minute(m).getMillis(), click[m])), minute(m + 1).minus(1)));
      }
    }
    PCollection<Row> judged =
        pipeline.apply("LatestFirst", Create.timestamped(counts)
                .withCoder(KvCoder.of(StringUtf8Coder.of(),
                    KvCoder.of(VarLongCoder.of(), VarLongCoder.of()))))
            .apply("JudgeOnly", ParDo.of(new JudgeAnomaliesFn(
                "events_per_minute", MINUTE.getMillis(), 60, 30, 3.0, 1.0, 8.0, 2.0, true)))
            .setRowSchema(DetectAnomalies.SCHEMA);
    PAssert.that(judged.apply("DescribeJudged",
            MapElements.into(TypeDescriptors.strings()).via(DetectAnomaliesTest::describe)))
        .containsInAnyOrder(HAND_WORKED_ALERTS[0]);
    pipeline.run().waitUntilFinish();
  }

  @Test
  void raisesNothingBeforeMinHistoryWindows(TestPipeline pipeline) {
    // 29 minutes of 10 then a 100: with minHistory 29 this alerts (mean 10, floor sqrt(80) = 8.9,
    // z = 10), with the default 30 it must not.
    List<TimestampedValue<Event>> input = series("click", concat(constant(29, 10), new long[] {100}));
    PCollection<Row> coldDefault =
        pipeline.apply("Input", Create.timestamped(input))
            .apply("Default", DetectAnomalies.of(WindowPolicy.batch()));
    PCollection<Row> cold29 =
        pipeline.apply("SameInput", Create.timestamped(input))
            .apply("MinHistory29", DetectAnomalies.of(WindowPolicy.batch()).withMinHistory(29));
    PAssert.that(coldDefault).empty();
    PAssert.that(cold29.apply("Windows", MapElements.into(TypeDescriptors.strings())
            .via(r -> r.getDateTime("window_start").toString())))
        .containsInAnyOrder(minute(29).toString());
    pipeline.run().waitUntilFinish();
  }

  @Test
  void raisesNothingOnSteadyNoisySeries(TestPipeline pipeline) {
    // Three hours of a daily-curve-like wave with deterministic noise, at three volumes; the low ones
    // have silent minutes. The largest excursion from the rolling mean is well inside the floor.
    int minutes = 180;
    long[] pageViews = new long[minutes];
    long[] purchases = new long[minutes];
    long[] errors = new long[minutes];
    long[] noise = {0, 3, -2, 5, -4, 1, -6, 2, 4, -1, -3, 6};
    long[] lowVolume = {2, 0, 3, 1, 2, 5, 1, 0, 2, 4, 1, 3};
    long[] rare = {0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 0, 0, 0, 3, 0};
    for (int m = 0; m < minutes; m++) {
      pageViews[m] = Math.round(40 + 10 * Math.sin(2 * Math.PI * m / 90.0)) + noise[m % noise.length];
      purchases[m] = lowVolume[(m * 5) % lowVolume.length];
      errors[m] = rare[m % rare.length];
    }
    errors[0] = 1; // a series starts at its first event
    List<TimestampedValue<Event>> input = new ArrayList<>();
    input.addAll(series("page_view", pageViews));
    input.addAll(series("purchase", purchases));
    input.addAll(series("error", errors));
    PCollection<Row> alerts =
        pipeline.apply(Create.timestamped(input)).apply(DetectAnomalies.of(WindowPolicy.batch()));
    PAssert.that(described(alerts)).empty();
    pipeline.run().waitUntilFinish();
  }

  /**
   * page_view: 40 minutes of 30, silent at minutes 40-42, 30 again at 43-49. With k silent minutes
   * already in the history of n = 40 + k values: mean = 1200 / n, population stddev = 30 * sqrt(40 *
   * k) / n, drop floor sqrt(2 * mean). Minute 40: mean 30, stddev max(0, sqrt(60)) = 7.7460, z =
   * -3.8730. Minute 41: mean 29.2683, stddev max(4.6284, 7.6509), z = -3.8255. Minute 42: mean
   * 28.5714, stddev max(6.3888, 7.5593), z = -3.7796. Minute 43 (30): z = (30 - 27.907) / 7.6426 =
   * 0.27.
   */
  @Test
  void aSeriesFallingSilentIsADrop(TestPipeline pipeline) {
    long[] counts = concat(constant(40, 30), constant(3, 0), constant(7, 30));
    PCollection<Row> alerts =
        pipeline.apply(Create.timestamped(series("page_view", counts)))
            .apply(DetectAnomalies.of(WindowPolicy.batch()));
    PAssert.that(described(alerts)).containsInAnyOrder(
        "events_per_minute page_view 10:40 10:41 0 mean=30.0000 stddev=7.7460 z=-3.8730 drop",
        "events_per_minute page_view 10:41 10:42 0 mean=29.2683 stddev=7.6509 z=-3.8255 drop",
        "events_per_minute page_view 10:42 10:43 0 mean=28.5714 stddev=7.5593 z=-3.7796 drop");
    pipeline.run().waitUntilFinish();
  }

  /** A generated day of 20k events through parsing and deduplication, as the pipelines run it. */
  /**
   * Streaming: the click series of the hand-worked case. Minute 30's 100 events come in two halves,
   * 10 s of processing time apart (the policy's early firing delay is 5 s): the alert judges the
   * whole 100, not a partial 50 (z = 1.5), once the watermark passes 10:31, and a sink grouping in
   * its window sees it on time. Then late events for minute 30 and for the silent minute 25 make late
   * panes of windows already judged: ignored, and counted.
   */
  @Test
  void streamingJudgesOnTimePanesAndIgnoresLateOnes(TestPipeline pipeline) throws Exception {
    Coder<Event> coder = pipeline.getCoderRegistry().getCoder(Event.class);
    long[] click = alternating(30, 40, 0);
    TestStream.Builder<Event> stream = TestStream.create(coder);
    for (int m = 0; m < click.length; m++) {
      if (click[m] > 0) {
        List<TimestampedValue<Event>> minute = events("click", m, (int) click[m]);
        stream = stream.addElements(first(minute), rest(minute));
      }
    }
    List<TimestampedValue<Event>> spike = events("click", 30, 100);
    TestStream<Event> events =
        stream
            .advanceWatermarkTo(minute(30))
            .addElements(first(spike.subList(0, 50)), rest(spike.subList(0, 50)))
            .advanceProcessingTime(Duration.standardSeconds(10))
            .addElements(first(spike.subList(50, 100)), rest(spike.subList(50, 100)))
            .advanceProcessingTime(Duration.standardSeconds(10))
            .advanceWatermarkTo(minute(32))
            .addElements(late("click", 30, 1), late("click", 25, 2))
            .advanceProcessingTime(Duration.standardSeconds(10))
            .advanceWatermarkToInfinity();
    PCollection<Row> alerts =
        pipeline.apply(events)
            .apply(DetectAnomalies.of(
                WindowPolicy.streaming(Duration.standardSeconds(5), Duration.standardMinutes(10))));
    String expected = HAND_WORKED_ALERTS[0];
    PAssert.that(described(alerts)).containsInAnyOrder(expected);
    // A ParDo's output has no pane; a sink's GroupByKey in the alert's window must see it on time.
    PCollection<String> grouped = groupedLikeASink(alerts);
    PAssert.that(grouped)
        .inOnTimePane(new IntervalWindow(minute(30), minute(31)))
        .containsInAnyOrder(expected);
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(2, counter(result, PipelineCounters.ANOMALY_LATE_UPDATES_IGNORED));
  }

  /**
   * error: two stray events at minute -180 (three hours before the rest, as the first records of a
   * live stream can be), then 5 a minute for minutes 0-39 with 60 at minute 35.
   */
  private static final long[] STEADY_WITH_SPIKE = steadyWithSpike();

  private static long[] steadyWithSpike() {
    long[] counts = constant(40, 5);
    counts[35] = 60;
    return counts;
  }

  private static List<TimestampedValue<Event>> strays() {
    List<TimestampedValue<Event>> out = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Instant time = minute(-180).plus(i * 20_000L);
      out.add(TimestampedValue.of(event("stray-" + i, "error", "stray", time), time));
    }
    return out;
  }

  /**
   * The stray window at minute -180 is 179 silent minutes before minute 0, more than the 60 of
   * history: the series restarts cold at minute 0. Minute 35 is judged against minutes 0-34, 35 values
   * of 5: mean 5, stddev 0 floored at max(1, sqrt(8 * 5)) = 6.3246, z = (60 - 5) / 6.3246 = 8.6963.
   * Minute 36 (a 5): 36 values, mean (35 * 5 + 60) / 36 = 6.5278, population variance (35 * 25 +
   * 3600) / 36 - 6.5278^2 = 81.6937, stddev 9.0385, z = -0.17; later minutes stay within 1.
   */
  private static final String STEADY_SPIKE_ALERT =
      "events_per_minute error 10:35 10:36 60 mean=5.0000 stddev=6.3246 z=8.6963 spike";

  @Test
  void batchJudgesASteadySeriesAfterAStrayEarlyWindow(TestPipeline pipeline) {
    List<TimestampedValue<Event>> input = new ArrayList<>(strays());
    input.addAll(series("error", STEADY_WITH_SPIKE));
    PCollection<Row> alerts =
        pipeline.apply(Create.timestamped(input)).apply(DetectAnomalies.of(WindowPolicy.batch()));
    PAssert.that(described(alerts)).containsInAnyOrder(STEADY_SPIKE_ALERT);
    pipeline.run().waitUntilFinish();
  }

  /**
   * The same events as a live stream: the strays and minute 0 come first, before the watermark moves;
   * then each minute's events arrive while it is open and the watermark passes its end a minute
   * later, with processing time going on as it would. Streaming must raise exactly the batch alert.
   */
  @Test
  void streamingWithAProgressiveWatermarkRaisesTheBatchAlert(TestPipeline pipeline)
      throws Exception {
    Coder<Event> coder = pipeline.getCoderRegistry().getCoder(Event.class);
    List<TimestampedValue<Event>> stray = strays();
    TestStream.Builder<Event> stream =
        TestStream.create(coder).addElements(first(stray), rest(stray));
    for (int m = 0; m < STEADY_WITH_SPIKE.length; m++) {
      List<TimestampedValue<Event>> minute = events("error", m, (int) STEADY_WITH_SPIKE[m]);
      stream = stream
          .addElements(first(minute), rest(minute))
          .advanceProcessingTime(Duration.standardSeconds(30))
          .advanceWatermarkTo(minute(m).plus(Duration.standardSeconds(30)))
          .advanceProcessingTime(Duration.standardSeconds(30))
          .advanceWatermarkTo(minute(m + 1).plus(Duration.standardSeconds(5)));
    }
    PCollection<Row> alerts =
        pipeline.apply(stream.advanceWatermarkToInfinity())
            .apply(DetectAnomalies.of(
                WindowPolicy.streaming(Duration.standardSeconds(5), Duration.standardMinutes(10))));
    PAssert.that(described(alerts)).containsInAnyOrder(STEADY_SPIKE_ALERT);
    pipeline.run().waitUntilFinish();
  }

  /**
   * Streaming: page_view at 30 a minute for minutes 0-39, then nothing while the watermark goes on
   * (the series never resumes). Each silent minute is judged once the watermark passes its end, as
   * a 0 against the rolling history (worked out as in {@link #aSeriesFallingSilentIsADrop}, with k
   * zeros in the history of 40 + k values): minutes 40-44 alert (z = -3.87, -3.83, -3.78, -3.65,
   * -3.16), 45 does not (mean 26.6667, stddev 30 * sqrt(200) / 45 = 9.4281, z = -2.83). Each alert is
   * on time for a sink grouping in its window: the step's watermark does not wait for the series.
   */
  @Test
  void streamingJudgesASilenceWithoutWaitingForTheSeriesToResume(TestPipeline pipeline) throws Exception {
    Coder<Event> coder = pipeline.getCoderRegistry().getCoder(Event.class);
    TestStream.Builder<Event> stream = TestStream.create(coder);
    for (int m = 0; m < 40; m++) {
      List<TimestampedValue<Event>> minute = events("page_view", m, 30);
      stream = stream
          .addElements(first(minute), rest(minute))
          .advanceProcessingTime(Duration.standardSeconds(60))
          .advanceWatermarkTo(minute(m + 1).plus(Duration.standardSeconds(5)));
    }
    for (int m = 40; m < 50; m++) {
      stream = stream
          .advanceProcessingTime(Duration.standardSeconds(60))
          .advanceWatermarkTo(minute(m + 1).plus(Duration.standardSeconds(5)));
    }
    PCollection<Row> alerts =
        pipeline.apply(stream.advanceWatermarkToInfinity())
            .apply(DetectAnomalies.of(
                WindowPolicy.streaming(Duration.standardSeconds(5), Duration.standardMinutes(10))));
    PAssert.that(described(alerts)).containsInAnyOrder(
        "events_per_minute page_view 10:40 10:41 0 mean=30.0000 stddev=7.7460 z=-3.8730 drop",
        "events_per_minute page_view 10:41 10:42 0 mean=29.2683 stddev=7.6509 z=-3.8255 drop",
        "events_per_minute page_view 10:42 10:43 0 mean=28.5714 stddev=7.5593 z=-3.7796 drop",
        "events_per_minute page_view 10:43 10:44 0 mean=27.9070 stddev=7.6426 z=-3.6515 drop",
        "events_per_minute page_view 10:44 10:45 0 mean=27.2727 stddev=8.6244 z=-3.1623 drop");
    PCollection<String> grouped = groupedLikeASink(alerts);
    PAssert.that(grouped)
        .inOnTimePane(new IntervalWindow(minute(40), minute(41)))
        .containsInAnyOrder(
            "events_per_minute page_view 10:40 10:41 0 mean=30.0000 stddev=7.7460 z=-3.8730 drop");
    pipeline.run().waitUntilFinish();
  }

  /** The alerts as a sink sees them after a {@code GroupByKey} in their windows, described. */
  private static PCollection<String> groupedLikeASink(PCollection<Row> alerts) {
    return alerts
        .apply("KeyForSink", WithKeys.of("alerts"))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), alerts.getCoder()))
        .apply("GroupLikeASink", GroupByKey.create())
        .apply("Rows", Values.create())
        .apply("EachRow", Flatten.iterables())
        .apply("DescribeGrouped",
            MapElements.into(TypeDescriptors.strings()).via(DetectAnomaliesTest::describe));
  }

  /** A late click in minute {@code m}. */
  private static TimestampedValue<Event> late(String type, int m, int i) {
    Instant time = minute(m).plus(30_000);
    return TimestampedValue.of(event("late-" + m + "-" + i, type, "late", time), time);
  }

  private static TimestampedValue<Event> first(List<TimestampedValue<Event>> events) {
    return events.get(0);
  }

  @SuppressWarnings("unchecked")
  private static TimestampedValue<Event>[] rest(List<TimestampedValue<Event>> events) {
    return events.subList(1, events.size()).toArray(new TimestampedValue[0]);
  }
}
