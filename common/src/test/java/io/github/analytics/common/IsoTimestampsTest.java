package io.github.analytics.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link IsoTimestamps} against {@code OffsetDateTime.parse(text, ISO_OFFSET_DATE_TIME)
 * .toInstant().toEpochMilli()}: the fast path answers only for texts the JDK accepts, with the
 * JDK's instant, and the whole (fast path or JDK) accepts and refuses exactly what the JDK does.
 */
class IsoTimestampsTest {
  /** The JDK's millis, or null when it refuses the text (either way the parser dead-letters it). */
  private static Long jdk(String text) {
    try {
      return IsoTimestamps.jdkEpochMillis(text);
    } catch (DateTimeParseException | ArithmeticException e) {
      return null;
    }
  }

  private static Long ours(String text) {
    try {
      return IsoTimestamps.epochMillis(text);
    } catch (DateTimeParseException | ArithmeticException e) {
      return null;
    }
  }

  private static long fast(String text) {
    // Inside a larger array, as Jackson's text buffer hands it over.
    char[] padded = ("##" + text + "##").toCharArray();
    return IsoTimestamps.fastEpochMillis(padded, 2, text.length());
  }

  /** Checks one text; true when the fast path answered. */
  private static boolean check(String text) {
    Long expected = jdk(text);
    long fast = fast(text);
    if (fast != IsoTimestamps.NOT_FAST) {
      if (expected == null) {
        fail("the fast path accepted '" + text + "', which the JDK refuses");
      }
      assertEquals(expected.longValue(), fast, text);
    }
    assertEquals(expected, ours(text), text);
    return fast != IsoTimestamps.NOT_FAST;
  }

  @Test
  void theCommonShapesTakeTheFastPath() {
    String[] common = {
      "2026-11-27T10:15:30Z",
      "2026-11-27T10:15:30.123Z",
      "2026-11-27T10:15:30.123456Z",
      "2026-11-27T10:15:30.123456789Z",
      "2026-11-27T10:15:30.1Z",
      "2026-11-27T11:15:30+01:00",
      "2026-11-27T11:15:30.500+01:00",
      "2026-11-27T05:15:30.5-05:00",
      "2026-11-27T10:15:30+14:00",
      "2026-11-27T10:15:30-12:00",
      "2026-11-27T10:15:30+05:45",
      "2026-11-27T10:15:30-00:00",
      "2024-02-29T00:00:00Z",
      "2000-02-29T23:59:59.999Z",
      "1970-01-01T00:00:00Z",
      "1969-12-31T23:59:59.9999Z",
      "1969-12-31T23:59:59.001Z",
      "0000-01-01T00:00:00Z",
      "0000-02-29T12:00:00Z",
      "9999-12-31T23:59:59.999999999+17:59",
      "1600-02-29T00:00:00.000-17:59"
    };
    for (String text : common) {
      assertNotEquals(IsoTimestamps.NOT_FAST, fast(text), text);
      check(text);
    }
  }

  @Test
  void everythingElseIsTheJdksCall() {
    String[] rare = {
      "2026-11-27t10:15:30z",
      "2026-11-27T10:15:30z",
      "2026-11-27t10:15:30Z",
      "2026-11-27T10:15Z",
      "2026-11-27T10:15+01:00",
      "2026-11-27T10:15:30.Z",
      "2026-11-27T10:15:30.1234567891Z",
      "2026-11-27T10:15:30+18:00",
      "2026-11-27T10:15:30-18:00",
      "2026-11-27T10:15:30+18:01",
      "2026-11-27T10:15:30+19:00",
      "2026-11-27T10:15:30+01",
      "2026-11-27T10:15:30+0100",
      "2026-11-27T10:15:30+01:00:30",
      "2026-11-27T10:15:30+1:00",
      "2026-11-27T10:15:30+01:60",
      "2026-11-27T10:15:30",
      "2026-11-27T24:00:00Z",
      "2026-11-27T23:60:00Z",
      "2026-11-27T23:59:60Z",
      "2026-02-29T00:00:00Z",
      "2026-02-30T00:00:00Z",
      "2026-04-31T00:00:00Z",
      "2026-13-01T00:00:00Z",
      "2026-00-01T00:00:00Z",
      "2026-01-00T00:00:00Z",
      "2026-13-45T99:00:00Z",
      "1900-02-29T00:00:00Z",
      "+2026-11-27T10:15:30Z",
      "+12026-11-27T10:15:30Z",
      "-0001-01-01T00:00:00Z",
      "+999999999-12-31T23:59:59Z",
      "-999999999-01-01T00:00:00Z",
      "+292278994-08-17T07:12:55.807Z",
      " 2026-11-27T10:15:30Z",
      "2026-11-27T10:15:30Z ",
      "2026-11-27 10:15:30Z",
      "2026-11-27T10:15:30ZZ",
      "2026-11-27T10:15:30.123",
      "２０２６-11-27T10:15:30Z",
      "2026-11-27T10:15:30\u0000Z",
      "yesterday",
      "27/11/2026 10:00:00",
      "",
      "1795773600500"
    };
    for (String text : rare) {
      check(text);
    }
  }

  @Test
  void generatedTimestampsValidAndInvalid() {
    SplittableRandom random = new SplittableRandom(1127L);
    int fastCount = 0;
    int accepted = 0;
    int total = 100_000;
    for (int n = 0; n < total; n++) {
      String text = generate(random);
      if (random.nextInt(4) == 0) {
        text = mutate(text, random);
      }
      if (check(text)) {
        fastCount++;
      }
      if (jdk(text) != null) {
        accepted++;
      }
    }
    // Guards the test itself: both sides of the comparison must be well represented.
    if (fastCount < total / 5
        || accepted - fastCount < total / 50
        || total - accepted < total / 10) {
      fail("unbalanced generation: " + fastCount + " fast, " + accepted + " accepted of " + total);
    }
  }

  private static String generate(SplittableRandom random) {
    StringBuilder s = new StringBuilder();
    int year;
    switch (random.nextInt(6)) {
      case 0:
        year = 1969 + random.nextInt(2);
        break;
      case 1:
        year = random.nextInt(10_000);
        break;
      case 2:
        year = random.nextBoolean() ? 0 : 9999;
        break;
      default:
        year = 2023 + random.nextInt(5);
    }
    pad(s, year, 4);
    s.append('-');
    pad(s, random.nextInt(8) == 0 ? random.nextInt(14) : 1 + random.nextInt(12), 2);
    s.append('-');
    pad(s, random.nextInt(4) == 0 ? 28 + random.nextInt(5) : random.nextInt(33), 2);
    s.append(random.nextInt(30) == 0 ? 't' : 'T');
    pad(s, random.nextInt(10) == 0 ? 22 + random.nextInt(4) : random.nextInt(24), 2);
    s.append(':');
    pad(s, random.nextInt(10) == 0 ? 58 + random.nextInt(3) : random.nextInt(60), 2);
    if (random.nextInt(20) != 0) {
      s.append(':');
      pad(s, random.nextInt(10) == 0 ? 58 + random.nextInt(4) : random.nextInt(60), 2);
      int fraction = random.nextInt(12) - 1;
      if (fraction >= 0) {
        s.append('.');
        for (int i = 0; i < fraction; i++) {
          s.append((char) ('0' + random.nextInt(10)));
        }
      }
    }
    switch (random.nextInt(8)) {
      case 0:
        s.append(random.nextBoolean() ? 'z' : 'Z');
        break;
      case 1:
      case 2:
        s.append(random.nextBoolean() ? '+' : '-');
        pad(s, random.nextInt(5) == 0 ? 17 + random.nextInt(3) : random.nextInt(15), 2);
        switch (random.nextInt(8)) {
          case 0:
            break; // +HH
          case 1:
            pad(s, random.nextInt(61), 2); // +HHMM
            break;
          case 2:
            s.append(':');
            pad(s, random.nextInt(60), 2);
            s.append(':');
            pad(s, random.nextInt(61), 2); // +HH:MM:ss
            break;
          default:
            s.append(':');
            pad(s, random.nextInt(8) == 0 ? random.nextInt(61) : 15 * random.nextInt(4), 2);
        }
        break;
      case 3:
        break; // no offset
      default:
        s.append('Z');
    }
    return s.toString();
  }

  @Test
  void formatWritesWhatTheJdkWritesWithThreeFractionDigitsAndReadsBack() {
    java.time.format.DateTimeFormatter jdk = java.time.format.DateTimeFormatter
        .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);
    long first = java.time.Instant.parse("0000-01-01T00:00:00Z").toEpochMilli();
    long last = java.time.Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();
    SplittableRandom random = new SplittableRandom(7);
    long[] edges = {0, -1, 1, first, last, 951_782_400_000L /* 2000-02-29 */, 1_795_766_400_123L};
    for (int i = 0; i < 200_000 + edges.length; i++) {
      long millis = i < edges.length ? edges[i] : random.nextLong(first, last + 1);
      String text = IsoTimestamps.format(millis);
      assertEquals(jdk.format(java.time.Instant.ofEpochMilli(millis)), text, "millis " + millis);
      assertEquals(millis, IsoTimestamps.epochMillis(text), text);
    }
    assertEquals("+10000-01-01T00:00:00Z", IsoTimestamps.format(last + 1), "beyond four digits: the JDK's text");
    assertEquals("-0001-12-31T23:59:59.999Z", IsoTimestamps.format(first - 1));
  }

  private static String mutate(String text, SplittableRandom random) {
    StringBuilder s = new StringBuilder(text);
    int at = random.nextInt(s.length() + 1);
    String alphabet = "0123456789-:T.Z+ tz/";
    switch (random.nextInt(3)) {
      case 0:
        if (at < s.length()) {
          s.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
        }
        break;
      case 1:
        if (at < s.length()) {
          s.deleteCharAt(at);
        }
        break;
      default:
        s.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return s.toString();
  }

  private static void pad(StringBuilder s, int value, int width) {
    String digits = Integer.toString(value);
    for (int i = digits.length(); i < width; i++) {
      s.append('0');
    }
    s.append(digits);
  }
}
