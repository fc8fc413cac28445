package io.github.analytics.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.CoderUtils;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The hand-written coders must give back exactly the object they were given, whatever its optional
 * fields and strings hold: events are compared with AutoValue's equals, field by field.
 */
class EventCoderTest {
  private static final Instant T = Instant.parse("2026-11-27T10:15:30.123Z");

  static Event full() {
    return Event.builder()
        .setEventId("3f1c6a52-8a4e-4d55-9d2a-0b5f0f0c9e11")
        .setEventType("page_view")
        .setUserId("u000042")
        .setSessionId("s-42-1")
        .setProperties("{\"page\":\"/caf\u00e9\",\"emoji\":\"\uD83D\uDE00\"}")
        .setClientTimestamp(T)
        .setServerTimestamp(T.plus(900))
        .setEventTimestamp(T)
        .setAppVersion("5.3.1")
        .setPlatform("web")
        .setClientIp("81.2.69.142")
        .setUserAgent("Mozilla/5.0")
        .setReceivedAt(T.plus(1000))
        .setCountry("GB")
        .setRegion("ENG")
        .setCity("London")
        .setDeviceType("desktop")
        .setOs("Linux")
        .setBrowser("Firefox")
        .build();
  }

  private static Event roundTrip(Event event) throws Exception {
    return CoderUtils.decodeFromByteArray(EventCoder.of(), CoderUtils.encodeToByteArray(EventCoder.of(), event));
  }

  @Test
  void everyFieldSurvives() throws Exception {
    assertEquals(full(), roundTrip(full()));
  }

  @Test
  void absentOptionalFieldsStayAbsent() throws Exception {
    Event sparse = full().toBuilder()
        .setServerTimestamp(null).setAppVersion(null).setClientIp(null).setUserAgent(null)
        .setCountry(null).setRegion(null).setCity(null).setDeviceType(null).setOs(null).setBrowser(null)
        .build();
    assertEquals(sparse, roundTrip(sparse));
    // Each optional field alone, so a swapped bit would show.
    assertEquals(sparse.toBuilder().setCity("Paris").build(), roundTrip(sparse.toBuilder().setCity("Paris").build()));
    assertEquals(sparse.toBuilder().setUserAgent("").build(), roundTrip(sparse.toBuilder().setUserAgent("").build()));
  }

  @Test
  void idsThatAreNotCanonicalUuidsAreKeptAsWritten() throws Exception {
    for (String id : new String[] {"3F1C6A52-8A4E-4D55-9D2A-0B5F0F0C9E11", "not-a-uuid", "",
        "3f1c6a52-8a4e-4d55-9d2a-0b5f0f0c9e1g", "3f1c6a528a4e-4d55-9d2a-0b5f0f0c9e11-"}) {
      Event event = full().toBuilder().setEventId(id).build();
      assertEquals(id, roundTrip(event).getEventId());
    }
    assertTrue(BinaryFields.isCanonicalUuid("00000000-0000-0000-0000-000000000000"));
    assertFalse(BinaryFields.isCanonicalUuid("3F1C6A52-8A4E-4D55-9D2A-0B5F0F0C9E11"));
  }

  @Test
  void randomUuidsAndTimesRoundTrip() throws Exception {
    Random random = new Random(7);
    for (int i = 0; i < 2_000; i++) {
      String id = new java.util.UUID(random.nextLong(), random.nextLong()).toString();
      Instant t = new Instant(random.nextLong() >> 20);
      Event event = full().toBuilder().setEventId(id).setEventTimestamp(t).setClientTimestamp(t.minus(5)).build();
      assertEquals(event, roundTrip(event));
    }
  }

  @Test
  void theEncodingIsSmallerThanTheSchemaCoders() throws Exception {
    byte[] ours = CoderUtils.encodeToByteArray(EventCoder.of(), full());
    byte[] schema = CoderUtils.encodeToByteArray(
        org.apache.beam.sdk.schemas.SchemaRegistry.createDefault().getSchemaCoder(Event.class), full());
    assertTrue(ours.length < schema.length, ours.length + " bytes against the schema coder's " + schema.length);
  }

  @Test
  void eventsFollowingEachOtherInOneStreamEachEndWhereTheirFrameDoes() throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    Event big = full().toBuilder().setProperties("{\"k\":\"" + "x".repeat(5_000) + "\u00e9\"}").build();
    Event sparse = full().toBuilder().setServerTimestamp(null).setCountry(null).setEventId("not-a-uuid").build();
    Event[] events = {full(), big, sparse, full()};
    for (Event event : events) {
      EventCoder.of().encode(event, out);
    }
    java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(out.toByteArray());
    for (Event event : events) {
      assertEquals(event, EventCoder.of().decode(in));
    }
    assertEquals(-1, in.read(), "every byte read");
  }

  @Test
  void aCutOrPaddedFrameIsRefused() throws Exception {
    byte[] bytes = CoderUtils.encodeToByteArray(EventCoder.of(), full());
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
    assertThrows(java.io.IOException.class, () -> EventCoder.of().decode(new java.io.ByteArrayInputStream(cut)));
    // The frame says it is one byte longer than the event's fields: a corrupt value, not a silent one.
    java.io.ByteArrayInputStream frame = new java.io.ByteArrayInputStream(bytes);
    int length = org.apache.beam.sdk.util.VarInt.decodeInt(frame);
    java.io.ByteArrayOutputStream longer = new java.io.ByteArrayOutputStream();
    org.apache.beam.sdk.util.VarInt.encode(length + 1, longer);
    longer.write(frame.readAllBytes());
    longer.write(0);
    byte[] padded = longer.toByteArray();
    assertThrows(CoderException.class, () -> EventCoder.of().decode(new java.io.ByteArrayInputStream(padded)));
  }

  @Test
  void aHeaderFromANewerVersionIsRefused() {
    byte[] bytes = {2, (byte) 0x80, 0x20}; // a frame of two bytes: the header 4096, an unknown bit
    CoderException e = assertThrows(CoderException.class,
        () -> CoderUtils.decodeFromByteArray(EventCoder.of(), bytes));
    assertTrue(e.getMessage().contains("newer version"), e.getMessage());
  }

  @Test
  void rawEventsRoundTripWithAndWithoutSource() throws Exception {
    byte[] payload = {0, (byte) 0xff, '{', '}'};
    for (String source : new String[] {null, "kafka:events/3@1042", ""}) {
      RawEvent raw = RawEvent.of(payload, T, source);
      RawEvent back = CoderUtils.decodeFromByteArray(RawEventCoder.of(),
          CoderUtils.encodeToByteArray(RawEventCoder.of(), raw));
      assertArrayEquals(payload, back.getPayload());
      assertEquals(T, back.getReceivedAt());
      assertEquals(source, back.getSource());
    }
    RawEvent empty = RawEvent.of("".getBytes(StandardCharsets.UTF_8), T, null);
    assertEquals(0, CoderUtils.decodeFromByteArray(RawEventCoder.of(),
        CoderUtils.encodeToByteArray(RawEventCoder.of(), empty)).getPayload().length);
  }
}
