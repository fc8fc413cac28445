package io.github.analytics.transforms.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.RawEvent;
import java.nio.charset.StandardCharsets;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** {@link RecordParser}: the parse step's decision, with the transform's own limits, one record at a time. */
class RecordParserTest {
  private static final Instant ARRIVAL = Instant.parse("2026-11-27T10:00:02.000Z");

  private static RecordParser.Outcome parse(ParseEvents settings, String json, Instant arrival) {
    return settings.recordParser()
        .parse(RawEvent.of(json.getBytes(StandardCharsets.UTF_8), arrival, "kafka:events/0@1"));
  }

  @Test
  void aValidRecordIsAnEventAndABadOneItsDeadLetter() {
    RecordParser.Outcome valid = parse(ParseEvents.of(), ParseEventsTest.valid(), ARRIVAL);
    assertNotNull(valid.event());
    assertNull(valid.deadLetter());
    assertEquals("u000042", valid.event().getUserId());
    assertEquals(ARRIVAL, valid.event().getReceivedAt());

    String truncated = ParseEventsTest.valid().substring(0, 40);
    RecordParser.Outcome bad = parse(ParseEvents.of(), truncated, ARRIVAL);
    assertNull(bad.event());
    DeadLetter deadLetter = bad.deadLetter();
    assertNotNull(deadLetter);
    assertEquals("MALFORMED_JSON", deadLetter.getReason());
    assertEquals("ParseEvents", deadLetter.getStep());
    assertArrayEquals(truncated.getBytes(StandardCharsets.UTF_8), deadLetter.getPayload());
  }

  @Test
  void theTransformsLimitsApply() {
    String valid = ParseEventsTest.valid();
    assertEquals("PAYLOAD_TOO_LARGE",
        parse(ParseEvents.of().withMaxPayloadBytes(100), valid, ARRIVAL).deadLetter().getReason());
    assertEquals("PROPERTIES_TOO_LARGE",
        parse(ParseEvents.of().withMaxPropertiesBytes(10), valid, ARRIVAL).deadLetter().getReason());
    assertThrows(IllegalArgumentException.class, () -> ParseEvents.of().withMaxPayloadBytes(0).recordParser());
  }

  @Test
  void withoutAServerTimestampTheArrivalGivenIsTheReference() {
    // client_timestamp 2026-11-27T10:00:00.500Z: valid when it arrives then, absurd 31 days later.
    String json = ParseEventsTest.payload("server_timestamp", null);
    assertNotNull(parse(ParseEvents.of(), json, ARRIVAL).event());
    assertEquals("TIMESTAMP_OUT_OF_RANGE",
        parse(ParseEvents.of(), json, ARRIVAL.plus(Duration.standardDays(31))).deadLetter().getReason());
    // With one, the collector's clock decides and the arrival does not matter.
    assertNotNull(
        parse(ParseEvents.of(), ParseEventsTest.valid(), ARRIVAL.plus(Duration.standardDays(31))).event());
  }
}
