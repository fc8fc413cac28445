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
 * {@link Stickiness} on hand-worked histories. Each expected value is worked out in the comments from the definitions, not from
 * the code.
 */
@ExtendWith(TestPipelineExtension.class)
class StickinessTest {
  @Test
  void stickinessCountsUsersByActiveDaysOfTheLastSevenAndTwentyEightDays(TestPipeline p) {
    // On 2026-02-10: frank active on 02-04, 02-07 and 02-10 (3 of the last 7 days), and 01-20
    // (so 4 of the last 28); gina active on 02-10 only.
    List<Row> activity = List.of(
        activity("frank", "2026-01-20", "click"), activity("frank", "2026-02-04", "click"),
        activity("frank", "2026-02-07", "click"), activity("frank", "2026-02-10", "click"),
        activity("gina", "2026-02-10", "click"));
    DayRange run = DayRange.of(LocalDate.parse("2026-02-10"), LocalDate.parse("2026-02-10"));
    PCollection<Row> rows = histories(p, activity, List.of()).apply(Stickiness.of(run));
    PAssert.that(rows).satisfies(all -> {
      // day|window|n -> exactly|at_least|days_with_data
      Map<String, String> cells = byKey(all, 3);
      // 7 days 02-04..02-10, with data on 02-04, 02-07 and 02-10.
      assertEquals("1|2|3", cells.get("2026-02-10|7|1"), "gina on 1 day; both on 1 or more");
      assertEquals("0|1|3", cells.get("2026-02-10|7|2"));
      assertEquals("1|1|3", cells.get("2026-02-10|7|3"));
      assertEquals("0|0|3", cells.get("2026-02-10|7|4"));
      // 28 days 01-14..02-10: frank on 4 days; days with data: 01-20, 02-04, 02-07, 02-10.
      assertEquals("1|1|4", cells.get("2026-02-10|28|4"));
      assertEquals("1|2|4", cells.get("2026-02-10|28|1"), "gina on exactly 1");
      // Rewritten days run to 03-09, but the last day with data is 02-10: only 02-10's rows.
      assertEquals(7 + 28, cells.size());
      return null;
    });
    p.run().waitUntilFinish();
  }

}
