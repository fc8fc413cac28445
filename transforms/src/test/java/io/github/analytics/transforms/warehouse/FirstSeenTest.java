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
import io.github.analytics.transforms.PipelineCounters;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricsFilter;
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
  void firstSeenKeepsEarlierDaysAndRewritesTheRunsAndTheThirtyAfter(TestPipeline p) {
    // The run: 03-01..03-02, so it rewrites the first days of 03-01..04-01.
    // hana: recorded first on 2026-01-01 (before): no row. ivan: recorded on 03-10 but active on
    // 03-01: his row moves to 03-01 (and 03-10's rows, rewritten, no longer hold him). jo: new on
    // 03-02, with a click and a purchase. kim: first on 03-20, read back from the warehouse: her rows
    // are written again. lou: recorded on 05-10, beyond the rewritten days, active on 03-01: the
    // earlier row is written, and the move counted (05-10's row stays until that day runs again).
    List<Row> activity = List.of(
        activity("hana", "2026-03-01", "page_view"), activity("ivan", "2026-03-01", "page_view"),
        activity("ivan", "2026-03-10", "page_view"), activity("jo", "2026-03-02", "click", "purchase"),
        activity("kim", "2026-03-20", "click"), activity("lou", "2026-03-01", "click"));
    List<Row> first = List.of(
        firstSeen("hana", "all", "2026-01-01"), firstSeen("hana", "page_view", "2026-01-01"),
        firstSeen("ivan", "all", "2026-03-10"), firstSeen("ivan", "page_view", "2026-03-10"),
        firstSeen("lou", "all", "2026-05-10"), firstSeen("lou", "click", "2026-05-10"));
    DayRange run = DayRange.of(LocalDate.parse("2026-03-01"), LocalDate.parse("2026-03-02"));
    PCollection<Row> rows = histories(p, activity, first).apply(FirstSeen.of(run));
    PAssert.that(rows).satisfies(all -> {
      Map<String, String> firsts = byKey(all, 2);
      assertEquals(Map.of(
          "ivan|all", "2026-03-01", "ivan|page_view", "2026-03-01",
          "jo|all", "2026-03-02", "jo|click", "2026-03-02", "jo|purchase", "2026-03-02",
          "kim|all", "2026-03-20", "kim|click", "2026-03-20",
          "lou|all", "2026-03-01", "lou|click", "2026-03-01"), firsts);
      return null;
    });
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(1L, result.metrics().queryMetrics(MetricsFilter.builder()
            .addNameFilter(MetricNameFilter.named(PipelineCounters.NAMESPACE,
                PipelineCounters.FIRST_SEEN_MOVED_EARLIER)).build())
        .getCounters().iterator().next().getAttempted());
  }
}
