package io.github.analytics.generator;

import java.nio.charset.StandardCharsets;

/**
 * Allocation-light formatting of the hot strings of every payload, straight to ASCII bytes: ISO-8601
 * UTC timestamps with milliseconds, lower-case UUIDs and hex ids. {@code DateTimeFormatter} and {@code
 * UUID.toString} are correct but too slow for half a million events a second.
 */
final class Formats {
  /** Length of {@code 2026-11-27T10:00:00.123Z}. */
  static final int TIMESTAMP_LENGTH = 24;
  /** Length of a canonical UUID. */
  static final int UUID_LENGTH = 36;

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final long MILLIS_PER_DAY = 86_400_000L;

  private Formats() {}

  /**
   * Writes {@code epochMillis} as {@code yyyy-MM-ddTHH:mm:ss.SSSZ} into {@code out} at {@code offset}.
   * Years must be 0 to 9999.
   */
  static void timestamp(long epochMillis, byte[] out, int offset) {
    long days = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
    date(days, out, offset);
    time((int) Math.floorMod(epochMillis, MILLIS_PER_DAY), out, offset);
  }

  static String timestamp(long epochMillis) {
    byte[] out = new byte[TIMESTAMP_LENGTH];
    timestamp(epochMillis, out, 0);
    return new String(out, StandardCharsets.US_ASCII);
  }

  /** Writes {@code yyyy-MM-ddT} of the epoch day {@code days} (civil-from-days, H. Hinnant). */
  static void date(long days, byte[] out, int offset) {
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
    digits(year, 4, out, offset);
    out[offset + 4] = '-';
    digits(month, 2, out, offset + 5);
    out[offset + 7] = '-';
    digits(day, 2, out, offset + 8);
    out[offset + 10] = 'T';
  }

  /** Writes {@code HH:mm:ss.SSSZ} of {@code millisOfDay} at {@code offset + 11}. */
  static void time(int millisOfDay, byte[] out, int offset) {
    digits(millisOfDay / 3_600_000, 2, out, offset + 11);
    out[offset + 13] = ':';
    digits((millisOfDay / 60_000) % 60, 2, out, offset + 14);
    out[offset + 16] = ':';
    digits((millisOfDay / 1000) % 60, 2, out, offset + 17);
    out[offset + 19] = '.';
    digits(millisOfDay % 1000, 3, out, offset + 20);
    out[offset + 23] = 'Z';
  }

  /** Writes a version-4 UUID built from two random longs, lower case, into {@code out}. */
  static void uuid(long mostSig, long leastSig, byte[] out) {
    long msb = (mostSig & ~0xF000L) | 0x4000L; // version 4
    long lsb = (leastSig & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L; // IETF variant
    hex(msb >>> 32, 8, out, 0);
    out[8] = '-';
    hex(msb >>> 16, 4, out, 9);
    out[13] = '-';
    hex(msb, 4, out, 14);
    out[18] = '-';
    hex(lsb >>> 48, 4, out, 19);
    out[23] = '-';
    hex(lsb, 12, out, 24);
  }

  static String uuid(long mostSig, long leastSig) {
    byte[] out = new byte[UUID_LENGTH];
    uuid(mostSig, leastSig, out);
    return new String(out, StandardCharsets.US_ASCII);
  }

  /** {@code count} lower-case hex digits of the low bits of {@code value}. */
  static void hex(long value, int count, byte[] out, int offset) {
    for (int i = count - 1; i >= 0; i--) {
      out[offset + i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
  }

  static byte[] hex(long value, int count) {
    byte[] out = new byte[count];
    hex(value, count, out, 0);
    return out;
  }

  static String hexString(long value, int count) {
    return new String(hex(value, count), StandardCharsets.US_ASCII);
  }

  private static void digits(int value, int count, byte[] out, int offset) {
    for (int i = count - 1; i >= 0; i--) {
      out[offset + i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }
}
