package io.github.analytics.transforms.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonToken;
import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratedRecord;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.generator.RecordKind;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link FastEventReader} against {@link StreamingEventReader}: whenever the fast reader takes a
 * payload, the streaming reader must find it valid JSON and leave the same {@link ParsedFields};
 * and the fast reader must take the payloads collectors send, or it saves nothing.
 */
class FastEventReaderTest {
  private final FastEventReader fast = new FastEventReader();
  private final ParsedFields fastFields = new ParsedFields(StreamingEventReader.FACTORY);
  private final ParsedFields streamingFields = new ParsedFields(StreamingEventReader.FACTORY);

  /** Compares both readers on one payload; true when the fast reader took it. */
  private boolean check(byte[] payload) {
    fastFields.reset();
    if (!fast.read(payload, fastFields)) {
      return false;
    }
    streamingFields.reset();
    String what = new String(payload, StandardCharsets.UTF_8);
    assertNull(StreamingEventReader.read(payload, streamingFields), what);
    assertEquals(describe(streamingFields), describe(fastFields), what);
    return true;
  }

  private boolean check(String payload) {
    return check(payload.getBytes(StandardCharsets.UTF_8));
  }

  /** Everything the rules read from the fields. */
  private static String describe(ParsedFields f) {
    StringBuilder s = new StringBuilder();
    for (int field = 0; field < ParsedFields.FIELD_COUNT; field++) {
      s.append(ParsedFields.NAMES[field]).append('=').append(f.tokens[field]);
      if (f.tokens[field] != null) {
        s.append(" text=").append(f.texts[field]);
        if (f.hasMillis[field]) {
          s.append(" millis=").append(f.millis[field]);
        }
      }
      s.append('\n');
    }
    s.append("eventIdForm=").append(f.eventIdForm).append('\n');
    if (f.tokens[ParsedFields.PROPERTIES] == JsonToken.START_OBJECT) {
      s.append("properties=").append(f.properties.text());
      s.append(" chars=").append(f.properties.length());
      s.append(" bytes=").append(f.properties.utf8Length());
    }
    return s.toString();
  }

  @Test
  void takesNearlyEveryRecordTheGeneratorMakesAndReadsItAsJacksonDoes() {
    GeneratorConfig config =
        GeneratorConfig.forDay(LocalDate.of(2026, 11, 27))
            .withEvents(6_000)
            .withUsers(300)
            .withMalformedShare(0.2);
    int valid = 0;
    int validTaken = 0;
    for (GeneratedRecord record : EventGenerator.of(config)) {
      boolean taken = check(record.payload());
      if (record.kind() != RecordKind.MALFORMED) {
        valid++;
        validTaken += taken ? 1 : 0;
      }
    }
    assertEquals(valid, validTaken, "valid generated records the fast reader took");
  }

  @Test
  void namedShapes() {
    String valid = EventParserDifferentialTest.json(EventParserDifferentialTest.fields());
    assertTrue(check(valid));
    assertTrue(check(" \n\t" + valid.replace(",", " ,\r\n ").replace(":", " : ") + "\n "));
    assertTrue(check("{}"));
    assertTrue(check(" { } "));
    assertTrue(check(with("properties", "null")));
    assertTrue(check(with("user_id", "null")));
    assertTrue(check(with("client_timestamp", "1795773600500")));
    assertTrue(check(with("client_timestamp", "-0")));
    assertTrue(check(with("client_timestamp", "\"not a date\"")));
    assertTrue(check(with("event_id", "\"" + "3F1C6A52-8A4E-4D55-9D2A-0B5F0F0C9E11" + "\"")));
    assertTrue(check(with("event_id", "\"nope\"")));
    assertTrue(check(with("properties", "{\"a\":[1,-0,-0.0,1.0,1e5,1E+5,1e400,-1e400,0.1,2.50]}")));
    assertTrue(check(with("properties", "{ \"a\" : [ ] , \"b\" : { } , \"c\" : [ { } , [ ] ] }")));
    assertTrue(check(with("properties", "{\"a\":{\"x\":1},\"b\":{\"x\":1}}")));
    // Unknown fields are skipped, their values checked.
    assertTrue(check(with("extra", "1")));
    assertTrue(check(manyUnknownFields(16)));
    assertTrue(check(with("extra", "{\"a\":[1,2.5,{\"b\":null}],\"c\":\"d\"}")));
    assertTrue(check(with("extra", "1").replace("{\"event_id\"", "{\"first\":[],\"event_id\"")));
    assertTrue(check(with("extra", "1").replace("\"extra\":1", "\"extra\":1,\"Extra\":2")));
    // Left to Jackson: all of these are valid JSON, or errors it must word.
    for (String other :
        List.of(
            with("extra", "1").replace("\"extra\":1", "\"extra\":1,\"extra\":2"),
            with("extra", "1").replace("\"extra\":1", "\"extra\":1,\"ev\\u0065nt_id\":2"),
            with("extra", "{\"a\":1,\"a\":2}"),
            with("extra", "\"\\n\""),
            with("extra", "01"),
            with("extra", "[1,]"),
            manyUnknownFields(17),
            with("user_id", "42"),
            with("properties", "[]"),
            with("properties", "{\"a\":\"\\n\"}"),
            with("properties", "{\"a\":\"é\"}"),
            with("properties", "{\"a\":1,\"a\":2}"),
            with("properties", "{\"a\":12345678901234567890}"),
            with("properties", "{\"a\":\"\u007f\"}"),
            with("properties", "{\"a\":01}"),
            with("properties", "{\"a\":1.}"),
            with("properties", "{\"a\":tru}"),
            with("properties", "{\"a\":truex}"),
            with("client_timestamp", "1795773600500.0"),
            with("client_timestamp", "0123"),
            with("client_timestamp", "1234567890123456789"),
            with("user_agent", "\"a\\\"b\""),
            valid + "x",
            valid + "{}",
            valid.substring(0, valid.length() - 1),
            "[" + valid + "]",
            "",
            "null")) {
      assertEquals(false, check(other), other);
    }
  }

  @Test
  void randomlyMutatedPayloads() {
    SplittableRandom random = new SplittableRandom(20_261_127L);
    int taken = 0;
    for (int n = 0; n < 6_000; n++) {
      taken += check(EventParserDifferentialTest.mutated(random)) ? 1 : 0;
    }
    assertTrue(taken > 1_000, "taken: " + taken);
  }

  @Test
  void randomProperties() {
    SplittableRandom random = new SplittableRandom(99L);
    int taken = 0;
    for (int n = 0; n < 6_000; n++) {
      StringBuilder json = new StringBuilder();
      object(json, random, 1);
      taken += check(with("properties", json.toString())) ? 1 : 0;
    }
    assertTrue(taken > 1_500, "taken: " + taken);
  }

  /** A valid payload with {@code count} unknown fields besides the known ones. */
  private static String manyUnknownFields(int count) {
    LinkedHashMap<String, String> fields = EventParserDifferentialTest.fields();
    for (int i = 0; i < count; i++) {
      fields.put("x" + i, Integer.toString(i));
    }
    return EventParserDifferentialTest.json(fields);
  }

  private static String with(String field, String value) {
    LinkedHashMap<String, String> fields = EventParserDifferentialTest.fields();
    fields.put(field, value);
    return EventParserDifferentialTest.json(fields);
  }

  private static void whitespace(StringBuilder json, SplittableRandom random) {
    if (random.nextInt(6) == 0) {
      json.append(" \t\n\r".charAt(random.nextInt(4)));
    }
  }

  private static void object(StringBuilder json, SplittableRandom random, int depth) {
    json.append('{');
    // Rarely beyond the fast reader's depth and key limits.
    int fields = random.nextInt(depth > 3 ? (random.nextInt(50) == 0 ? 40 : 2) : 5);
    for (int i = 0; i < fields; i++) {
      json.append(i == 0 ? "" : ",");
      whitespace(json, random);
      // Mostly distinct keys; sometimes a repeat.
      json.append("\"k").append(random.nextInt(40) == 0 ? 0 : i).append('"');
      whitespace(json, random);
      json.append(':');
      whitespace(json, random);
      value(json, random, depth + 1);
      whitespace(json, random);
    }
    json.append('}');
  }

  private static void value(StringBuilder json, SplittableRandom random, int depth) {
    int kinds = depth > 34 ? 6 : depth > 4 && random.nextInt(4) != 0 ? 6 : 8;
    switch (random.nextInt(kinds)) {
      case 0:
        string(json, random);
        break;
      case 1:
        {
          String[] ints = {"0", "-0", "7", "-42", "123456789012345678", "1234567890123456789"};
          json.append(
              random.nextBoolean()
                  ? ints[random.nextInt(ints.length)]
                  : Long.toString(random.nextLong() >> random.nextInt(64)));
        }
        break;
      case 2:
        {
          String[] floats = {
            "1.0",
            "0.1",
            "2.50",
            "1e5",
            "1E+5",
            "1e-5",
            "-0.0",
            "1e400",
            "-1e400",
            "4.9e-324",
            "123.456789012345678",
            "1.7976931348623157e308",
            "0.0",
            "3.14159",
            "1e22"
          };
          json.append(floats[random.nextInt(floats.length)]);
        }
        break;
      case 3:
        {
          String[] odd = {"01", "1.", ".5", "+1", "1e", "1e+", "-", "--1", "0x10", "1.5.5"};
          // Mostly well-formed: a malformed number is for the streaming reader to refuse.
          json.append(random.nextInt(10) == 0 ? odd[random.nextInt(odd.length)] : "17");
        }
        break;
      case 4:
        json.append(random.nextBoolean() ? "true" : random.nextBoolean() ? "false" : "null");
        break;
      case 5:
        json.append(random.nextInt(20) == 0 ? "nul" : "null");
        break;
      case 6:
        json.append('[');
        int items = random.nextInt(4);
        for (int i = 0; i < items; i++) {
          json.append(i == 0 ? "" : ",");
          whitespace(json, random);
          value(json, random, depth + 1);
          whitespace(json, random);
        }
        json.append(']');
        break;
      default:
        object(json, random, depth + 1);
    }
  }

  private static void string(StringBuilder json, SplittableRandom random) {
    json.append('"');
    int length = random.nextInt(8);
    for (int i = 0; i < length; i++) {
      switch (random.nextInt(30)) {
        case 0:
          json.append("\\n");
          break;
        case 1:
          json.append('é');
          break;
        case 2:
          json.append('\u007f');
          break;
        default:
          char c = (char) random.nextInt(0x20, 0x7f);
          json.append(c == '"' || c == '\\' ? '/' : c);
      }
    }
    json.append('"');
  }
}
