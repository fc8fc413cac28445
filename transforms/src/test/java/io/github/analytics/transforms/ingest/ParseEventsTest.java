package io.github.analytics.transforms.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.schemas.RawEventCoder;
import io.github.analytics.transforms.PipelineCounters;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(TestPipelineExtension.class)
class ParseEventsTest {
  private static final Instant RECEIVED = Instant.parse("2026-11-27T10:00:02.000Z");
  private static final String ID = "3f1c6a52-8a4e-4d55-9d2a-0b5f0f0c9e11";

  /** A valid payload with one field replaced (or removed, when the value is null). */
  static String payload(String field, String jsonValue) {
    StringBuilder json = new StringBuilder("{");
    String[][] fields = {
      {"event_id", "\"" + ID + "\""},
      {"event_type", "\"page_view\""},
      {"user_id", "\"u000042\""},
      {"session_id", "\"s-42-1\""},
      {"properties", "{\"page\":\"/home\",\"n\":1}"},
      {"client_timestamp", "\"2026-11-27T10:00:00.500Z\""},
      {"server_timestamp", "\"2026-11-27T10:00:01.000Z\""},
      {"app_version", "\"5.3.1\""},
      {"platform", "\"web\""},
      {"client_ip", "\"81.2.69.142\""},
      {"user_agent", "\"Mozilla/5.0\""}
    };
    boolean first = true;
    for (String[] f : fields) {
      String value = f[0].equals(field) ? jsonValue : f[1];
      if (value == null) {
        continue;
      }
      json.append(first ? "" : ",").append('"').append(f[0]).append("\":").append(value);
      first = false;
    }
    return json.append('}').toString();
  }

  static String valid() {
    return payload("none", null);
  }

  private static EventParser.Outcome parse(byte[] bytes) {
    return new EventParser(
            ParseEvents.DEFAULT_MAX_PAYLOAD_BYTES,
            ParseEvents.DEFAULT_MAX_PROPERTIES_BYTES,
            ParseEvents.DEFAULT_MAX_PAST,
            ParseEvents.DEFAULT_MAX_FUTURE)
        .parse(RawEvent.of(bytes, RECEIVED, "test"));
  }

  private static EventParser.Outcome parse(String json) {
    return parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void parsesEveryFieldOfAValidEvent() {
    Event event = parse(valid()).event;
    assertNotNull(event);
    assertEquals(ID, event.getEventId());
    assertEquals("page_view", event.getEventType());
    assertEquals("u000042", event.getUserId());
    assertEquals("s-42-1", event.getSessionId());
    assertEquals("{\"page\":\"/home\",\"n\":1}", event.getProperties());
    assertEquals(Instant.parse("2026-11-27T10:00:00.500Z"), event.getClientTimestamp());
    assertEquals(Instant.parse("2026-11-27T10:00:01.000Z"), event.getServerTimestamp());
    assertEquals(Instant.parse("2026-11-27T10:00:00.500Z"), event.getEventTimestamp());
    assertEquals("5.3.1", event.getAppVersion());
    assertEquals("web", event.getPlatform());
    assertEquals("81.2.69.142", event.getClientIp());
    assertEquals("Mozilla/5.0", event.getUserAgent());
    assertEquals(RECEIVED, event.getReceivedAt());
    assertNull(event.getCountry(), "enrichment fields stay empty until EnrichEvents");
  }

  @Test
  void acceptsEpochMillisOffsetsAndUpperCaseIdsAndDefaultsProperties() {
    String json =
        payload("client_timestamp", "1795773600500")
            .replace("\"2026-11-27T10:00:01.000Z\"", "\"2026-11-27T11:00:01+01:00\"")
            .replace(ID, ID.toUpperCase())
            .replace("\"properties\":{\"page\":\"/home\",\"n\":1},", "");
    Event event = parse(json).event;
    assertNotNull(event, () -> String.valueOf(parse(json).deadLetter));
    assertEquals(new Instant(1795773600500L), event.getClientTimestamp());
    assertEquals(Instant.parse("2026-11-27T10:00:01.000Z"), event.getServerTimestamp());
    assertEquals(ID, event.getEventId());
    assertEquals("{}", event.getProperties());
  }

  @Test
  void capsEventTimeAtTheCollectorsClockWhenTheClientClockRunsFast() {
    Event event = parse(payload("client_timestamp", "\"2026-11-27T10:05:00.000Z\"")).event;
    assertNotNull(event);
    assertEquals(Instant.parse("2026-11-27T10:05:00.000Z"), event.getClientTimestamp());
    assertEquals(Instant.parse("2026-11-27T10:00:01.000Z"), event.getEventTimestamp());
  }

  @Test
  void usesTheArrivalTimeAsReferenceWithoutAServerTimestamp() {
    Event event =
        parse(payload("server_timestamp", null).replace("10:00:00.500Z", "10:00:09.000Z")).event;
    assertNotNull(event);
    assertNull(event.getServerTimestamp());
    assertEquals(RECEIVED, event.getEventTimestamp());
  }

  static Stream<Arguments> badInput() {
    byte[] invalidUtf8 = valid().replace("/home", "/h\u0001me").getBytes(StandardCharsets.UTF_8);
    invalidUtf8[indexOf(invalidUtf8, (byte) 1)] = (byte) 0xC3; // 0xC3 then 'm': a broken sequence
    String bigProperties = "{\"blob\":\"" + "x".repeat(17 * 1024) + "\"}";
    return Stream.of(
        Arguments.of("oversized payload", ("{\"x\":\"" + "y".repeat(70_000) + "\"}").getBytes(StandardCharsets.UTF_8), DeadLetterReason.PAYLOAD_TOO_LARGE),
        Arguments.of("bad UTF-8", invalidUtf8, DeadLetterReason.INVALID_UTF8),
        Arguments.of("truncated JSON", bytes(valid().substring(0, 40)), DeadLetterReason.MALFORMED_JSON),
        Arguments.of("JSON array", bytes("[" + valid() + "]"), DeadLetterReason.MALFORMED_JSON),
        Arguments.of("plain text", bytes("hello world"), DeadLetterReason.MALFORMED_JSON),
        Arguments.of("empty payload", bytes(""), DeadLetterReason.MALFORMED_JSON),
        Arguments.of("duplicate key", bytes(valid().replace("{\"event_id\"", "{\"user_id\":\"a\",\"event_id\"")), DeadLetterReason.MALFORMED_JSON),
        Arguments.of("trailing data", bytes(valid() + "{}"), DeadLetterReason.MALFORMED_JSON),
        Arguments.of("missing event_id", bytes(payload("event_id", null)), DeadLetterReason.MISSING_FIELD),
        Arguments.of("null user_id", bytes(payload("user_id", "null")), DeadLetterReason.MISSING_FIELD),
        Arguments.of("empty event_type", bytes(payload("event_type", "\"\"")), DeadLetterReason.MISSING_FIELD),
        Arguments.of("blank session_id", bytes(payload("session_id", "\"  \"")), DeadLetterReason.MISSING_FIELD),
        Arguments.of("missing platform", bytes(payload("platform", null)), DeadLetterReason.MISSING_FIELD),
        Arguments.of("missing client_timestamp", bytes(payload("client_timestamp", null)), DeadLetterReason.MISSING_FIELD),
        Arguments.of("numeric user_id", bytes(payload("user_id", "42")), DeadLetterReason.WRONG_TYPE),
        Arguments.of("object event_type", bytes(payload("event_type", "{\"a\":1}")), DeadLetterReason.WRONG_TYPE),
        Arguments.of("boolean client_timestamp", bytes(payload("client_timestamp", "true")), DeadLetterReason.WRONG_TYPE),
        Arguments.of("numeric app_version", bytes(payload("app_version", "5.3")), DeadLetterReason.WRONG_TYPE),
        Arguments.of("fractional timestamp", bytes(payload("client_timestamp", "1795773600.5")), DeadLetterReason.WRONG_TYPE),
        Arguments.of("event_type too long", bytes(payload("event_type", "\"" + "x".repeat(129) + "\"")), DeadLetterReason.INVALID_IDENTIFIER),
        Arguments.of("ANSI escape in user_id", bytes(payload("user_id", "\"\\u001b[31mu42\"")), DeadLetterReason.INVALID_IDENTIFIER),
        Arguments.of("event_id not a UUID", bytes(payload("event_id", "\"not-a-uuid\"")), DeadLetterReason.INVALID_EVENT_ID),
        Arguments.of("event_id UUID without dashes", bytes(payload("event_id", "\"3f1c6a528a4e4d559d2a0b5f0f0c9e11\"")), DeadLetterReason.INVALID_EVENT_ID),
        Arguments.of("timestamp text", bytes(payload("client_timestamp", "\"yesterday\"")), DeadLetterReason.INVALID_TIMESTAMP),
        Arguments.of("impossible date", bytes(payload("client_timestamp", "\"2026-13-45T99:00:00Z\"")), DeadLetterReason.INVALID_TIMESTAMP),
        Arguments.of("timestamp without offset", bytes(payload("client_timestamp", "\"2026-11-27T10:00:00\"")), DeadLetterReason.INVALID_TIMESTAMP),
        Arguments.of("bad server_timestamp", bytes(payload("server_timestamp", "\"soon\"")), DeadLetterReason.INVALID_TIMESTAMP),
        Arguments.of("timestamp in 1970", bytes(payload("client_timestamp", "\"1970-01-01T00:00:00Z\"")), DeadLetterReason.TIMESTAMP_OUT_OF_RANGE),
        Arguments.of("epoch seconds, not millis", bytes(payload("client_timestamp", "1795773600")), DeadLetterReason.TIMESTAMP_OUT_OF_RANGE),
        Arguments.of("timestamp in 2099", bytes(payload("client_timestamp", "\"2099-01-01T00:00:00Z\"")), DeadLetterReason.TIMESTAMP_OUT_OF_RANGE),
        Arguments.of("properties array", bytes(payload("properties", "[1,2]")), DeadLetterReason.INVALID_PROPERTIES),
        Arguments.of("properties string", bytes(payload("properties", "\"{}\"")), DeadLetterReason.INVALID_PROPERTIES),
        Arguments.of("properties too large", bytes(payload("properties", bigProperties)), DeadLetterReason.PROPERTIES_TOO_LARGE));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("badInput")
  void deadLettersBadInputWithItsReasonAndOriginalPayload(
      String description, byte[] payload, DeadLetterReason expected) {
    EventParser.Outcome outcome = parse(payload);
    assertNull(outcome.event, description + " must not parse");
    DeadLetter deadLetter = outcome.deadLetter;
    assertNotNull(deadLetter);
    assertEquals(expected.name(), deadLetter.getReason(), deadLetter.getMessage());
    assertTrue(Arrays.equals(payload, deadLetter.getPayload()), "payload kept byte for byte");
    assertEquals("ParseEvents", deadLetter.getStep());
    assertEquals(RECEIVED, deadLetter.getReceivedAt());
    assertEquals("test", deadLetter.getSource());
    assertTrue(!deadLetter.getMessage().isBlank(), "a message for a person");
  }

  /**
   * The identifier rule by hand: each limit at N and N + 1 code points (in ASCII and in characters
   * of two UTF-8 bytes or two chars), the ends of each forbidden range and their neighbours, and
   * identifiers product teams use. Values are the JSON string's contents; null expects a valid event.
   */
  static Stream<Arguments> identifiers() {
    List<Arguments> cases = new ArrayList<>();
    String[][] limits = {
      {"event_type", "128"}, {"platform", "64"}, {"app_version", "64"}, {"user_id", "256"},
      {"session_id", "256"}
    };
    for (String[] limit : limits) {
      int n = Integer.parseInt(limit[1]);
      cases.add(Arguments.of(limit[0], "x".repeat(n), null));
      cases.add(Arguments.of(limit[0], "x".repeat(n + 1), DeadLetterReason.INVALID_IDENTIFIER));
      cases.add(Arguments.of(limit[0], "é".repeat(n), null));
      cases.add(Arguments.of(limit[0], "é".repeat(n + 1), DeadLetterReason.INVALID_IDENTIFIER));
      cases.add(Arguments.of(limit[0], "😀".repeat(n), null));
      cases.add(Arguments.of(limit[0], "😀".repeat(n + 1), DeadLetterReason.INVALID_IDENTIFIER));
    }
    // The forbidden ranges' ends, escaped as a JSON writer escapes them, then their neighbours.
    for (String forbidden :
        List.of(
            "\\u0000", "\\u001f", "\\u007f", "\\u0080", "\\u009f", "\\u2028", "\\u2029", "\\u202a",
            "\\u202e", "\\u2066", "\\u2069")) {
      cases.add(Arguments.of("event_type", "a" + forbidden + "b", DeadLetterReason.INVALID_IDENTIFIER));
      cases.add(Arguments.of("app_version", "5" + forbidden, DeadLetterReason.INVALID_IDENTIFIER));
    }
    for (String allowed :
        List.of(" ", "~", "\u00a0", "\u2027", "\u202f", "\u2065", "\u206a", "\u200e", "\ufeff")) {
      cases.add(Arguments.of("event_type", "a" + allowed + "b", null));
    }
    // Surrogates, escaped as JSON writes them: one that is not half of a pair (a high one then a
    // low one) is no character and refused, wherever it stands; a pair is one character, allowed.
    for (String field : List.of("user_id", "session_id")) {
      cases.add(Arguments.of(field, "u42\\ud83d", DeadLetterReason.INVALID_IDENTIFIER)); // high, last
      cases.add(Arguments.of(field, "\\ud800u42", DeadLetterReason.INVALID_IDENTIFIER)); // high, no low
      cases.add(Arguments.of(field, "u\\ude0042", DeadLetterReason.INVALID_IDENTIFIER)); // low alone
      cases.add(Arguments.of(field, "\\ude00\\ud83d", DeadLetterReason.INVALID_IDENTIFIER)); // reversed
      cases.add(Arguments.of(field, "\\ud83d\\ud83d\\ude00", DeadLetterReason.INVALID_IDENTIFIER));
      cases.add(Arguments.of(field, "\\ud83d\\ude00\\ude00", DeadLetterReason.INVALID_IDENTIFIER));
      cases.add(Arguments.of(field, "u\\ud83d\\ude00", null)); // a pair: one emoji
      cases.add(Arguments.of(field, "\\ud800\\udc00\\udbff\\udfff", null)); // U+10000, U+10FFFF
      cases.add(Arguments.of(field, "u😀", null)); // the same emoji as raw UTF-8
    }
    cases.add(Arguments.of("event_type", "Order Completed", null));
    cases.add(Arguments.of("event_type", "Checkout: Step 1 | 50% off", null));
    cases.add(Arguments.of("event_type", "Bestellung abgeschlossen ✓", null));
    cases.add(Arguments.of("user_id", "ユーザー:42|%s%n", null));
    cases.add(Arguments.of("platform", "Android TV", null));
    // A required identifier of only whitespace is missing, whitespace control characters included
    // (Character.isWhitespace); app_version, optional, is kept when not empty, and judged.
    cases.add(Arguments.of("user_id", "\\t\\u001f", DeadLetterReason.MISSING_FIELD));
    cases.add(Arguments.of("user_id", "\\u0085", DeadLetterReason.INVALID_IDENTIFIER));
    cases.add(Arguments.of("app_version", "\\t", DeadLetterReason.INVALID_IDENTIFIER));
    cases.add(Arguments.of("app_version", " ", null));
    cases.add(Arguments.of("app_version", "", null));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @MethodSource("identifiers")
  void limitsEachIdentifiersLengthAndCharacters(
      String field, String value, DeadLetterReason expected) {
    EventParser.Outcome outcome = parse(payload(field, "\"" + value + "\""));
    if (expected == null) {
      assertNull(outcome.deadLetter, () -> String.valueOf(outcome.deadLetter));
    } else {
      assertNull(outcome.event, "must not parse");
      assertEquals(expected.name(), outcome.deadLetter.getReason(), outcome.deadLetter.getMessage());
      assertTrue(outcome.deadLetter.getMessage().contains("'" + field + "'"));
    }
  }

  @Test
  void identifierMessagesNameTheFieldTheLimitOrTheCharacterAndNeverHoldTheValue() {
    assertEquals(
        "field 'event_type' is 300 characters long; the limit is 128",
        parse(payload("event_type", "\"" + "é".repeat(300) + "\"")).deadLetter.getMessage());
    assertEquals(
        "field 'user_id' holds the control character U+001B at character 5; identifiers must be"
            + " printable",
        parse(payload("user_id", "\"user\\u001b[31m\"")).deadLetter.getMessage());
    // Positions count code points: four emoji take eight chars.
    assertEquals(
        "field 'platform' holds the bidirectional control U+202E at character 5; identifiers must be"
            + " printable",
        parse(payload("platform", "\"😀😀😀😀\\u202eweb\"")).deadLetter.getMessage());
    assertEquals(
        "field 'session_id' holds the line or paragraph separator U+2028 at character 2; identifiers"
            + " must be printable",
        parse(payload("session_id", "\"s\\u2028\"")).deadLetter.getMessage());
    // An unpaired surrogate: its position counts a pair as one character, the value is not shown.
    assertEquals(
        "field 'user_id' holds the unpaired surrogate U+D83D at character 4; identifiers must be"
            + " printable",
        parse(payload("user_id", "\"u42\\ud83d\"")).deadLetter.getMessage());
    assertEquals(
        "field 'session_id' holds the unpaired surrogate U+DE00 at character 2; identifiers must be"
            + " printable",
        parse(payload("session_id", "\"\\ud83d\\ude00\\ude00\\ud83d\"")).deadLetter.getMessage());
    assertEquals(
        "field 'session_id' holds the unpaired surrogate U+DE00 at character 2; identifiers must be"
            + " printable",
        parse(payload("session_id", "\"😀\\ude00\\ud83d\"")).deadLetter.getMessage());
    // Too long and a control character: the length is reported.
    assertEquals(
        "field 'app_version' is 65 characters long; the limit is 64",
        parse(payload("app_version", "\"\\u0000" + "1".repeat(64) + "\"")).deadLetter.getMessage());
    // Field by field: event_type before user_id, whatever their order in the payload.
    assertEquals(
        "field 'event_type' holds the control character U+0085 at character 1; identifiers must be"
            + " printable",
        parse(payload("user_id", "\"" + "u".repeat(257) + "\"").replace("page_view", "\\u0085"))
            .deadLetter
            .getMessage());
    // After presence and type, before event_id.
    assertEquals(
        DeadLetterReason.WRONG_TYPE.name(),
        parse(payload("user_id", "\"\\u0007\"").replace("\"5.3.1\"", "5.3")).deadLetter.getReason());
    assertEquals(
        DeadLetterReason.INVALID_IDENTIFIER.name(),
        parse(payload("user_id", "\"\\u0007\"").replace(ID, "not-a-uuid")).deadLetter.getReason());
  }

  @Test
  void messagesQuoteValuesWithTheirControlCharactersEscaped() {
    // An ESC in event_id (the hostile corpus's identifiers-60), a bidirectional override and an
    // unpaired surrogate: written as escapes, upper case; other characters, an emoji, stay.
    assertEquals(
        "event_id '3f1c6a52-8a4e-4d55-9d2a-0b5f0f0c9e1\\u001B[31m' is not a UUID",
        parse(payload("event_id", "\"3f1c6a52-8a4e-4d55-9d2a-0b5f0f0c9e1\\u001b[31m\""))
            .deadLetter
            .getMessage());
    assertEquals(
        "event_id 'é😀\\u202E\\uD800\\u0085x' is not a UUID",
        parse(payload("event_id", "\"é😀\\u202e\\ud800\\u0085x\"")).deadLetter.getMessage());
    assertEquals(
        "field 'client_timestamp' is '2026-11-27T10:00:00Z\\u2066\\u000A', not an ISO-8601"
            + " timestamp with an offset such as 2026-11-27T10:15:30.123Z",
        parse(payload("client_timestamp", "\"2026-11-27T10:00:00Z\\u2066\\n\""))
            .deadLetter
            .getMessage());
    // Cut to 61 chars first: an emoji cut in two leaves its high surrogate, unpaired.
    assertEquals(
        "event_id '" + "x".repeat(60) + "\\uD83D...' is not a UUID",
        parse(payload("event_id", "\"" + "x".repeat(60) + "😀" + "y".repeat(10) + "\""))
            .deadLetter
            .getMessage());
    // A token Jackson quotes in a MALFORMED_JSON message.
    String message = parse("{\"event_id\":tru\u001b}").deadLetter.getMessage();
    assertTrue(message.startsWith("not valid JSON: Unrecognized token 'tru\\u001B'"), message);
  }

  @Test
  void everyReasonHasABadInputCase() {
    Set<DeadLetterReason> covered = EnumSet.noneOf(DeadLetterReason.class);
    badInput().forEach(a -> covered.add((DeadLetterReason) a.get()[2]));
    assertEquals(DeadLetterReason.RECORD_CHECKS, covered);
  }

  @Test
  void pipelineSplitsValidAndInvalidAndCountsEveryRecord(TestPipeline pipeline) {
    List<RawEvent> input = new ArrayList<>();
    input.add(RawEvent.ofJson(valid(), RECEIVED));
    input.add(RawEvent.ofJson(valid().replace(ID, "11111111-2222-4333-8444-555555555555"), RECEIVED));
    badInput().forEach(a -> input.add(RawEvent.of((byte[]) a.get()[1], RECEIVED, null)));
    int bad = input.size() - 2;

    WithFailures.Result<PCollection<Event>, DeadLetter> result =
        pipeline
            .apply("Records", Create.of(input))
            .apply("ArrivalTime", WithTimestamps.of((RawEvent r) -> r.getReceivedAt()))
            .apply("Parse", ParseEvents.of());

    PAssert.that(
            result
                .output()
                .apply("EventIds", MapElements.into(TypeDescriptors.strings()).via(Event::getEventId)))
        .containsInAnyOrder(ID, "11111111-2222-4333-8444-555555555555");
    PAssert.thatSingleton(result.failures().apply("CountFailures", Count.globally())).isEqualTo((long) bad);
    // Event time is set on the output: the element timestamp is the event timestamp.
    PAssert.that(
            result
                .output()
                .apply(
                    "TimestampMatches",
                    org.apache.beam.sdk.transforms.ParDo.of(new TimestampEqualsEventTimeFn())))
        .containsInAnyOrder(true, true);
    PCollection<KV<String, Long>> byReason =
        result
            .failures()
            .apply("Reasons", MapElements.into(TypeDescriptors.strings()).via(DeadLetter::getReason))
            .apply("CountPerReason", Count.perElement());
    PAssert.that(byReason)
        .satisfies(
            counts -> {
              long total = 0;
              Set<String> reasons = new java.util.HashSet<>();
              for (KV<String, Long> kv : counts) {
                total += kv.getValue();
                reasons.add(kv.getKey());
              }
              assertEquals(bad, total);
              assertEquals(DeadLetterReason.RECORD_CHECKS.size(), reasons.size());
              return null;
            });

    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    assertEquals(input.size(), counter(run, PipelineCounters.PARSE_INPUT));
    assertEquals(2, counter(run, PipelineCounters.PARSE_VALID));
    long deadLettered = 0;
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      deadLettered += counter(run, PipelineCounters.deadLetterCounterName(reason));
    }
    assertEquals(bad, deadLettered, "valid + dead-lettered = input");
  }

  @Test
  void aServerTimestampBeforeTheArrivalDoesNotFailTheStream(TestPipeline pipeline) {
    // Written to Kafka by a producer other than the collector: server_timestamp an hour before the
    // record's arrival (its element timestamp on a stream), client_timestamp 30 days before that.
    // Valid, with an event time 30 days and an hour before the arrival: the step must emit it,
    // not fail on it (as it did when it allowed a skew of maxPast only).
    String json =
        payload("server_timestamp", "\"2026-11-27T09:00:02.000Z\"")
            .replace("\"2026-11-27T10:00:00.500Z\"", "\"2026-10-28T09:00:02.000Z\"");
    TestStream<RawEvent> stream =
        TestStream.create(RawEventCoder.of())
            .addElements(TimestampedValue.of(RawEvent.ofJson(json, RECEIVED), RECEIVED))
            .advanceWatermarkToInfinity();
    WithFailures.Result<PCollection<Event>, DeadLetter> result =
        pipeline.apply(stream).apply("Parse", ParseEvents.of());
    PAssert.that(
            result
                .output()
                .apply(
                    "EventTimes",
                    MapElements.into(TypeDescriptors.strings())
                        .via(e -> e.getEventTimestamp().toString())))
        .containsInAnyOrder("2026-10-28T09:00:02.000Z");
    PAssert.that(result.failures()).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void rejectsNegativeClockBoundsWithAMessage() {
    // A plain pipeline: it is never run, because building it fails.
    PCollection<RawEvent> input =
        org.apache.beam.sdk.Pipeline.create().apply(Create.of(RawEvent.ofJson(valid(), RECEIVED)));
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> input.apply(ParseEvents.of().withMaxPast(Duration.standardDays(-1))));
    assertTrue(e.getMessage().contains("maxPast"), e.getMessage());
  }

  static final class TimestampEqualsEventTimeFn
      extends org.apache.beam.sdk.transforms.DoFn<Event, Boolean> {
    @ProcessElement
    public void process(@Element Event e, @Timestamp Instant ts, OutputReceiver<Boolean> out) {
      out.output(ts.equals(e.getEventTimestamp()));
    }
  }

  static long counter(PipelineResult result, String name) {
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(PipelineCounters.NAMESPACE, name))
                    .build());
    long total = 0;
    for (MetricResult<Long> counter : metrics.getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    throw new IllegalArgumentException("byte not found");
  }
}
