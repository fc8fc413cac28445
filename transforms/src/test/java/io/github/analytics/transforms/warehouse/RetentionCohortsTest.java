package io.github.analytics.transforms.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.github.analytics.transforms.warehouse.WarehouseTestData.activity;
import static io.github.analytics.transforms.warehouse.WarehouseTestData.byKey;
import static io.github.analytics.transforms.warehouse.WarehouseTestData.firstSeen;
import static io.github.analytics.transforms.warehouse.WarehouseTestData.histories;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link RetentionCohorts} on hand-worked histories. Each expected value is worked out in the comments from the definitions, not from
 * the code.
 */
@ExtendWith(TestPipelineExtension.class)
class RetentionCohortsTest {
  @Test
  void dailyRetentionCountsReturnsOnDayNAndLaterWithinThirtyDaysAcrossMonthEnds(TestPipeline p) {
    // Run: 2026-03-01..03-02, so the cohorts rewritten are 2026-01-30..03-02 (30 days back).
    // alice: first seen 01-30, back on 02-01 (N = 2) and on 03-01 (N = 30: January has 31 days,
    //   February 28). bob: first seen 01-30, back on 03-02 (N = 31, beyond the horizon).
    // carol: first seen 01-10 (recorded by an earlier run), active 01-30 and 01-31: in the recurring
    //   cohorts of 01-30 and 01-31, not in a first-time cohort rewritten by this run.
    List<Row> activity = List.of(
        activity("alice", "2026-01-30", "page_view"), activity("alice", "2026-02-01", "click"),
        activity("alice", "2026-03-01", "page_view"),
        activity("bob", "2026-01-30", "page_view"), activity("bob", "2026-03-02", "page_view"),
        activity("carol", "2026-01-30", "page_view"), activity("carol", "2026-01-31", "page_view"));
    List<Row> first = List.of(firstSeen("carol", "all", "2026-01-10"),
        firstSeen("carol", "page_view", "2026-01-10"));
    DayRange run = DayRange.of(LocalDate.parse("2026-03-01"), LocalDate.parse("2026-03-02"));
    PCollection<Row> rows = histories(p, activity, first).apply(RetentionCohorts.daily(run));
    PAssert.that(rows).satisfies(all -> {
      // cohort_type|cohort_day|day_n -> start|return|size|retained|retained_or_later|complete
      Map<String, String> cells = byKey(all, 3);
      // Cohorts: first_time 01-30 (alice, bob); recurring 01-30 (alice, bob, carol), 01-31 (carol),
      // 02-01 (alice), 03-01 (alice), 03-02 (bob): 6 cohorts of 31 cells.
      assertEquals(6 * 31, cells.size(), cells.keySet().toString());
      assertEquals("all|all|2|2|2|true", cells.get("first_time|2026-01-30|0"));
      assertEquals("all|all|2|0|1|true", cells.get("first_time|2026-01-30|1"));
      assertEquals("all|all|2|1|1|true", cells.get("first_time|2026-01-30|2"));
      assertEquals("all|all|2|1|1|true", cells.get("first_time|2026-01-30|30"));
      assertEquals("all|all|3|3|3|true", cells.get("recurring|2026-01-30|0"));
      // N = 1: carol on 01-31; or later: carol (01-31) and alice (up to 03-01).
      assertEquals("all|all|3|1|2|true", cells.get("recurring|2026-01-30|1"));
      assertEquals("all|all|3|1|1|true", cells.get("recurring|2026-01-30|2"));
      assertEquals("all|all|3|0|1|true", cells.get("recurring|2026-01-30|29"));
      assertEquals("all|all|1|1|1|true", cells.get("recurring|2026-01-31|0"));
      // The last day with data is 03-02: cohort 03-01's day 1 is complete, day 2 is not.
      assertEquals("all|all|1|0|0|true", cells.get("recurring|2026-03-01|1"));
      assertEquals("all|all|1|0|0|false", cells.get("recurring|2026-03-01|2"));
      assertTrue(!cells.containsKey("first_time|2026-01-10|0"), "cohort 01-10 is not rewritten");
      return null;
    });
    p.run().waitUntilFinish();
  }


  @Test
  void weeklyRetentionOfAUserBackTwoWeeksLater(TestPipeline p) {
    // dave: first active Monday 2026-01-05 (week A) and Wednesday 2026-01-21 (week A + 2).
    // erin: active in week A (Sunday 01-11) and week A + 1 (Monday 01-12).
    List<Row> activity = List.of(
        activity("dave", "2026-01-05", "page_view"), activity("dave", "2026-01-21", "page_view"),
        activity("erin", "2026-01-11", "page_view"), activity("erin", "2026-01-12", "page_view"));
    DayRange run = DayRange.of(LocalDate.parse("2026-01-05"), LocalDate.parse("2026-01-25"));
    PCollection<UserHistory> histories = histories(p, activity, List.of());
    PAssert.that(histories.apply("Weekly", RetentionCohorts.weekly(run))).satisfies(all -> {
      Map<String, String> cells = byKey(all, 3);
      // first_time week A: dave and erin. Week 1: erin; week 2: dave; or later: N <= 2 dave, N <= 1 erin.
      assertEquals("all|all|2|2|2|true", cells.get("first_time|2026-01-05|0"));
      assertEquals("all|all|2|1|2|true", cells.get("first_time|2026-01-05|1"));
      // Week 2 (01-19..01-25) ends after the last day with data (01-21): not complete yet.
      assertEquals("all|all|2|1|1|false", cells.get("first_time|2026-01-05|2"));
      assertEquals("all|all|2|0|0|false", cells.get("first_time|2026-01-05|3"));
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void aChosenStartEventMakesCohortsOfItsFirstDay(TestPipeline p) {
    // Start event purchase, return any event. ann: a page view 03-01, her first purchase 03-03, a page
    // view 03-05: first-time purchase cohort 03-03, back on day 2. ben: purchases 03-01, a page view
    // 03-02: cohort 03-01, back on day 1. The page view of 03-01 puts nobody in a cohort.
    List<Row> activity = List.of(
        activity("ann", "2026-03-01", "page_view"), activity("ann", "2026-03-03", "purchase"),
        activity("ann", "2026-03-05", "page_view"), activity("ben", "2026-03-01", "purchase"),
        activity("ben", "2026-03-02", "page_view"));
    DayRange run = DayRange.of(LocalDate.parse("2026-03-01"), LocalDate.parse("2026-03-05"));
    PCollection<Row> rows = histories(p, activity, List.of())
        .apply(RetentionCohorts.daily(run).withEvents("purchase", "all"));
    PAssert.that(rows).satisfies(all -> {
      Map<String, String> cells = byKey(all, 3);
      assertEquals("purchase|all|1|1|1|true", cells.get("first_time|2026-03-03|0"));
      assertEquals("purchase|all|1|0|1|true", cells.get("first_time|2026-03-03|1"));
      assertEquals("purchase|all|1|1|1|true", cells.get("first_time|2026-03-03|2"));
      assertEquals("purchase|all|1|1|1|true", cells.get("first_time|2026-03-01|1"));
      assertEquals("purchase|all|1|0|0|true", cells.get("first_time|2026-03-01|2"));
      // Cohorts: first_time and recurring of 03-01 (ben) and 03-03 (ann), 31 cells each.
      assertEquals(4 * 31, cells.size(), cells.keySet().toString());
      return null;
    });
    p.run().waitUntilFinish();
  }
}
