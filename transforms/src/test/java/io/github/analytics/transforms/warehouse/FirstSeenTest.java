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
 * {@link FirstSeen} on hand-worked histories. Each expected value is worked out in the comments from the definitions, not from
 * the code.
 */
@ExtendWith(TestPipelineExtension.class)
class FirstSeenTest {
  @Test
  void firstSeenKeepsEarlierDaysAndWritesTheRunsFirstDays(TestPipeline p) {
    // hana: recorded first on 2026-01-01 (before the run): no row. ivan: recorded first on 03-10,
    // after the run, but active on 03-01: his first day moves to 03-01. jo: new on 03-02, with a
    // click first and a purchase too.
    List<Row> activity = List.of(
        activity("hana", "2026-03-01", "page_view"), activity("ivan", "2026-03-01", "page_view"),
        activity("ivan", "2026-03-10", "page_view"), activity("jo", "2026-03-02", "click", "purchase"));
    List<Row> first = List.of(
        firstSeen("hana", "all", "2026-01-01"), firstSeen("hana", "page_view", "2026-01-01"),
        firstSeen("ivan", "all", "2026-03-10"), firstSeen("ivan", "page_view", "2026-03-10"));
    DayRange run = DayRange.of(LocalDate.parse("2026-03-01"), LocalDate.parse("2026-03-02"));
    PCollection<Row> rows = histories(p, activity, first).apply(FirstSeen.of(run));
    PAssert.that(rows).satisfies(all -> {
      Map<String, String> firsts = byKey(all, 2);
      assertEquals(Map.of(
          "ivan|all", "2026-03-01", "ivan|page_view", "2026-03-01",
          "jo|all", "2026-03-02", "jo|click", "2026-03-02", "jo|purchase", "2026-03-02"), firsts);
      return null;
    });
    p.run().waitUntilFinish();
  }
}
