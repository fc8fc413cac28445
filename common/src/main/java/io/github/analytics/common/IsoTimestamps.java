package io.github.analytics.common;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * ISO-8601 timestamps with an offset to epoch milliseconds, exactly as {@code
 * OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli()}:
 * the same inputs accepted, the same instant, sub-millisecond digits dropped towards the past.
 *
 * <p>Why: the JDK parser builds a parsed-field map, a resolver and several objects per call, and
 * every event carries one or two timestamps. Nearly all of them have one shape, {@code
 * yyyy-MM-ddTHH:mm:ss[.fraction](Z|+HH:MM|-HH:MM)}, which {@link #fastEpochMillis} reads by hand.
 * It only ever answers for a text it is sure the JDK accepts; anything else (a lower-case {@code t}
 * or {@code z}, a missing seconds field, a year of more than four digits, an invalid date, hour 24,
 * an offset of 18 hours or more, trailing text, ...) goes to the JDK, which decides.
 *
 * <p>{@link #format} is the other way, as {@code Instant.ofEpochMilli(millis).toString()} but always
 * with three fraction digits, by hand for the same reason.
 */
public final class IsoTimestamps {
  /**
   * What {@link #fastEpochMillis} returns when the JDK must decide; no four-digit year maps to it.
   */
  public static final long NOT_FAST = Long.MIN_VALUE;

  /** Days from 0000-01-01 to 1970-01-01 in the proleptic Gregorian calendar. */
  private static final long DAYS_0000_TO_1970 = 719_528L;

  private IsoTimestamps() {}

  /**
   * The epoch milliseconds of {@code text}.
   *
   * @throws DateTimeParseException when the JDK refuses the text
   * @throws ArithmeticException when the instant is beyond the epoch-millisecond range
   */
  public static long epochMillis(String text) {
    char[] chars = text.toCharArray();
    long fast = fastEpochMillis(chars, 0, chars.length);
    return fast != NOT_FAST ? fast : jdkEpochMillis(text);
  }

  /** The JDK's answer, the reference the fast path must match. */
  public static long jdkEpochMillis(String text) {
    return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
        .toInstant()
        .toEpochMilli();
  }

  /**
   * The epoch milliseconds of {@code chars[offset, offset + length)} when it has the common shape
   * and is valid, else {@link #NOT_FAST} (the text may still be valid: ask {@link
   * #jdkEpochMillis}).
   */
  public static long fastEpochMillis(char[] chars, int offset, int length) {
    // yyyy-MM-ddTHH:mm:ss is 19 characters; an offset takes at least one more.
    if (length < 20 || length > 35) {
      return NOT_FAST;
    }
    final int o = offset;
    int year = digits4(chars, o);
    int month = digits2(chars, o + 5);
    int day = digits2(chars, o + 8);
    int hour = digits2(chars, o + 11);
    int minute = digits2(chars, o + 14);
    int second = digits2(chars, o + 17);
    if ((year | month | day | hour | minute | second) < 0
        || chars[o + 4] != '-'
        || chars[o + 7] != '-'
        || chars[o + 10] != 'T'
        || chars[o + 13] != ':'
        || chars[o + 16] != ':'
        || month < 1
        || month > 12
        || day < 1
        || day > monthLength(year, month)
        || hour > 23
        || minute > 59
        || second > 59) {
      return NOT_FAST;
    }
    final int end = o + length;
    int p = o + 19;
    int millis = 0;
    if (chars[p] == '.') {
      // One to nine fraction digits (the JDK's limit); only the first three make milliseconds, and
      // dropping the rest rounds towards the past, as Instant.toEpochMilli does.
      p++;
      int digits = 0;
      while (p < end && isDigit(chars[p])) {
        if (digits < 3) {
          millis = millis * 10 + (chars[p] - '0');
        }
        digits++;
        p++;
      }
      if (digits == 0 || digits > 9) {
        return NOT_FAST;
      }
      for (int d = digits; d < 3; d++) {
        millis *= 10;
      }
    }
    int offsetSeconds;
    if (p == end - 1 && chars[p] == 'Z') {
      offsetSeconds = 0;
    } else if (p == end - 6 && (chars[p] == '+' || chars[p] == '-') && chars[p + 3] == ':') {
      int offsetHours = digits2(chars, p + 1);
      int offsetMinutes = digits2(chars, p + 4);
      // ZoneOffset allows up to 18:00; the rare 18:00 itself is left to the JDK.
      if (offsetHours < 0 || offsetMinutes < 0 || offsetHours > 17 || offsetMinutes > 59) {
        return NOT_FAST;
      }
      offsetSeconds = offsetHours * 3600 + offsetMinutes * 60;
      if (chars[p] == '-') {
        offsetSeconds = -offsetSeconds;
      }
    } else {
      return NOT_FAST;
    }
    long epochSecond =
        epochDay(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
    return epochSecond * 1000L + millis;
  }

  /**
   * {@code epochMillis} as {@code yyyy-MM-ddTHH:mm:ss.SSSZ} (UTC), the instant {@link #epochMillis}
   * reads back; outside the years 0000 to 9999, {@code Instant.toString()}.
   */
  public static String format(long epochMillis) {
    long days = Math.floorDiv(epochMillis, 86_400_000L);
    int millisOfDay = (int) Math.floorMod(epochMillis, 86_400_000L);
    // Civil from days (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"), era of 400 years.
    long z = days + DAYS_0000_TO_1970 - 60; // days since 0000-03-01
    long era = Math.floorDiv(z, 146_097L);
    int dayOfEra = (int) (z - era * 146_097L);
    int yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    long year = yearOfEra + era * 400;
    int dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    int mp = (5 * dayOfYear + 2) / 153;
    int day = dayOfYear - (153 * mp + 2) / 5 + 1;
    int month = mp < 10 ? mp + 3 : mp - 9;
    if (month <= 2) {
      year++;
    }
    if (year < 0 || year > 9999) {
      return java.time.Instant.ofEpochMilli(epochMillis).toString();
    }
    char[] out = new char[24];
    put4(out, 0, (int) year);
    out[4] = '-';
    put2(out, 5, month);
    out[7] = '-';
    put2(out, 8, day);
    out[10] = 'T';
    put2(out, 11, millisOfDay / 3_600_000);
    out[13] = ':';
    put2(out, 14, millisOfDay / 60_000 % 60);
    out[16] = ':';
    put2(out, 17, millisOfDay / 1000 % 60);
    out[19] = '.';
    int millis = millisOfDay % 1000;
    out[20] = (char) ('0' + millis / 100);
    out[21] = (char) ('0' + millis / 10 % 10);
    out[22] = (char) ('0' + millis % 10);
    out[23] = 'Z';
    return new String(out);
  }

  private static void put2(char[] out, int at, int value) {
    out[at] = (char) ('0' + value / 10);
    out[at + 1] = (char) ('0' + value % 10);
  }

  private static void put4(char[] out, int at, int value) {
    put2(out, at, value / 100);
    put2(out, at + 2, value % 100);
  }

  /** As LocalDate.toEpochDay, for years 0 to 9999. */
  private static long epochDay(int year, int month, int day) {
    long y = year;
    long total = 365L * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
    total += (367L * month - 362) / 12;
    total += day - 1;
    if (month > 2) {
      total--;
      if (!isLeap(year)) {
        total--;
      }
    }
    return total - DAYS_0000_TO_1970;
  }

  private static int monthLength(int year, int month) {
    switch (month) {
      case 2:
        return isLeap(year) ? 29 : 28;
      case 4:
      case 6:
      case 9:
      case 11:
        return 30;
      default:
        return 31;
    }
  }

  private static boolean isLeap(int year) {
    return (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** The two ASCII digits at {@code at} as a number, or -1. */
  private static int digits2(char[] chars, int at) {
    char a = chars[at];
    char b = chars[at + 1];
    if (!isDigit(a) || !isDigit(b)) {
      return -1;
    }
    return (a - '0') * 10 + (b - '0');
  }

  /** The four ASCII digits at {@code at} as a number, or -1. */
  private static int digits4(char[] chars, int at) {
    int high = digits2(chars, at);
    int low = digits2(chars, at + 2);
    return (high | low) < 0 ? -1 : high * 100 + low;
  }
}
