package io.github.analytics.transforms.metrics;

import static io.github.analytics.transforms.metrics.EstimateDistinctUsersTest.at;
import static io.github.analytics.transforms.metrics.EstimateDistinctUsersTest.counter;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.PipelineCounters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class MergeDistinctUsersTest {
  private static final Instant DAY1 = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant DAY2 = DAY1.plus(Duration.standardDays(1));

  /** "day|type|distinct_users|precision" of a daily row. */
  static PCollection<String> dailyKeys(PCollection<Row> rows) {
    return rows.apply("DailyKeys", MapElements.into(TypeDescriptors.strings()).via(row ->
        row.getDateTime("day").toInstant() + "|" + row.getString("event_type") + "|"
            + row.getInt64("distinct_users") + "|" + row.getInt32("precision")));
  }

  static String daily(Instant day, String type, long users, int precision) {
    return day + "|" + type + "|" + users + "|" + precision;
  }

  private static List<String> users(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "user-" + i).collect(Collectors.toList());
  }

  @Test
  void aDaysSketchIsTheSketchOfTheDaysUnionAndOfItsMergedHours(TestPipeline pipeline) {
    // Day 1: clicks at 00:xx by users 0..1999, at 10:xx by 1000..2999, and at 23:xx (the last hour,
    // whose rows are timestamped 23:59:59.999, still day 1) by 2500..4499; views at 10:xx by
    // 4000..5499. Day 2: clicks at 00:xx by 0..999. At precision 12 these sketches are dense.
    int precision = 12;
    // Without the direct runner's per-element encoding checks (ten times slower over 9,500 events);
    // the small test below runs the same DoFns with them.
    DirectOptions options = pipeline.getOptions().as(DirectOptions.class);
    options.setEnforceImmutability(false);
    options.setEnforceEncodability(false);
    Map<Instant, List<String>> clicks = new HashMap<>();
    clicks.put(DAY1, users(0, 2000));
    clicks.put(DAY1.plus(Duration.standardHours(10)), users(1000, 3000));
    clicks.put(DAY1.plus(Duration.standardHours(23)), users(2500, 4500));
    clicks.put(DAY2, users(0, 1000));
    List<String> views = users(4000, 5500);
    List<TimestampedValue<Event>> events = new ArrayList<>();
    for (Map.Entry<Instant, List<String>> hour : clicks.entrySet()) {
      for (String user : hour.getValue()) {
        events.add(at("click", user, hour.getKey().plus(Duration.standardSeconds(events.size() % 3600))));
      }
    }
    for (String user : views) {
      events.add(at("view", user, DAY1.plus(Duration.standardHours(10))));
    }
    PCollection<Row> hourly =
        pipeline.apply(Create.timestamped(events))
            .apply("Hourly", EstimateDistinctUsers.of(WindowPolicy.batch(), precision));
    PCollection<Row> dailyRows = hourly.apply("Daily", MergeDistinctUsers.of(WindowPolicy.batch()));

    // The oracle: one ZetaSketch sketch over each day's union of users.
    long day1Clicks = HllOracle.estimate(precision, users(0, 4500));
    long day1All = HllOracle.estimate(precision, users(0, 5500));
    long day2 = HllOracle.estimate(precision, users(0, 1000));
    PAssert.that(dailyKeys(dailyRows)).containsInAnyOrder(
        daily(DAY1, "click", day1Clicks, precision),
        daily(DAY1, "view", HllOracle.estimate(precision, views), precision),
        daily(DAY1, "all", day1All, precision),
        daily(DAY2, "click", day2, precision),
        daily(DAY2, "all", day2, precision));
    // And ZetaSketch merging the hourly sketches itself gives the same estimates.
    PAssert.that(hourly).satisfies(rows -> {
      Map<String, List<byte[]>> sketches = new HashMap<>();
      for (Row row : rows) {
        Instant day = row.getDateTime("window_start").toInstant();
        day = day.minus(day.getMillis() % Duration.standardDays(1).getMillis());
        sketches.computeIfAbsent(day + "|" + row.getString("event_type"), k -> new ArrayList<>())
            .add(row.getBytes("sketch"));
      }
      assertEquals(day1Clicks, HllOracle.estimateOfUnion(sketches.get(DAY1 + "|click")));
      assertEquals(day1All, HllOracle.estimateOfUnion(sketches.get(DAY1 + "|all")));
      assertEquals(day2, HllOracle.estimateOfUnion(sketches.get(DAY2 + "|all")));
      return null;
    });
    pipeline.run().waitUntilFinish();
  }

  @Test
  void rowsReadBackWithoutTimestampsAreWindowedByTheirHourAndMisdatedRowsAreCounted(
      TestPipeline pipeline) {
    // Hourly rows as a table read gives them: at the minimum timestamp. They must land in the day of
    // their window_start: 23:00 on day 1 in day 1, 00:00 on day 2 in day 2. The 23:00 row is at
    // precision 14 and the 10:00 row at 12: the merged sketch has the smaller precision, 12.
    // One more row of day 1 is timestamped on day 3, after its hour: it is dropped and counted.
    Instant h10 = DAY1.plus(Duration.standardHours(10));
    Instant h23 = DAY1.plus(Duration.standardHours(23));
    Instant min = BoundedWindow.TIMESTAMP_MIN_VALUE;
    PCollection<Row> dailyRows =
        pipeline
            .apply(Create.timestamped(
                    TimestampedValue.of(hourlyRow(h10, "all", 12, users(0, 10)), min),
                    TimestampedValue.of(hourlyRow(h23, "all", 14, users(5, 20)), min),
                    TimestampedValue.of(hourlyRow(DAY2, "all", 15, users(0, 3)), min),
                    TimestampedValue.of(hourlyRow(h10, "all", 12, users(100, 200)),
                        DAY2.plus(Duration.standardDays(1))))
                .withCoder(RowCoder.of(EstimateDistinctUsers.SCHEMA)))
            .apply(MergeDistinctUsers.of(WindowPolicy.batch()));
    // Day 1: users 0..19, 20 distinct (sparse, exact); day 2: users 0..2.
    Set<String> day1Users = new LinkedHashSet<>(users(0, 10));
    day1Users.addAll(users(5, 20));
    assertEquals(20, HllOracle.estimate(12, day1Users));
    PAssert.that(dailyKeys(dailyRows)).containsInAnyOrder(
        daily(DAY1, "all", 20, 12), daily(DAY2, "all", 3, 15));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(1, counter(result, PipelineCounters.METRIC_ROWS_AFTER_THEIR_PERIOD));
  }

  @Test
  void streamingKeepsTheUsersOfLateHourlyPanes(TestPipeline pipeline) throws Exception {
    // u1 clicks at 10:05; the hour closes; u2's click of 10:30 comes late, within the lateness, so
    // the hour fires a late pane with u1 and u2 (Beam stamps it at the hour's end, like the on-time
    // one): the day must count u2, and u3's click of the next day must not land in this day.
    Instant h10 = DAY1.plus(Duration.standardHours(10));
    WindowPolicy policy = WindowPolicy.streaming(Duration.standardSeconds(5), Duration.standardHours(6));
    TestStream<Event> stream =
        TestStream.create(pipeline.getCoderRegistry().getCoder(Event.class))
            .addElements(at("click", "u1", h10.plus(Duration.standardMinutes(5))))
            .advanceWatermarkTo(h10.plus(Duration.standardMinutes(61)))
            .addElements(at("click", "u2", h10.plus(Duration.standardMinutes(30))))
            .advanceWatermarkTo(DAY2.plus(Duration.standardMinutes(30)))
            .addElements(at("click", "u3", DAY2.plus(Duration.standardMinutes(10))))
            .advanceWatermarkToInfinity();
    PCollection<Row> dailyRows =
        pipeline
            .apply(stream)
            .apply("Hourly", EstimateDistinctUsers.of(policy, 15))
            .apply("Daily", MergeDistinctUsers.of(policy));
    PCollection<String> keys = dailyKeys(dailyRows);
    PAssert.that(keys)
        .inOnTimePane(new IntervalWindow(DAY1, DAY2))
        .containsInAnyOrder(daily(DAY1, "click", 2, 15), daily(DAY1, "all", 2, 15));
    PAssert.that(keys)
        .inOnTimePane(new IntervalWindow(DAY2, DAY2.plus(Duration.standardDays(1))))
        .containsInAnyOrder(daily(DAY2, "click", 1, 15), daily(DAY2, "all", 1, 15));
    pipeline.run().waitUntilFinish();
  }

  static Row hourlyRow(Instant start, String type, int precision, List<String> users) {
    return Row.withSchema(EstimateDistinctUsers.SCHEMA)
        .addValues(start, start.plus(Duration.standardHours(1)), type,
            HllOracle.estimate(precision, users), HllOracle.sketch(precision, users), precision)
        .build();
  }
}
