package io.github.analytics.transforms.metrics;

import static io.github.analytics.transforms.metrics.EstimateDistinctUsersTest.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.analytics.schemas.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class CountActiveUsersTest {
  /** Day 1 of the tests; day d is DAY1 + (d - 1) days. */
  private static final Instant DAY1 = Instant.parse("2026-03-01T00:00:00Z");

  private static Instant day(int d) {
    return DAY1.plus(Duration.standardDays(d - 1));
  }

  private static List<String> users(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "u" + i).collect(Collectors.toList());
  }

  static PCollection<String> activeKeys(PCollection<Row> rows) {
    return rows.apply("ActiveKeys", MapElements.into(TypeDescriptors.strings()).via(row ->
        row.getDateTime("day").toInstant() + "|" + row.getInt32("window_days") + "|"
            + row.getInt64("active_users") + "|" + row.getInt64("days_with_data") + "|"
            + row.getInt32("precision")));
  }

  static String active(Instant day, int windowDays, long users, long daysWithData) {
    return day + "|" + windowDays + "|" + users + "|" + daysWithData + "|15";
  }

  @Test
  void countsDailyWeeklyAndMonthlyActiveUsersOverTenDays(TestPipeline pipeline) {
    // Day d (1..10) has users u(5d)..u(5d+19): 20 a day, each day sharing 15 with the day before.
    // Half the events are clicks, half views, at 09:00 and 21:00: only the "all" rows count.
    List<TimestampedValue<Event>> events = new ArrayList<>();
    for (int d = 1; d <= 10; d++) {
      for (String user : users(5 * d, 5 * d + 20)) {
        boolean click = user.hashCode() % 2 == 0;
        events.add(at(click ? "click" : "view", user,
            day(d).plus(Duration.standardHours(click ? 9 : 21))));
      }
    }
    PCollection<Row> activeRows =
        pipeline.apply(Create.timestamped(events))
            .apply("Hourly", EstimateDistinctUsers.of(WindowPolicy.batch(), 15))
            .apply("Daily", MergeDistinctUsers.of(WindowPolicy.batch()))
            .apply("Active", CountActiveUsers.of(WindowPolicy.batch()));

    // The window of N days ending on day d covers days first = max(1, d - N + 1) to d: users
    // u(5 first)..u(5d+19), 5 (d - first) + 20 of them, and d - first + 1 days with data. For
    // example WAU on day 10: days 4..10, users u20..u69 = 50, 7 days; the 28- and 30-day windows
    // of day 10 hold only days 1..10 (10 days with data: partly covered). Nothing is written for
    // days 11 to 39, whose windows end after the input. ZetaSketch over the same users agrees.
    List<String> expected = new ArrayList<>();
    for (int d = 1; d <= 10; d++) {
      for (int n : new int[] {1, 7, 28, 30}) {
        int first = Math.max(1, d - n + 1);
        List<String> union = users(5 * first, 5 * d + 20);
        assertEquals(5 * (d - first) + 20, HllOracle.estimate(15, union));
        expected.add(active(day(d), n, HllOracle.estimate(15, union), d - first + 1));
      }
    }
    assertEquals(active(day(10), 7, 50, 7), expected.get(9 * 4 + 1));
    assertEquals(active(day(10), 28, 65, 10), expected.get(9 * 4 + 2));
    PAssert.that(activeKeys(activeRows)).containsInAnyOrder(expected);
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aDailyRowSeenAgainCountsOnceInUsersAndDays(TestPipeline pipeline) {
    // Day 1's row arrives twice, as a streaming job re-emits it: first an early pane (u0..u4), then
    // the whole day (u0..u9). Day 2 has u5..u14. Over 7 days on day 2: u0..u14 = 15 users on 2 days,
    // not 20 users on 3 days. The click row is ignored.
    Instant min = BoundedWindow.TIMESTAMP_MIN_VALUE;
    PCollection<Row> activeRows =
        pipeline
            .apply(Create.timestamped(
                    TimestampedValue.of(dailyRow(day(1), "all", users(0, 5)), min),
                    TimestampedValue.of(dailyRow(day(1), "all", users(0, 10)), min),
                    TimestampedValue.of(dailyRow(day(2), "all", users(5, 15)), min),
                    TimestampedValue.of(dailyRow(day(2), "click", users(100, 200)), min))
                .withCoder(RowCoder.of(MergeDistinctUsers.SCHEMA)))
            .apply(CountActiveUsers.of(WindowPolicy.batch()).withWindowDays(7, 1));
    PAssert.that(activeKeys(activeRows)).containsInAnyOrder(
        active(day(1), 1, 10, 1),
        active(day(1), 7, 10, 1),
        active(day(2), 1, 10, 1),
        active(day(2), 7, 15, 2));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void rejectsWindowLengthsThatAreNotDistinctPositiveDays() {
    CountActiveUsers metric = CountActiveUsers.of(WindowPolicy.batch());
    assertThrows(IllegalArgumentException.class, () -> metric.withWindowDays(7, 7));
    assertThrows(IllegalArgumentException.class, () -> metric.withWindowDays(0));
    assertThrows(IllegalArgumentException.class, () -> metric.withWindowDays());
  }

  static Row dailyRow(Instant day, String type, List<String> users) {
    return Row.withSchema(MergeDistinctUsers.SCHEMA)
        .addValues(day, type, HllOracle.estimate(15, users), HllOracle.sketch(15, users), 15)
        .build();
  }
}
