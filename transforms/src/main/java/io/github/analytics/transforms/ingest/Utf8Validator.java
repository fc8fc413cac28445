package io.github.analytics.transforms.ingest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Checks that a payload is well-formed UTF-8 without decoding it, with exactly the verdict of
 * {@code StandardCharsets.UTF_8.newDecoder()} with {@link
 * java.nio.charset.CodingErrorAction#REPORT}: the JDK decoder refuses overlong forms, surrogates
 * encoded in UTF-8 (CESU-8) and code points above U+10FFFF, and so does this class. It also reports
 * the same malformed-input length as the decoder's {@link java.nio.charset.MalformedInputException}
 * for the first bad sequence, because that length is part of the {@code INVALID_UTF8} dead-letter
 * message.
 *
 * <p>Why not the decoder: {@link EventParser} parses the bytes directly and needs no characters,
 * and decoding a whole payload into a String per record was a large part of the parser's cost.
 * Payloads are nearly all ASCII, so eight bytes are checked at a time until a byte with the high
 * bit set appears.
 */
final class Utf8Validator {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  private Utf8Validator() {}

  /**
   * 0 when {@code bytes} is well-formed UTF-8, else the length the JDK decoder reports for the
   * first malformed sequence ({@code MalformedInputException.getInputLength()}).
   */
  static int firstMalformedLength(byte[] bytes) {
    final int end = bytes.length;
    int i = 0;
    while (i < end) {
      // ASCII fast path: eight bytes at a time while none has its high bit set.
      while (i <= end - 8 && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
        i += 8;
      }
      if (i >= end) {
        return 0;
      }
      int b1 = bytes[i];
      if (b1 >= 0) {
        i++;
        continue;
      }
      int remaining = end - i;
      // The branches and their malformed lengths follow sun.nio.cs.UTF_8.Decoder.decodeArrayLoop
      // and
      // malformedN; an incomplete sequence at the very end is malformed for all remaining bytes, as
      // CharsetDecoder.decode reports an underflow with input left at the end of input.
      if ((b1 >> 5) == -2 && (b1 & 0x1e) != 0) {
        // 2 bytes: [C2..DF] [80..BF]
        if (remaining < 2) {
          return remaining;
        }
        if (isNotContinuation(bytes[i + 1])) {
          return 1;
        }
        i += 2;
      } else if ((b1 >> 4) == -2) {
        // 3 bytes: [E0..EF] [80..BF] [80..BF], not overlong, no surrogate
        if (remaining < 3) {
          if (remaining > 1 && isMalformed3x2(b1, bytes[i + 1])) {
            return 1;
          }
          return remaining;
        }
        int b2 = bytes[i + 1];
        int b3 = bytes[i + 2];
        if (isMalformed3x2(b1, b2)) {
          return 1;
        }
        if (isNotContinuation(b3)) {
          return 2;
        }
        char c = (char) (((b1 & 0x0f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f));
        if (Character.isSurrogate(c)) {
          return 3;
        }
        i += 3;
      } else if ((b1 >> 3) == -2) {
        // 4 bytes: [F0..F4] [80..BF] [80..BF] [80..BF], U+10000..U+10FFFF
        int u1 = b1 & 0xff;
        if (remaining < 4) {
          if (u1 > 0xf4 || (remaining > 1 && isMalformed4x2(u1, bytes[i + 1] & 0xff))) {
            return 1;
          }
          if (remaining > 2 && isNotContinuation(bytes[i + 2])) {
            return 2;
          }
          return remaining;
        }
        int u2 = bytes[i + 1] & 0xff;
        if (u1 > 0xf4 || isMalformed4x2(u1, u2)) {
          return 1;
        }
        if (isNotContinuation(bytes[i + 2])) {
          return 2;
        }
        if (isNotContinuation(bytes[i + 3])) {
          return 3;
        }
        i += 4;
      } else {
        // A continuation byte without a lead, C0, C1 or F8..FF.
        return 1;
      }
    }
    return 0;
  }

  private static boolean isNotContinuation(int b) {
    return (b & 0xc0) != 0x80;
  }

  /** The second byte of a 3-byte sequence is wrong, or makes it overlong (E0 80..9F). */
  private static boolean isMalformed3x2(int b1, int b2) {
    return (b1 == (byte) 0xe0 && (b2 & 0xe0) == 0x80) || isNotContinuation(b2);
  }

  /**
   * The second byte of a 4-byte sequence is wrong, overlong (F0 80..8F) or above U+10FFFF (F4
   * 90..).
   */
  private static boolean isMalformed4x2(int u1, int u2) {
    return (u1 == 0xf0 && (u2 < 0x90 || u2 > 0xbf))
        || (u1 == 0xf4 && (u2 & 0xf0) != 0x80)
        || isNotContinuation(u2);
  }
}
