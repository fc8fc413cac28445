package io.github.analytics.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.analytics.generator.ArchiveWriter;
import io.github.analytics.schemas.RawEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DuckDB baseline computes what the batch layer computes, record by record: its script is
 * written for speed (three JSON parses per record, checks on the extracted types and values), and a
 * fast wrong answer would make the batch section's comparison meaningless. A small archive with one
 * record per rule of the README's "Parsing and dead letters" (first failing check wins, the cases of
 * transforms' ParseEventsTest), retried copies and two sessions. Not here: duplicate keys and
 * timestamps without an offset, which the pipeline dead-letters but DuckDB's json_valid and
 * TIMESTAMPTZ cast accept, and a lone surrogate escape, which the pipeline dead-letters in an
 * identifier (INVALID_IDENTIFIER) and passes elsewhere but DuckDB's JSON reader refuses anywhere
 * (MALFORMED_JSON); the generator writes none of them. An escaped surrogate pair is here: one
 * character to both.
 */
class DuckDbBaselineTest {
  private static final LocalDate DAY = LocalDate.parse("2026-11-27");
  private static final Instant RECEIVED = Instant.parse("2026-11-27T10:00:02.000Z");
  private static final String ID = "3f1c6a52-8a4e-4d55-9d2a-0b5f0f0c9e11";
  private static final String ALLOWED_TYPE =
      "Checkout: Step 1 | 50% off " + "é".repeat(128 - "Checkout: Step 1 | 50% off ".length());

  @TempDir Path dir;

  /** A valid payload (user u000042) with one field replaced, or removed when the value is null. */
  private static String payload(String field, String jsonValue) {
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
    StringBuilder json = new StringBuilder("{");
    for (String[] f : fields) {
      String value = f[0].equals(field) ? jsonValue : f[1];
      if (value != null) {
        json.append(json.length() > 1 ? "," : "").append('"').append(f[0]).append("\":").append(value);
      }
    }
    return json.append('}').toString();
  }

  private static String valid() {
    return payload("none", null);
  }

  private static String withId(String json, String id) {
    return json.replace(ID, id);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void classifiesEveryRecordAsThePipelineDoesAndCountsTheDaysEventsAndSessions() throws Exception {
    List<RawEvent> records = new ArrayList<>();
    Map<String, Long> expected = new TreeMap<>();
    // Valid: A, and its retry one second later (same event time); B with an upper-case id, epoch
    // milliseconds and no properties; C without server_timestamp and a client clock ahead of arrival,
    // so its event time is the arrival of each copy (the copies' event times differ: ambiguous);
    // D 45 minutes later (a second session); E on the day before (neither counted nor a session of
    // the day).
    records.add(RawEvent.of(bytes(valid()), RECEIVED, "t"));
    records.add(RawEvent.of(bytes(valid()), RECEIVED.plus(1_000), "t"));
    records.add(RawEvent.of(bytes(withId(payload("client_timestamp", "1795773600500"),
        "AAAAAAAA-8A4E-4D55-9D2A-0B5F0F0C9E11").replace(",\"properties\":{\"page\":\"/home\",\"n\":1}", "")),
        RECEIVED, "t"));
    String c = withId(payload("server_timestamp", null), "cccccccc-8a4e-4d55-9d2a-0b5f0f0c9e11")
        .replace("10:00:00.500Z", "10:00:05.000Z");
    records.add(RawEvent.of(bytes(c), RECEIVED, "t"));
    records.add(RawEvent.of(bytes(c), RECEIVED.plus(8_000), "t"));
    records.add(RawEvent.of(bytes(withId(valid(), "dddddddd-8a4e-4d55-9d2a-0b5f0f0c9e11")
        .replace("10:00:0", "10:45:0")), RECEIVED.plus(45 * 60_000), "t"));
    records.add(RawEvent.of(bytes(withId(valid(), "eeeeeeee-8a4e-4d55-9d2a-0b5f0f0c9e11")
        .replace("2026-11-27T10:00:0", "2026-11-26T23:50:0")), Instant.parse("2026-11-26T23:50:02Z"), "t"));
    expected.put("VALID", 7L);

    byte[] invalidUtf8 = bytes(valid().replace("/home", "/h\u0001me"));
    for (int i = 0; i < invalidUtf8.length; i++) {
      if (invalidUtf8[i] == 1) {
        invalidUtf8[i] = (byte) 0xC3; // 0xC3 then 'm': a broken sequence
      }
    }
    Object[][] bad = {
      {bytes("{\"x\":\"" + "y".repeat(70_000) + "\"}"), "PAYLOAD_TOO_LARGE"},
      {invalidUtf8, "INVALID_UTF8"},
      {bytes(valid().substring(0, 40)), "MALFORMED_JSON"},
      {bytes("[" + valid() + "]"), "MALFORMED_JSON"},
      {bytes("hello world"), "MALFORMED_JSON"},
      {bytes(""), "MALFORMED_JSON"},
      {bytes(valid() + "{}"), "MALFORMED_JSON"},
      {bytes(payload("event_id", null)), "MISSING_FIELD"},
      {bytes(payload("user_id", "null")), "MISSING_FIELD"},
      {bytes(payload("event_type", "\"\"")), "MISSING_FIELD"},
      {bytes(payload("session_id", "\"  \"")), "MISSING_FIELD"},
      {bytes(payload("platform", null)), "MISSING_FIELD"},
      {bytes(payload("client_timestamp", null)), "MISSING_FIELD"},
      {bytes(payload("user_id", "42")), "WRONG_TYPE"},
      {bytes(payload("event_type", "{\"a\":1}")), "WRONG_TYPE"},
      {bytes(payload("client_timestamp", "true")), "WRONG_TYPE"},
      {bytes(payload("app_version", "5.3")), "WRONG_TYPE"},
      {bytes(payload("client_timestamp", "1795773600.5")), "WRONG_TYPE"},
      // the first failing check wins: a missing field before a bad event_id
      {bytes(payload("event_id", "\"not-a-uuid\"").replace(",\"platform\":\"web\"", "")), "MISSING_FIELD"},
      // identifiers: lengths in code points, control characters, after presence and type, before
      // event_id
      {bytes(payload("event_type", "\"" + "x".repeat(129) + "\"")), "INVALID_IDENTIFIER"},
      {bytes(payload("user_id", "\"" + "é".repeat(257) + "\"")), "INVALID_IDENTIFIER"},
      {bytes(payload("session_id", "\"s\\u001b[31m\"")), "INVALID_IDENTIFIER"},
      {bytes(payload("platform", "\"web\u202e\"")), "INVALID_IDENTIFIER"},
      {bytes(payload("app_version", "\"5.3\\u0085\"")), "INVALID_IDENTIFIER"},
      {bytes(payload("app_version", "\"" + "1".repeat(65) + "\"")), "INVALID_IDENTIFIER"},
      {bytes(payload("user_id", "\"u\\u0000\"").replace(ID, "not-a-uuid")), "INVALID_IDENTIFIER"},
      {bytes(payload("user_id", "\"u\\u0000\"").replace(",\"platform\":\"web\"", "")), "MISSING_FIELD"},
      // 128 code points of which 101 take two bytes, and ':', '|', '%': allowed
      {bytes(withId(payload("event_type", "\"" + ALLOWED_TYPE + "\""),
          "abababab-8a4e-4d55-9d2a-0b5f0f0c9e11")), "VALID"},
      // an escaped surrogate pair is one character (an emoji), allowed; 128 of them fit
      {bytes(withId(payload("event_type", "\"" + "\\ud83d\\ude00".repeat(128) + "\""),
          "acacacac-8a4e-4d55-9d2a-0b5f0f0c9e11")), "VALID"},
      {bytes(payload("event_id", "\"not-a-uuid\"")), "INVALID_EVENT_ID"},
      {bytes(payload("event_id", "\"3f1c6a528a4e4d559d2a0b5f0f0c9e11\"")), "INVALID_EVENT_ID"},
      {bytes(payload("event_id", "\"{" + ID + "}\"")), "INVALID_EVENT_ID"},
      {bytes(payload("client_timestamp", "\"yesterday\"")), "INVALID_TIMESTAMP"},
      {bytes(payload("client_timestamp", "\"2026-13-45T99:00:00Z\"")), "INVALID_TIMESTAMP"},
      {bytes(payload("server_timestamp", "\"soon\"")), "INVALID_TIMESTAMP"},
      {bytes(payload("client_timestamp", "\"1970-01-01T00:00:00Z\"")), "TIMESTAMP_OUT_OF_RANGE"},
      {bytes(payload("client_timestamp", "1795773600")), "TIMESTAMP_OUT_OF_RANGE"},
      {bytes(payload("client_timestamp", "\"2099-01-01T00:00:00Z\"")), "TIMESTAMP_OUT_OF_RANGE"},
      {bytes(payload("properties", "[1,2]")), "INVALID_PROPERTIES"},
      {bytes(payload("properties", "\"{}\"")), "INVALID_PROPERTIES"},
      {bytes(payload("properties", "{\"blob\":\"" + "x".repeat(17 * 1024) + "\"}")), "PROPERTIES_TOO_LARGE"},
      // 16 KiB compact is the limit, whatever the spaces around it
      {bytes(withId(payload("properties", "{ \"blob\" : \"" + "x".repeat(16_373) + "\" }"),
          "ffffffff-8a4e-4d55-9d2a-0b5f0f0c9e11")), "VALID"},
      {bytes(payload("properties", "{\"blob\":\"" + "x".repeat(16_374) + "\"}")), "PROPERTIES_TOO_LARGE"},
    };
    long at = 0;
    long validInBad = 0;
    for (Object[] b : bad) {
      records.add(RawEvent.of((byte[]) b[0], RECEIVED.plus(++at), "t")); // each its own arrival
      expected.merge((String) b[1], 1L, Long::sum);
      validInBad += b[1].equals("VALID") ? 1 : 0;
    }

    Path archive = dir.resolve("archive");
    try (ArchiveWriter writer = ArchiveWriter.open(archive, "test")) {
      records.forEach(writer::write);
    }
    DuckDbBaseline.Result result = DuckDbBaseline.run(archive, DAY, dir.resolve("baseline.duckdb"), 2);

    assertEquals(records.size(), result.records());
    assertEquals(expected, result.outcomes());
    assertEquals(3, validInBad);
    assertEquals(bad.length - validInBad, result.deadLetters());
    // A, B, C, D, the 16 KiB one and the two long event types on the day; E the day before; copies
    // counted once.
    assertEquals(7, result.perMinuteTotal());
    assertEquals(1, result.ambiguous(), "C's copies have different event times");
    // 10:00 (A, B, C, the 16 KiB one, the long event types) and 10:45 (D); E's session starts the
    // day before.
    assertEquals(2, result.sessions());
  }
}
