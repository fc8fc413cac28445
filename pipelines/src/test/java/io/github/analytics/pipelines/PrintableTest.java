package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.transforms.PipelineCounters;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.joda.time.Duration;
import io.github.analytics.pipelines.options.DateRange;
import org.junit.jupiter.api.Test;

/** What the terminal summaries print of values from events: hand-worked cases. */
class PrintableTest {
  @Test
  void printableTextIsUnchanged() {
    assertEquals("page_view", Printable.text("page_view"));
    assertEquals("Checkout: Step 1 | ünïcødé 購入 🚀", Printable.text("Checkout: Step 1 | ünïcødé 購入 🚀"));
  }

  @Test
  void whatATerminalActsOnIsEscaped() {
    assertEquals("\\u001B[31mred\\u001B[0m", Printable.text("\u001b[31mred\u001b[0m"));
    assertEquals("a\\u000Ab\\u000Dc\\u0009d", Printable.text("a\nb\rc\td"));
    assertEquals("\\u0000\\u007F\\u0085\\u009F", Printable.text("\u0000\u007f\u0085\u009f"));
    assertEquals("abc\\u202Edcba\\u2066x\\u2069\\u2028", Printable.text("abc\u202edcba\u2066x\u2069\u2028"));
    assertEquals("null", Printable.text(null));
  }

  @Test
  void theBatchSummaryPrintsAnEventTypeOnOneLineWithoutEscapes() {
    BatchResult result = new BatchResult(new DateRange(LocalDate.of(2026, 1, 5), LocalDate.of(2026, 1, 5)),
        List.of(), PipelineResult.State.DONE, Map.of(PipelineCounters.PARSE_INPUT, 2L,
            PipelineCounters.PARSE_VALID, 2L, BatchPipeline.EVENTS_WRITTEN, 2L),
        "warehouse", Duration.ZERO);
    String report = BatchReport.render(result, Map.of("\u001b[2J\nEvery record is accounted for", 1L,
        "page_view", 1L));
    assertFalse(report.contains("\u001b"), report);
    assertTrue(report.contains("\\u001B[2J\\u000AEvery record is accounted for"), report);
  }
}
