package io.github.analytics.transforms.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.schemas.Event;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every record of the hostile corpus ({@code testdata/hostile}) through {@link EventParser} with the
 * default limits: the outcome and reason the corpus gives, worked out by hand from the README, and
 * for a dead letter its payload byte for byte.
 */
class HostileCorpusTest {
  static List<HostileCorpus.Entry> corpus() throws Exception {
    return HostileCorpus.load();
  }

  @Test
  void theCorpusHasAtLeast200RecordsEveryCategoryAndEveryReason() throws Exception {
    List<HostileCorpus.Entry> corpus = corpus();
    assertTrue(corpus.size() >= 200, "records: " + corpus.size());
    Map<String, Long> byCategory =
        corpus.stream()
            .collect(
                Collectors.groupingBy(
                    HostileCorpus.Entry::category, TreeMap::new, Collectors.counting()));
    assertEquals(HostileCorpus.CATEGORIES, byCategory.keySet(), byCategory::toString);
    // Every category holds a good handful of records, valid ones among them.
    for (String category : HostileCorpus.CATEGORIES) {
      assertTrue(byCategory.get(category) >= 20, category + ": " + byCategory);
      assertTrue(
          corpus.stream().anyMatch(e -> e.category().equals(category) && e.valid()),
          category + " has no valid record");
    }
    Set<DeadLetterReason> reasons = EnumSet.noneOf(DeadLetterReason.class);
    Set<String> ids = new HashSet<>();
    for (HostileCorpus.Entry entry : corpus) {
      assertTrue(ids.add(entry.id()), "id twice: " + entry.id());
      assertTrue(!entry.why().isBlank(), entry.id() + " says why");
      if (!entry.valid()) {
        reasons.add(entry.reason());
      }
    }
    assertEquals(DeadLetterReason.RECORD_CHECKS, reasons);
  }

  /**
   * A {@code STEP_FAILED} dead letter carries the event as parsed, written by {@link
   * io.github.analytics.transforms.StepFailures#json}: read back through the parser, every valid
   * record of the corpus (escapes, non-ASCII, nesting, big numbers) gives the same event again.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void aStepFailurePayloadReadsBackAsTheSameEvent(HostileCorpus.Entry entry) {
    org.junit.jupiter.api.Assumptions.assumeTrue(entry.valid());
    EventParser parser = parser();
    Event parsed = parser.parse(entry.raw()).event;
    assertNotNull(parsed);
    // What every step after the parser sees: the event after a shuffle (lone surrogates are '?').
    Event event = clone(parsed);
    byte[] payload = io.github.analytics.transforms.StepFailures.json(event);
    EventParser.Outcome again =
        parser.parse(io.github.analytics.schemas.RawEvent.of(payload, event.getReceivedAt(), entry.source()));
    assertNull(again.deadLetter, () -> "dead-lettered: " + again.deadLetter + " for "
        + new String(payload, java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(event, again.event);
  }

  /** The parser with the pipelines' default limits. */
  private static EventParser parser() {
    return new EventParser(
        ParseEvents.DEFAULT_MAX_PAYLOAD_BYTES,
        ParseEvents.DEFAULT_MAX_PROPERTIES_BYTES,
        ParseEvents.DEFAULT_MAX_PAST,
        ParseEvents.DEFAULT_MAX_FUTURE);
  }

  private static Event clone(Event event) {
    try {
      return org.apache.beam.sdk.util.CoderUtils.clone(io.github.analytics.schemas.EventCoder.of(), event);
    } catch (org.apache.beam.sdk.coders.CoderException e) {
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void everyRecordEndsAsTheCorpusSays(HostileCorpus.Entry entry) {
    EventParser parser = parser();
    EventParser.Outcome outcome = parser.parse(entry.raw());
    if (entry.valid()) {
      assertNull(outcome.deadLetter, () -> "dead-lettered: " + outcome.deadLetter);
      assertNotNull(outcome.event);
      return;
    }
    DeadLetter deadLetter = outcome.deadLetter;
    assertNotNull(deadLetter, () -> "parsed into " + outcome.event);
    assertEquals(entry.reason().name(), deadLetter.getReason(), deadLetter.getMessage());
    assertArrayEquals(entry.payload(), deadLetter.getPayload());
    assertEquals(entry.source(), deadLetter.getSource());
    // No message carries a character an identifier may not hold, whatever value it quotes (the
    // oracle's Unicode terms; an unpaired surrogate is one).
    assertTrue(
        deadLetter.getMessage().codePoints().allMatch(cp -> TreeEventParser.forbiddenKind(cp) == null),
        deadLetter.getMessage());
    if (entry.reason() == DeadLetterReason.INVALID_IDENTIFIER) {
      // The message may be shown on a terminal: it never carries the offending characters.
      assertTrue(
          deadLetter.getMessage().chars().allMatch(c -> c >= 0x20 && c < 0x7f),
          deadLetter.getMessage());
    }
  }
}
