package io.github.analytics.transforms.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link CompactJsonCopier} against what the old parser stored: {@code writeValueAsString} of the
 * object's {@code JsonNode}, and its UTF-8 size as {@code getBytes(UTF_8).length} counts it.
 */
class CompactJsonCopierTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final JsonFactory FACTORY = new JsonFactory();

  /** One copier for every check, as a parser reuses its own. */
  private final CompactJsonCopier copier = new CompactJsonCopier(FACTORY);

  private final DuplicateKeys keys = new DuplicateKeys();

  private void check(String object) throws IOException {
    String expected = JSON.writeValueAsString(JSON.readTree(object));
    try (JsonParser p = FACTORY.createParser(object.getBytes(StandardCharsets.UTF_8))) {
      assertEquals(JsonToken.START_OBJECT, p.nextToken());
      keys.reset();
      copier.copyObject(p, keys);
      assertEquals(JsonToken.END_OBJECT, p.currentToken(), "left on the object's end");
      assertEquals(null, p.nextToken(), object);
    }
    assertEquals(expected, copier.text(), object);
    assertEquals(expected.length(), copier.length(), object);
    assertEquals(expected.getBytes(StandardCharsets.UTF_8).length, copier.utf8Length(), object);
  }

  @Test
  void writesWhatTheTreeWrites() throws IOException {
    String[] objects = {
      "{}",
      "{\"page\":\"/home\",\"n\":1}",
      " { \"a\" : [ 1 , 2 ] ,\n\t\"b\" : { } } ",
      "{\"ints\":[0,-0,1,-1,2147483647,2147483648,-2147483649,9223372036854775807,"
          + "9223372036854775808,-9223372036854775809,123456789012345678901234567890]}",
      "{\"floats\":[1.0,1e5,1E5,1e+5,-0.0,0.0,1.5e-7,1e400,-1e400,1e-400,123.456789012345678,"
          + "0.1,2.50,1e22,1e21,4.9e-324,1.7976931348623157e308,3.0e0]}",
      "{\"escapes\":\"q\\\" b\\\\ s\\/ n\\n r\\r t\\t b\\b f\\f u\\u0001\\u001f\\u007f\\u0080\"}",
      "{\"unicode\":\"é ß 日本 \\u00e9 😀 \\ud83d\\ude00 \u2028 \u2029 \ufeff\"}",
      "{\"lone surrogates\":\"\\ud800 x \\udc00 \\ud83d\"}",
      "{\"nested\":[[[]],[{}],[{\"a\":[null,true,false,\"\"]}]],\"\":\"empty key\"}",
      "{\"key with \\\"quotes\\\" and \\n\":1,\"ключ\":\"значение\"}",
      "{\"long\":\"" + "x".repeat(5000) + "é".repeat(3000) + "\"}",
      "{\"many\":[" + "1,".repeat(2000) + "2]}"
    };
    for (String object : objects) {
      check(object);
    }
  }

  @Test
  void randomObjects() throws IOException {
    SplittableRandom random = new SplittableRandom(5L);
    for (int n = 0; n < 3000; n++) {
      StringBuilder json = new StringBuilder();
      object(json, random, 0);
      check(json.toString());
    }
  }

  @Test
  void aFailedCopyLeavesTheCopierUsable() throws IOException {
    try (JsonParser p =
        FACTORY.createParser("{\"a\":{\"b\":[1,".getBytes(StandardCharsets.UTF_8))) {
      p.nextToken();
      keys.reset();
      assertThrows(IOException.class, () -> copier.copyObject(p, keys));
    }
    check("{\"after\":\"a failure\"}");
  }

  @Test
  void refusesARepeatedKeyInAnyObjectOnly() throws IOException {
    for (String duplicate :
        List.of(
            "{\"a\":1,\"a\":2}",
            "{\"a\":{\"b\":1,\"c\":2,\"b\":3}}",
            "{\"a\":[{\"b\":1},{\"c\":1,\"c\":1}]}",
            "{\"a\":{},\"b\":{},\"a\":{}}")) {
      try (JsonParser p = FACTORY.createParser(duplicate.getBytes(StandardCharsets.UTF_8))) {
        p.nextToken();
        keys.reset();
        assertThrows(JsonParseException.class, () -> copier.copyObject(p, keys), duplicate);
      }
    }
    // The same key in sibling or nested objects is no duplicate.
    check("{\"a\":{\"x\":1},\"b\":{\"x\":1},\"x\":{\"x\":{\"x\":[{\"x\":1},{\"x\":2}]}}}");
  }

  private static void object(StringBuilder json, SplittableRandom random, int depth) {
    json.append('{');
    int fields = random.nextInt(depth > 3 ? 2 : 6);
    for (int i = 0; i < fields; i++) {
      json.append(i == 0 ? "" : ",");
      // Keys start with their index: a duplicate would be an error for the parser, not a test here.
      json.append('"').append(i).append('_');
      chars(json, random);
      json.append("\":");
      value(json, random, depth + 1);
    }
    json.append('}');
  }

  private static void value(StringBuilder json, SplittableRandom random, int depth) {
    switch (random.nextInt(depth > 3 ? 6 : 8)) {
      case 0:
        string(json, random);
        break;
      case 1:
        json.append(random.nextInt(3) == 0 ? "-" : "")
            .append(random.nextLong() >>> (1 + random.nextInt(63)));
        break;
      case 2:
        json.append(random.nextInt(3) == 0 ? "-" : "")
            .append(random.nextInt(1000))
            .append('.')
            .append(random.nextInt(1_000_000));
        if (random.nextBoolean()) {
          json.append(random.nextBoolean() ? 'e' : 'E')
              .append(random.nextBoolean() ? "-" : "+")
              .append(random.nextInt(400));
        }
        break;
      case 3:
        json.append(random.nextBoolean() ? "9".repeat(15 + random.nextInt(20)) : "-0");
        break;
      case 4:
        json.append(random.nextBoolean() ? "true" : random.nextBoolean() ? "false" : "null");
        break;
      case 5:
        json.append(random.nextInt(1, 100))
            .append(random.nextBoolean() ? "e" : "E")
            .append(random.nextInt(30));
        break;
      case 6:
        json.append('[');
        int items = random.nextInt(4);
        for (int i = 0; i < items; i++) {
          json.append(i == 0 ? "" : ",");
          value(json, random, depth + 1);
        }
        json.append(']');
        break;
      default:
        object(json, random, depth);
    }
  }

  private static void string(StringBuilder json, SplittableRandom random) {
    json.append('"');
    chars(json, random);
    json.append('"');
  }

  private static void chars(StringBuilder json, SplittableRandom random) {
    int length = random.nextInt(12);
    for (int i = 0; i < length; i++) {
      switch (random.nextInt(10)) {
        case 0:
          json.append(String.format("\\u%04x", random.nextInt(0x10000)));
          break;
        case 1:
          json.append("\\").append("\"\\/bfnrt".charAt(random.nextInt(8)));
          break;
        case 2:
          json.appendCodePoint(random.nextInt(0x80, 0x800));
          break;
        case 3:
          int bmp = random.nextInt(0x800, 0x10000);
          json.appendCodePoint(Character.isSurrogate((char) bmp) ? 0x2028 : bmp);
          break;
        case 4:
          json.appendCodePoint(random.nextInt(0x10000, 0x110000));
          break;
        default:
          char c = (char) random.nextInt(0x20, 0x7f);
          json.append(c == '"' || c == '\\' ? 'x' : c);
      }
    }
  }
}
