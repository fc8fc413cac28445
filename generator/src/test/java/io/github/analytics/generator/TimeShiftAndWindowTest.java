package io.github.analytics.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.analytics.schemas.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link GeneratorConfig#withTimeShift} and {@link GeneratorConfig#withWindow}, checked against the
 * unshifted full day: the expected bytes are that day's, with every timestamp re-formatted here with
 * {@link DateTimeFormatter}, and the expected window is that day filtered here by arrival time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TimeShiftAndWindowTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 27);
  /** A shift crossing a year, a month and a day boundary, with milliseconds. */
  private static final Duration SHIFT =
      Duration.ofDays(400).plusHours(7).plusMinutes(13).plusSeconds(5).plusMillis(321);
  private static final long SHIFT_MILLIS = 400 * 86_400_000L + 7 * 3_600_000L + 13 * 60_000L + 5_321L;
  private static final Pattern TIMESTAMP =
      Pattern.compile("(\\d{4})-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
  /** A timestamp cut short at the end of a truncated payload. */
  private static final Pattern CUT_TIMESTAMP = Pattern.compile("\\d[-\\dT:.]*$");
  private static final DateTimeFormatter WIRE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Many malformed records and an error burst, so every kind of payload is shifted. */
  private final GeneratorConfig config =
      GeneratorConfig.forDay(DAY)
          .withSeed(11)
          .withEvents(20_000)
          .withUsers(2_000)
          .withMalformedShare(0.05)
          .withAnomalyAt(LocalTime.of(14, 0));

  private final ObjectMapper mapper = new ObjectMapper();
  private final ReferenceValidator validator = new ReferenceValidator();
  private List<GeneratedRecord> fullDay;

  @BeforeAll
  void generateFullDay() {
    fullDay = collect(EventGenerator.of(config).iterator());
  }

  @Test
  void shiftMovesEveryTimestampByTheShiftAndKeepsEveryOtherByte() throws Exception {
    List<GeneratedRecord> shifted = collect(EventGenerator.of(config.withTimeShift(SHIFT)).iterator());
    assertEquals(fullDay.size(), shifted.size());

    Set<DeadLetterReason> reasonsSeen = EnumSet.noneOf(DeadLetterReason.class);
    int parsedAndCompared = 0;
    int outOfRangeKept = 0;
    for (int i = 0; i < fullDay.size(); i++) {
      GeneratedRecord before = fullDay.get(i);
      GeneratedRecord after = shifted.get(i);
      String where = "record " + i + " " + before;
      assertEquals(before.receivedAtMillis() + SHIFT_MILLIS, after.receivedAtMillis(), where);
      assertEquals(before.kind(), after.kind(), where);
      assertEquals(before.eventType(), after.eventType(), where);
      assertEquals(before.intendedReason(), after.intendedReason(), where);
      before.intendedReason().ifPresent(reasonsSeen::add);

      assertBytesDifferOnlyInShiftedTimestamps(before, after, where);

      // A malformed record stays malformed for the same reason; a valid one stays valid.
      assertEquals(
          before.intendedReason(), validator.check(after.payload(), after.receivedAtMillis()), where);

      Optional<JsonNode> beforeJson = parseObject(before.payload());
      if (beforeJson.isPresent()) {
        JsonNode afterJson = mapper.readTree(after.payload());
        assertEquals(shiftTimestamps(beforeJson.get()), afterJson, where);
        parsedAndCompared++;
        if (before.kind() != RecordKind.MALFORMED) {
          assertEquals(
              Instant.parse(beforeJson.get().get("client_timestamp").asText()).plus(SHIFT),
              Instant.parse(afterJson.get("client_timestamp").asText()),
              where);
          assertEquals(
              Instant.ofEpochMilli(after.receivedAtMillis()),
              Instant.parse(afterJson.get("server_timestamp").asText()),
              where);
        }
        if (before.intendedReason().equals(Optional.of(DeadLetterReason.TIMESTAMP_OUT_OF_RANGE))) {
          // 1970 or 2099 on purpose: left alone, and still far from the shifted server time.
          assertEquals(beforeJson.get().get("client_timestamp"), afterJson.get("client_timestamp"), where);
          outOfRangeKept++;
        }
      }
    }
    assertEquals(MalformedFactory.REASONS, reasonsSeen);
    assertTrue(parsedAndCompared > 20_000, "only " + parsedAndCompared + " payloads compared as JSON");
    assertTrue(outOfRangeKept > 0);
  }

  @Test
  void compressionDividesEveryTimestampsDistanceFromTheDayStartAndKeepsEveryOtherByte()
      throws Exception {
    int factor = 96;
    long dayStart = DAY.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    // Worked by hand: 18:00:00.000 is 64,800,000 ms into the day, 675,000 ms = 00:11:15 compressed.
    LongUnaryOperator compress = t -> dayStart + Math.floorDiv(t - dayStart, factor);
    assertEquals(dayStart + 675_000, compress.applyAsLong(dayStart + 64_800_000));
    List<GeneratedRecord> compressed =
        collect(EventGenerator.of(config.withTimeCompression(factor)).iterator());
    assertEquals(fullDay.size(), compressed.size());

    int parsedAndCompared = 0;
    long last = Long.MIN_VALUE;
    for (int i = 0; i < fullDay.size(); i++) {
      GeneratedRecord before = fullDay.get(i);
      GeneratedRecord after = compressed.get(i);
      String where = "record " + i + " " + before;
      assertEquals(compress.applyAsLong(before.receivedAtMillis()), after.receivedAtMillis(), where);
      assertTrue(after.receivedAtMillis() >= last, where + ": out of arrival order");
      last = after.receivedAtMillis();
      assertEquals(before.kind(), after.kind(), where);
      assertEquals(before.intendedReason(), after.intendedReason(), where);
      assertEquals(
          before.intendedReason(), validator.check(after.payload(), after.receivedAtMillis()), where);
      Optional<JsonNode> beforeJson = parseObject(before.payload());
      if (beforeJson.isPresent()) {
        assertEquals(mapTimestamps(beforeJson.get(), compress), mapper.readTree(after.payload()), where);
        parsedAndCompared++;
      }
    }
    assertTrue(parsedAndCompared > 20_000, "only " + parsedAndCompared + " payloads compared as JSON");
    // The day's arrivals (and the late ones past midnight) now fit in about a 96th of the time.
    assertTrue(last - dayStart < 2 * 86_400_000L / factor, "last arrival " + Instant.ofEpochMilli(last));
    assertEquals(config.withTimeCompression(factor), config.withTimeCompression(factor));
    assertFalse(config.equals(config.withTimeCompression(factor)));
    for (int bad : new int[] {0, -3, 86_401}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> EventGenerator.of(config.withTimeCompression(bad)));
      assertTrue(e.getMessage().contains("between 1 (real time) and 86400"), e.getMessage());
    }
  }

  @Test
  void sameConfigAndShiftGiveTheSameBytes() {
    GeneratorConfig shifted = config.withTimeShift(SHIFT);
    Iterator<GeneratedRecord> a = EventGenerator.of(shifted).iterator();
    Iterator<GeneratedRecord> b = EventGenerator.of(shifted).iterator();
    int n = 0;
    while (a.hasNext()) {
      GeneratedRecord x = a.next();
      GeneratedRecord y = b.next();
      assertArrayEquals(x.payload(), y.payload());
      assertEquals(x.receivedAtMillis(), y.receivedAtMillis());
      n++;
    }
    assertFalse(b.hasNext());
    assertEquals(fullDay.size(), n);
  }

  @Test
  void windowKeepsExactlyTheFullDaysRecordsArrivingInIt() {
    long from = Instant.parse("2026-11-27T13:30:00Z").toEpochMilli();
    long to = Instant.parse("2026-11-27T14:30:00Z").toEpochMilli();
    List<GeneratedRecord> expected = new ArrayList<>();
    for (GeneratedRecord record : fullDay) {
      if (record.receivedAtMillis() >= from && record.receivedAtMillis() < to) {
        expected.add(record);
      }
    }
    assertTrue(expected.size() > 500, "the window should be busy: " + expected.size());

    List<GeneratedRecord> windowed =
        collect(
            EventGenerator.of(config.withWindow(LocalTime.of(13, 30), Duration.ofHours(1))).iterator());
    assertSameRecords(expected, windowed, 0);

    // Shifted and windowed: the window is on the unshifted day, the records come out shifted.
    List<GeneratedRecord> both =
        collect(
            EventGenerator.of(
                    config.withTimeShift(SHIFT).withWindow(LocalTime.of(13, 30), Duration.ofHours(1)))
                .iterator());
    assertEquals(expected.size(), both.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).receivedAtMillis() + SHIFT_MILLIS, both.get(i).receivedAtMillis());
      assertBytesDifferOnlyInShiftedTimestamps(expected.get(i), both.get(i), "record " + i);
    }
  }

  @Test
  void aWindowPastMidnightHoldsTheDaysLateArrivals() {
    long from = Instant.parse("2026-11-27T23:30:00Z").toEpochMilli();
    long to = Instant.parse("2026-11-28T01:30:00Z").toEpochMilli();
    long midnight = Instant.parse("2026-11-28T00:00:00Z").toEpochMilli();
    List<GeneratedRecord> expected = new ArrayList<>();
    for (GeneratedRecord record : fullDay) {
      if (record.receivedAtMillis() >= from && record.receivedAtMillis() < to) {
        expected.add(record);
      }
    }
    assertTrue(expected.stream().anyMatch(r -> r.receivedAtMillis() >= midnight));
    assertSameRecords(
        expected,
        collect(
            EventGenerator.of(config.withWindow(LocalTime.of(23, 30), Duration.ofHours(2))).iterator()),
        0);
  }

  @Test
  void badShiftsAndWindowsAreRejectedWithWhatToChange() {
    IllegalArgumentException subMilli =
        assertThrows(
            IllegalArgumentException.class,
            () -> EventGenerator.of(config.withTimeShift(Duration.ofNanos(1_500_000))));
    assertTrue(subMilli.getMessage().contains("whole milliseconds"), subMilli.getMessage());
    IllegalArgumentException far =
        assertThrows(
            IllegalArgumentException.class,
            () -> EventGenerator.of(config.withTimeShift(Duration.ofDays(365 * 80))));
    assertTrue(far.getMessage().contains("outside 2000-2097"), far.getMessage());
    for (Duration length : List.of(Duration.ZERO, Duration.ofMinutes(-5), Duration.ofHours(25))) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> EventGenerator.of(config.withWindow(LocalTime.NOON, length)));
      assertTrue(e.getMessage().contains("at most a day"), e.getMessage());
    }
    assertEquals(config, config.withWindow(LocalTime.NOON, Duration.ofHours(1)).withoutWindow());
    assertFalse(config.equals(config.withTimeShift(SHIFT)));
  }

  /**
   * The shifted payload is the unshifted one with every well-formed timestamp of 2000-2097 moved by
   * the shift; a timestamp cut short at the end of a truncated payload may only differ in its digits.
   */
  private static void assertBytesDifferOnlyInShiftedTimestamps(
      GeneratedRecord before, GeneratedRecord after, String where) {
    String original = new String(before.payload(), StandardCharsets.ISO_8859_1);
    String actual = new String(after.payload(), StandardCharsets.ISO_8859_1);
    String expected = shiftTimestamps(original);
    if (expected.equals(actual)
        || !before.intendedReason().equals(Optional.of(DeadLetterReason.MALFORMED_JSON))) {
      assertEquals(expected, actual, where);
      return;
    }
    Matcher cutExpected = CUT_TIMESTAMP.matcher(expected);
    Matcher cutActual = CUT_TIMESTAMP.matcher(actual);
    assertTrue(cutExpected.find() && cutActual.find(), where + ": " + actual);
    assertEquals(cutExpected.start(), cutActual.start(), where);
    assertEquals(expected.substring(0, cutExpected.start()), actual.substring(0, cutActual.start()), where);
    assertEquals(expected.length(), actual.length(), where);
  }

  private static String shiftTimestamps(String text) {
    return mapTimestamps(text, t -> t + SHIFT_MILLIS);
  }

  /** {@code text} with every well-formed timestamp of 2000-2097 replaced by {@code map} of it. */
  private static String mapTimestamps(String text, LongUnaryOperator map) {
    Matcher m = TIMESTAMP.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      int year = Integer.parseInt(m.group(1));
      String replacement =
          year >= 2000 && year <= 2097
              ? WIRE.format(Instant.ofEpochMilli(map.applyAsLong(Instant.parse(m.group()).toEpochMilli())))
              : m.group();
      m.appendReplacement(out, replacement);
    }
    m.appendTail(out);
    return out.toString();
  }

  private static JsonNode shiftTimestamps(JsonNode node) {
    return mapTimestamps(node, t -> t + SHIFT_MILLIS);
  }

  private static JsonNode mapTimestamps(JsonNode node, LongUnaryOperator map) {
    if (node.isTextual()) {
      return new TextNode(mapTimestamps(node.asText(), map));
    }
    if (node.isObject()) {
      ObjectNode copy = ((ObjectNode) node).objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        copy.set(field.getKey(), mapTimestamps(field.getValue(), map));
      }
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = ((ArrayNode) node).arrayNode();
      node.forEach(element -> copy.add(mapTimestamps(element, map)));
      return copy;
    }
    return node;
  }

  private Optional<JsonNode> parseObject(byte[] payload) {
    try {
      JsonNode node = mapper.readTree(payload);
      return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
    } catch (Exception e) {
      return Optional.empty(); // truncated, not UTF-8, plain text: compared byte for byte only
    }
  }

  private static void assertSameRecords(
      List<GeneratedRecord> expected, List<GeneratedRecord> actual, long shiftMillis) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).receivedAtMillis() + shiftMillis, actual.get(i).receivedAtMillis());
      assertArrayEquals(expected.get(i).payload(), actual.get(i).payload(), "record " + i);
      assertEquals(expected.get(i).kind(), actual.get(i).kind());
    }
  }

  private static List<GeneratedRecord> collect(Iterator<GeneratedRecord> records) {
    List<GeneratedRecord> out = new ArrayList<>();
    records.forEachRemaining(out::add);
    return out;
  }
}
