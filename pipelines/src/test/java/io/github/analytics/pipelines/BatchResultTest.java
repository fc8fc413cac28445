package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.pipelines.options.DateRange;
import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.transforms.PipelineCounters;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

/** The batch summary's two equations, on hand-made counters: each can fail on its own. */
class BatchResultTest {
  private static final LocalDate DAY = LocalDate.of(2026, 1, 5);

  /** 100 read: 90 valid, 10 dead letters; of the valid, 80 written, 4 of other days, 6 duplicates. */
  private static Map<String, Long> balanced() {
    Map<String, Long> counters = new HashMap<>();
    counters.put(PipelineCounters.PARSE_INPUT, 100L);
    counters.put(PipelineCounters.PARSE_VALID, 90L);
    counters.put(PipelineCounters.deadLetterCounterName(DeadLetterReason.values()[0]), 10L);
    counters.put(BatchPipeline.EVENTS_WRITTEN, 80L);
    counters.put(BatchPipeline.EVENTS_FOR_OTHER_DAYS, 4L);
    counters.put(PipelineCounters.DUPLICATES_DROPPED, 6L);
    return counters;
  }

  private static BatchResult result(Map<String, Long> counters) {
    return new BatchResult(new DateRange(DAY, DAY), List.of(), PipelineResult.State.DONE, counters,
        "warehouse", Duration.ZERO);
  }

  @Test
  void balancedCountersAreAccountedFor() {
    assertTrue(result(balanced()).accountedFor());
  }

  @Test
  void aRecordLostBetweenParseAndDeadLettersFails() {
    Map<String, Long> counters = balanced();
    counters.put(PipelineCounters.PARSE_INPUT, 101L);
    assertFalse(result(counters).accountedFor());
  }

  @Test
  void anEventLostAfterDeduplicationFails() {
    Map<String, Long> counters = balanced();
    counters.put(BatchPipeline.EVENTS_WRITTEN, 79L);
    assertFalse(result(counters).accountedFor(), "valid 90 != written 79 + other days 4 + duplicates 6");
  }

  @Test
  void anEventWrittenTwiceFails() {
    Map<String, Long> counters = balanced();
    counters.put(BatchPipeline.EVENTS_WRITTEN, 81L);
    assertFalse(result(counters).accountedFor());
  }
}
