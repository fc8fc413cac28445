package io.github.analytics.transforms.metrics;

import static io.github.analytics.transforms.ingest.TestEvents.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.PipelineCounters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class EstimateDistinctUsersTest {
  private static final Instant H10 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant H11 = H10.plus(Duration.standardHours(1));
  private static final Instant H12 = H11.plus(Duration.standardHours(1));
  private static final Instant DAY = Instant.parse("2026-03-01T00:00:00Z");

  static TimestampedValue<Event> at(String type, String user, Instant time) {
    return TimestampedValue.of(event(type + "-" + user + "-" + time.getMillis(), type, user, time), time);
  }

  /** "start|end|type|distinct_users|precision" of an hourly row. */
  static PCollection<String> hourlyKeys(PCollection<Row> rows) {
    return rows.apply("HourlyKeys", MapElements.into(TypeDescriptors.strings()).via(row ->
        row.getDateTime("window_start").toInstant() + "|" + row.getDateTime("window_end").toInstant()
            + "|" + row.getString("event_type") + "|" + row.getInt64("distinct_users")
            + "|" + row.getInt32("precision")));
  }

  static String hourly(Instant start, String type, long users, int precision) {
    return start + "|" + start.plus(Duration.standardHours(1)) + "|" + type + "|" + users + "|"
        + precision;
  }

  static long counter(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> counter :
        result.metrics().queryMetrics(MetricsFilter.builder()
            .addNameFilter(MetricNameFilter.named(PipelineCounters.NAMESPACE, name)).build())
            .getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }

  @Test
  void countsDistinctUsersPerTypeAndHourAndOverAllTypes(TestPipeline pipeline) {
    // 10:00-11:00 click by u1, u2, u1 (2 distinct); view by u2, u3 (2); any type u1, u2, u3 (3).
    // 11:00-12:00 (11:00:00.000 starts the next hour) click by u4 (1); any type 1.
    // 10:59:59.999 is still in the first hour.
    PCollection<Row> rows =
        pipeline
            .apply(Create.timestamped(
                at("click", "u1", H10.plus(Duration.standardMinutes(5))),
                at("click", "u2", H10.plus(Duration.standardMinutes(6))),
                at("click", "u1", H11.minus(Duration.millis(1))),
                at("view", "u2", H10),
                at("view", "u3", H10.plus(Duration.standardMinutes(30))),
                at("click", "u4", H11)))
            .apply(EstimateDistinctUsers.of(WindowPolicy.batch(), 15));
    // HLL++ in sparse mode is exact for such tiny sets: the oracle agrees with the hand count.
    assertEquals(2, HllOracle.estimate(15, List.of("u1", "u2")));
    assertEquals(3, HllOracle.estimate(15, List.of("u1", "u2", "u3")));
    PAssert.that(hourlyKeys(rows)).containsInAnyOrder(
        hourly(H10, "click", 2, 15),
        hourly(H10, "view", 2, 15),
        hourly(H10, "all", 3, 15),
        hourly(H11, "click", 1, 15),
        hourly(H11, "all", 1, 15));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void estimatesMatchZetaSketchOverTheSameUsersAndTheAllRowIsTheUnion(TestPipeline pipeline) {
    // Enough users that the sketches are dense at precision 12 (4096 registers) and estimates are
    // no longer exact: clicks by users 0..7999, views by 4000..11999, purchases by 8000..15999.
    // Each type's estimate must equal ZetaSketch's over the same users, and the merged "all"
    // estimate ZetaSketch's over the union, users 0..15999. (Near the switch from sparse to dense
    // mode, around 3,000 users at precision 12, a merged sketch can still be sparse where one built
    // directly is dense, and the two estimates then differ within the error: not tested here.)
    int precision = 12;
    // The direct runner's immutability and encodability checks encode each of the 24,000 events
    // several times (ten times slower); the small tests run the same DoFns with the checks on.
    DirectOptions options = pipeline.getOptions().as(DirectOptions.class);
    options.setEnforceImmutability(false);
    options.setEnforceEncodability(false);
    List<TimestampedValue<Event>> events = new ArrayList<>();
    Map<String, List<String>> usersByType = new HashMap<>();
    String[] types = {"click", "view", "purchase"};
    for (int t = 0; t < types.length; t++) {
      for (int i = t * 4000; i < t * 4000 + 8000; i++) {
        String user = "user-" + i;
        events.add(at(types[t], user, H10.plus(Duration.millis(i))));
        usersByType.computeIfAbsent(types[t], k -> new ArrayList<>()).add(user);
      }
    }
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 16000; i++) {
      all.add("user-" + i);
    }
    PCollection<Row> rows =
        pipeline.apply(Create.timestamped(events))
            .apply(EstimateDistinctUsers.of(WindowPolicy.batch(), precision));
    PAssert.that(hourlyKeys(rows)).containsInAnyOrder(
        hourly(H10, "click", HllOracle.estimate(precision, usersByType.get("click")), precision),
        hourly(H10, "view", HllOracle.estimate(precision, usersByType.get("view")), precision),
        hourly(H10, "purchase", HllOracle.estimate(precision, usersByType.get("purchase")), precision),
        hourly(H10, "all", HllOracle.estimate(precision, all), precision));
    // The sketch column is the sketch itself: ZetaSketch reads it back to the same estimate.
    PAssert.that(rows).satisfies(out -> {
      for (Row row : out) {
        assertEquals(row.getInt64("distinct_users"),
            HllOracle.estimateOfUnion(List.of(row.getBytes("sketch"))));
      }
      return null;
    });
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anEventTypeNamedAllCountsInTheTotalButGetsNoRowOfItsOwn(TestPipeline pipeline) {
    // "all" is the total's name: u9's "all" event counts in the total (u1, u9 = 2) and is counted.
    PCollection<Row> rows =
        pipeline
            .apply(Create.timestamped(at("click", "u1", H10), at("all", "u9", H10)))
            .apply(EstimateDistinctUsers.of(WindowPolicy.batch(), 15));
    PAssert.that(hourlyKeys(rows)).containsInAnyOrder(
        hourly(H10, "click", 1, 15), hourly(H10, "all", 2, 15));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(1, counter(result, PipelineCounters.DISTINCT_USERS_RESERVED_EVENT_TYPE));
  }

  @Test
  void rejectsPrecisionsZetaSketchCannotBuild() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> EstimateDistinctUsers.of(WindowPolicy.batch(), 9));
    assertTrue(e.getMessage().contains("between 10 and 24"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> EstimateDistinctUsers.of(WindowPolicy.batch(), 15).withPrecision(25));
  }

  @Test
  void reEmittedStreamingPanesDoNotInflateHourlyDailyOrActiveUsers(TestPipeline pipeline)
      throws Exception {
    WindowPolicy policy = WindowPolicy.streaming(Duration.standardSeconds(5), Duration.standardMinutes(10));
    Duration early = Duration.standardSeconds(6);
    TestStream<Event> stream =
        TestStream.create(pipeline.getCoderRegistry().getCoder(Event.class))
            .addElements(
                at("click", "u1", H10.plus(Duration.standardMinutes(1))),
                at("click", "u2", H10.plus(Duration.standardMinutes(2))),
                at("view", "u3", H10.plus(Duration.standardMinutes(3))))
            // One early firing per stage: hourly per type, hourly all types, daily, active.
            .advanceProcessingTime(early)
            .advanceProcessingTime(early)
            .advanceProcessingTime(early)
            .advanceProcessingTime(early)
            // u1 again (click and view) and a new u4: the panes are re-emitted with all users so far.
            .addElements(
                at("click", "u1", H10.plus(Duration.standardMinutes(4))),
                at("view", "u1", H10.plus(Duration.standardMinutes(5))),
                at("click", "u4", H10.plus(Duration.standardMinutes(6))))
            .advanceProcessingTime(early)
            .advanceProcessingTime(early)
            .advanceProcessingTime(early)
            .advanceProcessingTime(early)
            .advanceWatermarkToInfinity();
    PCollection<Row> hourly =
        pipeline.apply(stream).apply("Hourly", EstimateDistinctUsers.of(policy, 15));
    PCollection<Row> daily = hourly.apply("Daily", MergeDistinctUsers.of(policy));
    PCollection<Row> active = daily.apply("Active", CountActiveUsers.of(policy));

    // The truth: click {u1, u2, u4} = 3, view {u3, u1} = 2, all {u1, u2, u3, u4} = 4. Adding up
    // the re-emitted panes instead of merging them would give, for example, click 2 + 3 = 5.
    // (Every stage fires early after each batch, so its last pane is an early one: the on-time
    // firing finds nothing new and FIRE_IF_NON_EMPTY skips it.)
    Map<String, Long> truth = Map.of("click", 3L, "view", 2L, "all", 4L);
    PAssert.that(panes(hourly, "HourlyPanes", "event_type", "distinct_users"))
        .satisfies(rows -> assertPanes(rows, truth));
    PAssert.that(panes(daily, "DailyPanes", "event_type", "distinct_users"))
        .satisfies(rows -> assertPanes(rows, truth));
    PAssert.that(panes(active, "ActivePanes", "window_days", "active_users"))
        .satisfies(rows -> assertPanes(rows, Map.of("1", 4L, "7", 4L, "28", 4L, "30", 4L)));
    PAssert.that(active).satisfies(rows -> {
      for (Row row : rows) {
        // Re-emitted daily rows of the one day must not count as more days.
        assertEquals(1L, row.getInt64("days_with_data"), row.toString());
        assertEquals(DAY, row.getDateTime("day").toInstant(), row.toString());
      }
      return null;
    });
    pipeline.run().waitUntilFinish();
  }

  /** "key|pane index|value" of each row, from the pane it was emitted in. */
  private static PCollection<String> panes(
      PCollection<Row> rows, String name, String keyField, String valueField) {
    return rows.apply(name, ParDo.of(new PaneOfRowFn(keyField, valueField)));
  }

  static final class PaneOfRowFn extends DoFn<Row, String> {
    private static final long serialVersionUID = 1L;

    private final String keyField;
    private final String valueField;

    PaneOfRowFn(String keyField, String valueField) {
      this.keyField = keyField;
      this.valueField = valueField;
    }

    @ProcessElement
    public void process(@Element Row row, PaneInfo pane, OutputReceiver<String> out) {
      out.output(row.getValue(keyField) + "|" + pane.getIndex() + "|" + row.getInt64(valueField));
    }
  }

  /**
   * Per key, in pane order: the values never decrease and never exceed the truth, and the last pane
   * reaches it; and some key was emitted at least twice, first with fewer users: so panes were
   * re-emitted, and merged downstream without inflating anything.
   */
  private static Void assertPanes(Iterable<String> panes, Map<String, Long> truth) {
    Map<String, TreeMap<Long, Long>> byKey = new HashMap<>();
    for (String pane : panes) {
      String[] parts = pane.split("\\|");
      TreeMap<Long, Long> values = byKey.computeIfAbsent(parts[0], k -> new TreeMap<>());
      assertNull(values.put(Long.parseLong(parts[1]), Long.parseLong(parts[2])), "pane twice: " + pane);
    }
    assertEquals(truth.keySet(), byKey.keySet());
    boolean reEmitted = false;
    for (Map.Entry<String, TreeMap<Long, Long>> key : byKey.entrySet()) {
      List<Long> values = new ArrayList<>(key.getValue().values());
      for (int i = 1; i < values.size(); i++) {
        assertTrue(values.get(i - 1) <= values.get(i), key.getKey() + " decreased: " + values);
      }
      assertEquals(truth.get(key.getKey()), values.get(values.size() - 1), key.getKey() + ": " + values);
      reEmitted |= values.size() >= 2 && values.get(0) < values.get(values.size() - 1);
    }
    assertTrue(reEmitted, "no key was emitted early and then again: " + byKey);
    return null;
  }
}
