package io.github.analytics.transforms.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.ingest.TestEvents;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A million distinct users through the hourly and daily sketches, at the default precision. */
@ExtendWith(TestPipelineExtension.class)
class EstimateDistinctUsersAccuracyTest {
  private static final int USERS = 1_000_000;
  private static final int PRECISION = 15;
  private static final Instant DAY = Instant.parse("2026-03-01T00:00:00Z");
  private static final String[] TYPES = {"page_view", "click", "add_to_cart", "purchase"};
  /** Three relative standard errors, 3 * 1.04 / sqrt(2^15) = 1.72%: the documented bound. */
  private static final double BOUND = 3 * 1.04 / Math.sqrt(1 << PRECISION);

  /** User i acts once, at hour 10 + i % 2 of DAY, with type TYPES[(i / 2) % 4]. */
  private static int hour(long i) {
    return 10 + (int) (i % 2);
  }

  private static String type(long i) {
    return TYPES[(int) ((i / 2) % TYPES.length)];
  }

  /** Expands seed s into the events of users 1000 s to 1000 s + 999: 1000 seeds make a million. */
  static final class UsersOfSeedFn extends DoFn<Long, Event> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element Long seed, OutputReceiver<Event> out) {
      for (long i = seed * 1000; i < seed * 1000 + 1000; i++) {
        Instant time = DAY.plus(Duration.standardHours(hour(i))).plus(i % 3_600_000);
        out.outputWithTimestamp(TestEvents.event("e" + i, type(i), "user-" + i, time), time);
      }
    }
  }

  @Test
  void aMillionUsersAreEstimatedWithinThreeStandardErrorsAndMergeLikeOneSketch(
      TestPipeline pipeline) {
    // The direct runner's immutability and encodability checks encode each of the million events
    // several times (ten times slower); they check DoFns that the other tests run with the checks on.
    DirectOptions options = pipeline.getOptions().as(DirectOptions.class);
    options.setEnforceImmutability(false);
    options.setEnforceEncodability(false);

    // The oracle: ZetaSketch over the users of each (hour, type), of each hour, and of the day.
    Map<String, List<String>> usersByKey = new HashMap<>();
    for (long i = 0; i < USERS; i++) {
      String user = "user-" + i;
      usersByKey.computeIfAbsent(hour(i) + "|" + type(i), k -> new ArrayList<>()).add(user);
      usersByKey.computeIfAbsent(hour(i) + "|all", k -> new ArrayList<>()).add(user);
      usersByKey.computeIfAbsent("day|all", k -> new ArrayList<>()).add(user);
    }
    HashMap<String, Long> expected = new HashMap<>();
    usersByKey.forEach((key, users) -> expected.put(key, HllOracle.estimate(PRECISION, users)));
    usersByKey.clear();
    assertEquals(2 * TYPES.length + 2 + 1, expected.size());

    PCollection<Row> hourly =
        pipeline
            .apply(Create.of(LongStream.range(0, USERS / 1000).boxed().collect(Collectors.toList())))
            .apply(ParDo.of(new UsersOfSeedFn()))
            .apply("Hourly", EstimateDistinctUsers.of(WindowPolicy.batch(), PRECISION));
    PCollection<Row> daily = hourly.apply("Daily", MergeDistinctUsers.of(WindowPolicy.batch()));

    // Each hourly sketch (125,000 users a type, 500,000 an hour) estimates what ZetaSketch does over
    // the same users; the hour's "all" (four merged types) what one sketch over the hour does.
    PAssert.that(hourly).satisfies(rows -> {
      int seen = 0;
      for (Row row : rows) {
        int hour = row.getDateTime("window_start").getHourOfDay();
        String key = hour + "|" + row.getString("event_type");
        assertEquals(expected.get(key), row.getInt64("distinct_users"), key);
        assertEquals(PRECISION, row.getInt32("precision"));
        seen++;
      }
      assertEquals(2 * TYPES.length + 2, seen);
      return null;
    });
    // The day's "all" merges eight sketches (2 hours x 4 types, via the hours' "all"): exactly the
    // estimate of one sketch over the million users, and within the bound of the exact count.
    PAssert.that(daily).satisfies(rows -> {
      boolean found = false;
      for (Row row : rows) {
        if (!EstimateDistinctUsers.ALL_EVENT_TYPES.equals(row.getString("event_type"))) {
          continue;
        }
        long estimate = row.getInt64("distinct_users");
        assertEquals(expected.get("day|all"), estimate);
        double error = (estimate - (double) USERS) / USERS;
        System.out.printf(
            "distinct users: exact %d, estimated %d, relative error %+.4f%% (bound %.2f%%, "
                + "standard error %.2f%%)%n",
            USERS, estimate, 100 * error, 100 * BOUND, 100 * BOUND / 3);
        assertTrue(Math.abs(error) <= BOUND, "relative error " + error + " beyond " + BOUND);
        found = true;
      }
      assertTrue(found, "no daily row over all event types");
      return null;
    });
    pipeline.run().waitUntilFinish();
  }
}
