package io.github.analytics.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.schemas.DeadLetterReason;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class GenerationSummaryTest {
  private static final GeneratorConfig CONFIG =
      GeneratorConfig.forDay(LocalDate.of(2026, 11, 27)).withEvents(5_000).withUsers(500);

  @Test
  void summaryOfARunEqualsTheSummaryOfItsRecords() {
    GenerationSummary fromRun = EventGenerator.of(CONFIG).generate(record -> {});
    GenerationSummary fromRecords = GenerationSummary.of(EventGenerator.of(CONFIG).iterator());
    assertEquals(fromRun.format(), fromRecords.format());
    assertEquals(
        fromRun.totalRecords(),
        fromRun.recordsPerHour().values().stream().mapToLong(Long::longValue).sum());
    assertEquals(
        fromRun.validEvents(),
        fromRun.validEventsByType().values().stream().mapToLong(Long::longValue).sum());
    assertTrue(fromRun.firstReceivedAt().orElseThrow().isBefore(fromRun.lastReceivedAt().orElseThrow()));
  }

  @Test
  void plusAddsTwoDays() {
    GenerationSummary one = EventGenerator.of(CONFIG).generate(record -> {});
    GenerationSummary two = EventGenerator.of(CONFIG.withDay(CONFIG.day().plusDays(1))).generate(record -> {});
    GenerationSummary both = one.plus(two);
    assertEquals(one.totalRecords() + two.totalRecords(), both.totalRecords());
    assertEquals(one.duplicates() + two.duplicates(), both.duplicates());
    assertEquals(
        one.malformedByReason().get(DeadLetterReason.MISSING_FIELD)
            + two.malformedByReason().get(DeadLetterReason.MISSING_FIELD),
        both.malformedByReason().get(DeadLetterReason.MISSING_FIELD));
    assertEquals(one.firstReceivedAt(), both.firstReceivedAt());
    assertEquals(two.lastReceivedAt(), both.lastReceivedAt());
    assertEquals(both.totalRecords(), GenerationSummary.empty().plus(both).totalRecords());
  }

  @Test
  void formatNamesEveryReasonAndHour() {
    GenerationSummary summary = EventGenerator.of(CONFIG).generate(record -> {});
    String text = summary.format();
    for (DeadLetterReason reason : DeadLetterReason.RECORD_CHECKS) {
      assertTrue(text.contains(reason.name()), reason.name());
    }
    assertTrue(text.contains("dt=2026-11-27/hour=00"), text);
    assertTrue(text.contains("page_view"), text);
    assertFalse(GenerationSummary.empty().firstReceivedAt().isPresent());
  }
}
