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
 * {@link UserLifecycle} on hand-worked histories. Each expected value is worked out in the comments from the definitions, not from
 * the code.
 */
@ExtendWith(TestPipelineExtension.class)
class UserLifecycleTest {
  @Test
  void usersAreNewReturningResurrectingOrDormantByDayAndByWeek(TestPipeline p) {
    // dave: first active Monday 2026-01-05 (week A) and Wednesday 2026-01-21 (week A + 2).
    // erin: active in week A (Sunday 01-11) and week A + 1 (Monday 01-12).
    List<Row> activity = List.of(
        activity("dave", "2026-01-05", "page_view"), activity("dave", "2026-01-21", "page_view"),
        activity("erin", "2026-01-11", "page_view"), activity("erin", "2026-01-12", "page_view"));
    DayRange run = DayRange.of(LocalDate.parse("2026-01-05"), LocalDate.parse("2026-01-25"));
    PCollection<UserHistory> histories = histories(p, activity, List.of());
    PAssert.that(histories.apply("Lifecycle", UserLifecycle.of(run))).satisfies(all -> {
      // period|start -> active|new|returning|resurrecting|dormant
      Map<String, String> rows = byKey(all, 2);
      assertEquals("2|2|0|0|0", rows.get("week|2026-01-05"), "both new in week A");
      assertEquals("1|0|1|0|1", rows.get("week|2026-01-12"), "erin returning, dave dormant");
      assertEquals("1|0|0|1|1", rows.get("week|2026-01-19"), "dave resurrecting, erin dormant");
      // Week A + 3 starts 01-26, after the last day with data (01-21): no row.
      assertTrue(!rows.containsKey("week|2026-01-26"));
      assertEquals("1|0|1|0|0", rows.get("day|2026-01-12"), "erin, active 01-11 and 01-12");
      assertEquals("0|0|0|0|1", rows.get("day|2026-01-13"), "erin dormant the day after");
      assertEquals("1|0|0|1|0", rows.get("day|2026-01-21"), "dave back after 16 days");
      assertTrue(!rows.containsKey("day|2026-01-15"), "nobody active on 01-14 or 01-15");
      return null;
    });
    p.run().waitUntilFinish();
  }

}
