package io.github.analytics.transforms.ingest;

import static io.github.analytics.transforms.ingest.ParsedFields.CLIENT_TIMESTAMP;
import static io.github.analytics.transforms.ingest.ParsedFields.EVENT_ID;
import static io.github.analytics.transforms.ingest.ParsedFields.FIELD_COUNT;
import static io.github.analytics.transforms.ingest.ParsedFields.NAMES;
import static io.github.analytics.transforms.ingest.ParsedFields.ORDER;
import static io.github.analytics.transforms.ingest.ParsedFields.POSITION;
import static io.github.analytics.transforms.ingest.ParsedFields.PROPERTIES;
import static io.github.analytics.transforms.ingest.ParsedFields.SERVER_TIMESTAMP;

import com.fasterxml.jackson.core.JsonToken;
import io.github.analytics.common.IsoTimestamps;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the common shape of an event payload in one pass over its bytes, without Jackson, or gives
 * up: {@link EventParser} then hands the payload to {@link StreamingEventReader}, which reads every
 * payload. Jackson's tokenizer, parser set-up and per-value copies had become most of the cost of a
 * record once the tree was gone; nearly every payload a collector sends has this shape.
 *
 * <p>The shape: ASCII only; one object whose keys are written without escapes, each once (the known
 * top-level fields, and up to {@value #MAX_KEYS} others, whose values are checked as values inside
 * {@code properties} are, then dropped); string fields are strings (or {@code null}) without
 * escapes or control characters; timestamps such strings or integers of up to 18 digits; {@code
 * properties} an object (or {@code null}) of at most {@value #MAX_DEPTH} levels and {@value
 * #MAX_KEYS} keys per object, whose strings and keys have no escapes or control characters and
 * whose integers have up to 18 digits; JSON whitespace anywhere between tokens. That is a subset of
 * what Jackson accepts under {@link StreamingEventReader}'s settings, and for it {@link #read}
 * leaves the same {@link ParsedFields} that the streaming reader does (ASCII bytes are their own
 * UTF-8 decoding, numbers are written back as the tree wrote them). Anything else — a non-ASCII
 * byte, an escape, a repeated key, a value of another type, any syntax error — makes it give up, so
 * every dead letter of those kinds, and every wording of them, stays the streaming reader's.
 */
final class FastEventReader {
  /** Nesting levels of {@code properties} read here; Jackson allows 1000. */
  static final int MAX_DEPTH = 32;

  /** Keys per object of {@code properties} read here (each compared with the others). */
  static final int MAX_KEYS = 16;

  /**
   * Larger payloads are left to Jackson, whose limits (a string of 20 million chars) the fast path
   * does not check. Only a payload limit raised far above the default reaches it.
   */
  private static final int MAX_PAYLOAD_BYTES = 1 << 20;

  /** Characters of a number in {@code properties} read here; Jackson allows 1000. */
  private static final int MAX_NUMBER_LENGTH = 64;

  private static final byte[][] NAME_BYTES = new byte[FIELD_COUNT][];

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;

  static {
    for (int field = 0; field < FIELD_COUNT; field++) {
      NAME_BYTES[field] = NAMES[field].getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** A timestamp as chars, for {@link IsoTimestamps}. */
  private final char[] chars = new char[64];

  /** The keys of the open objects of {@code properties}: offset and length in the payload. */
  private final int[] keyOffsets = new int[MAX_DEPTH * MAX_KEYS];

  private final int[] keyLengths = new int[MAX_DEPTH * MAX_KEYS];
  private int keyCount;

  /** The unknown top-level keys: offset and length in the payload. */
  private final int[] unknownKeyOffsets = new int[MAX_KEYS];

  private final int[] unknownKeyLengths = new int[MAX_KEYS];
  private int unknownKeyCount;

  /** Where the values of unknown fields are copied, to be checked as {@code properties} is. */
  private final GrowingCharWriter discarded = new GrowingCharWriter();

  /**
   * Reads {@code b} into {@code f} (reset) and returns true, or returns false when the payload is
   * not of the shape this class reads ({@code f} is then to be reset and read again).
   */
  boolean read(byte[] b, ParsedFields f) {
    final int end = b.length;
    if (end > MAX_PAYLOAD_BYTES) {
      return false;
    }
    int i = skipWhitespace(b, 0, end);
    if (i >= end || b[i] != '{') {
      return false;
    }
    i = skipWhitespace(b, i + 1, end);
    if (i >= end) {
      return false;
    }
    int seen = 0;
    int expected = 0;
    unknownKeyCount = 0;
    if (b[i] != '}') {
      while (true) {
        if (b[i] != '"') {
          return false;
        }
        int nameStart = i + 1;
        int nameEnd = stringEnd(b, nameStart, end);
        if (nameEnd < 0) {
          return false;
        }
        int field = knownField(b, nameStart, nameEnd - nameStart, expected);
        if (field < 0) {
          if (!addUnknownKey(b, nameStart, nameEnd - nameStart)) {
            return false; // a repeated key (or too many): the streaming reader's
          }
        } else {
          if ((seen & (1 << field)) != 0) {
            return false; // a repeated key: the streaming reader's
          }
          seen |= 1 << field;
          expected = POSITION[field] + 1;
        }
        i = skipWhitespace(b, nameEnd + 1, end);
        if (i >= end || b[i] != ':') {
          return false;
        }
        i = skipWhitespace(b, i + 1, end);
        if (i >= end) {
          return false;
        }
        i = field < 0 ? skipValue(b, i, end) : readValue(b, i, end, field, f);
        if (i < 0) {
          return false;
        }
        i = skipWhitespace(b, i, end);
        if (i >= end) {
          return false;
        }
        if (b[i] == '}') {
          break;
        }
        if (b[i] != ',') {
          return false;
        }
        i = skipWhitespace(b, i + 1, end);
        if (i >= end) {
          return false;
        }
      }
    }
    // On the object's '}': only whitespace may follow.
    return skipWhitespace(b, i + 1, end) == end;
  }

  /**
   * Notes an unknown top-level key (its value is skipped: collectors may add fields); false when it
   * repeats one, or when there are more than {@value #MAX_KEYS}.
   */
  private boolean addUnknownKey(byte[] b, int start, int length) {
    if (unknownKeyCount == MAX_KEYS) {
      return false;
    }
    for (int k = 0; k < unknownKeyCount; k++) {
      int other = unknownKeyOffsets[k];
      if (unknownKeyLengths[k] == length
          && Arrays.equals(b, other, other + length, b, start, start + length)) {
        return false;
      }
    }
    unknownKeyOffsets[unknownKeyCount] = start;
    unknownKeyLengths[unknownKeyCount] = length;
    unknownKeyCount++;
    return true;
  }

  /**
   * Skips the value of an unknown field at {@code b[i]}, checking it as {@code properties} is (the
   * copy goes to a writer nobody reads); the index after it, or -1.
   */
  private int skipValue(byte[] b, int i, int end) {
    keyCount = 0;
    discarded.reset();
    return copyValue(b, i, end, discarded, 0);
  }

  /** Reads the value of a known field at {@code b[i]}; the index after it, or -1 to give up. */
  private int readValue(byte[] b, int i, int end, int field, ParsedFields f) {
    byte c = b[i];
    if (c == 'n') {
      return literal(b, i, end, "null"); // as if absent, as for the streaming reader
    }
    if (field == PROPERTIES) {
      if (c != '{') {
        return -1;
      }
      keyCount = 0;
      GrowingCharWriter out = f.properties.startWrittenCopy();
      int next = copyObject(b, i, end, out, 1);
      if (next >= 0) {
        f.tokens[field] = JsonToken.START_OBJECT;
      }
      return next;
    }
    if (field == CLIENT_TIMESTAMP || field == SERVER_TIMESTAMP) {
      if (c == '"') {
        int start = i + 1;
        int stop = stringEnd(b, start, end);
        if (stop < 0) {
          return -1;
        }
        int length = stop - start;
        long millis = IsoTimestamps.NOT_FAST;
        if (length <= chars.length) {
          toChars(b, start, length);
          millis = IsoTimestamps.fastEpochMillis(chars, 0, length);
        }
        f.tokens[field] = JsonToken.VALUE_STRING;
        if (millis != IsoTimestamps.NOT_FAST) {
          f.millis[field] = millis;
          f.hasMillis[field] = true;
        } else {
          f.texts[field] = new String(b, start, length, StandardCharsets.ISO_8859_1);
        }
        return stop + 1;
      }
      return readEpochMillis(b, i, end, field, f);
    }
    if (c != '"') {
      return -1;
    }
    int start = i + 1;
    int stop = stringEnd(b, start, end);
    if (stop < 0) {
      return -1;
    }
    int length = stop - start;
    if (field == EVENT_ID) {
      f.eventIdForm = ParsedFields.uuidForm(b, start, length);
    }
    f.tokens[field] = JsonToken.VALUE_STRING;
    f.texts[field] = new String(b, start, length, StandardCharsets.ISO_8859_1);
    return stop + 1;
  }

  /** A timestamp as an integer of up to 18 digits (so a long); the index after it, or -1. */
  private static int readEpochMillis(byte[] b, int i, int end, int field, ParsedFields f) {
    int p = i;
    boolean negative = b[p] == '-';
    if (negative) {
      p++;
    }
    int digitsStart = p;
    long value = 0;
    while (p < end && isDigit(b[p])) {
      value = value * 10 + (b[p] - '0');
      p++;
    }
    int digits = p - digitsStart;
    if (digits == 0 || digits > 18 || (digits > 1 && b[digitsStart] == '0')) {
      return -1; // no digit, a long number, or a leading zero (an error for Jackson)
    }
    if (p < end && (b[p] == '.' || b[p] == 'e' || b[p] == 'E')) {
      return -1; // a float: WRONG_TYPE, the streaming reader's
    }
    f.tokens[field] = JsonToken.VALUE_NUMBER_INT;
    f.millis[field] = negative ? -value : value; // "-0" is 0, as Jackson reads it
    f.hasMillis[field] = true;
    return p;
  }

  /** Copies the object at {@code b[i] == '{'}; the index after its '}', or -1. */
  private int copyObject(byte[] b, int i, int end, GrowingCharWriter out, int depth) {
    if (depth > MAX_DEPTH) {
      return -1;
    }
    out.write('{');
    int firstKey = keyCount;
    i = skipWhitespace(b, i + 1, end);
    if (i >= end) {
      return -1;
    }
    if (b[i] != '}') {
      while (true) {
        if (b[i] != '"') {
          return -1;
        }
        int start = i + 1;
        int stop = stringEnd(b, start, end);
        if (stop < 0) {
          return -1;
        }
        int length = stop - start;
        if (keyCount - firstKey == MAX_KEYS) {
          return -1;
        }
        for (int k = firstKey; k < keyCount; k++) {
          int other = keyOffsets[k];
          if (keyLengths[k] == length
              && Arrays.equals(b, other, other + length, b, start, start + length)) {
            return -1; // a repeated key: the streaming reader refuses it
          }
        }
        keyOffsets[keyCount] = start;
        keyLengths[keyCount] = length;
        keyCount++;
        writeString(b, start, stop, out);
        i = skipWhitespace(b, stop + 1, end);
        if (i >= end || b[i] != ':') {
          return -1;
        }
        out.write(':');
        i = skipWhitespace(b, i + 1, end);
        if (i >= end) {
          return -1;
        }
        i = copyValue(b, i, end, out, depth);
        if (i < 0) {
          return -1;
        }
        i = skipWhitespace(b, i, end);
        if (i >= end) {
          return -1;
        }
        if (b[i] == '}') {
          break;
        }
        if (b[i] != ',') {
          return -1;
        }
        out.write(',');
        i = skipWhitespace(b, i + 1, end);
        if (i >= end) {
          return -1;
        }
      }
    }
    out.write('}');
    keyCount = firstKey;
    return i + 1;
  }

  /** Copies the array at {@code b[i] == '['}; the index after its ']', or -1. */
  private int copyArray(byte[] b, int i, int end, GrowingCharWriter out, int depth) {
    if (depth > MAX_DEPTH) {
      return -1;
    }
    out.write('[');
    i = skipWhitespace(b, i + 1, end);
    if (i >= end) {
      return -1;
    }
    if (b[i] != ']') {
      while (true) {
        i = copyValue(b, i, end, out, depth);
        if (i < 0) {
          return -1;
        }
        i = skipWhitespace(b, i, end);
        if (i >= end) {
          return -1;
        }
        if (b[i] == ']') {
          break;
        }
        if (b[i] != ',') {
          return -1;
        }
        out.write(',');
        i = skipWhitespace(b, i + 1, end);
        if (i >= end) {
          return -1;
        }
      }
    }
    out.write(']');
    return i + 1;
  }

  /**
   * Copies the value at {@code b[i]}; the index after it, or -1. What follows a value is checked by
   * the caller, which accepts only whitespace, ',' and the container's end there.
   */
  private int copyValue(byte[] b, int i, int end, GrowingCharWriter out, int depth) {
    byte c = b[i];
    switch (c) {
      case '{':
        return copyObject(b, i, end, out, depth + 1);
      case '[':
        return copyArray(b, i, end, out, depth + 1);
      case '"':
        {
          int stop = stringEnd(b, i + 1, end);
          if (stop < 0) {
            return -1;
          }
          writeString(b, i + 1, stop, out);
          return stop + 1;
        }
      case 't':
        return copyLiteral(b, i, end, "true", out);
      case 'f':
        return copyLiteral(b, i, end, "false", out);
      case 'n':
        return copyLiteral(b, i, end, "null", out);
      default:
        return copyNumber(b, i, end, out);
    }
  }

  /**
   * Copies the number at {@code b[i]} as the tree wrote it back: an integer as it is ({@code -0} as
   * {@code 0}), a float through {@code double} ({@code Double.toString}, and a quoted {@code
   * "Infinity"} beyond its range); the index after it, or -1.
   */
  private static int copyNumber(byte[] b, int i, int end, GrowingCharWriter out) {
    // JSON's grammar exactly: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    int p = i;
    if (p < end && b[p] == '-') {
      p++;
    }
    int intStart = p;
    if (p < end && b[p] == '0') {
      p++;
    } else {
      while (p < end && isDigit(b[p])) {
        p++;
      }
    }
    int intDigits = p - intStart;
    if (intDigits == 0) {
      return -1;
    }
    boolean isFloat = false;
    if (p < end && b[p] == '.') {
      isFloat = true;
      int fractionStart = ++p;
      while (p < end && isDigit(b[p])) {
        p++;
      }
      if (p == fractionStart) {
        return -1;
      }
    }
    if (p < end && (b[p] == 'e' || b[p] == 'E')) {
      isFloat = true;
      p++;
      if (p < end && (b[p] == '+' || b[p] == '-')) {
        p++;
      }
      int exponentStart = p;
      while (p < end && isDigit(b[p])) {
        p++;
      }
      if (p == exponentStart) {
        return -1;
      }
    }
    int length = p - i;
    if (length > MAX_NUMBER_LENGTH) {
      return -1;
    }
    if (!isFloat) {
      if (intDigits > 18) {
        return -1; // beyond a long, perhaps: the streaming reader's
      }
      if (length == 2 && b[i] == '-' && b[i + 1] == '0') {
        out.write('0'); // an IntNode of 0
      } else {
        out.writeAscii(b, i, p);
      }
      return p;
    }
    double value = Double.parseDouble(new String(b, i, length, StandardCharsets.ISO_8859_1));
    if (Double.isInfinite(value)) {
      // Jackson writes a non-finite double as a string (WRITE_NAN_AS_STRINGS, on by default).
      out.write('"');
      String text = String.valueOf(value);
      out.write(text, 0, text.length());
      out.write('"');
    } else {
      String text = Double.toString(value);
      out.write(text, 0, text.length());
    }
    return p;
  }

  private static int copyLiteral(byte[] b, int i, int end, String literal, GrowingCharWriter out) {
    int next = literal(b, i, end, literal);
    if (next >= 0) {
      out.write(literal, 0, literal.length());
    }
    return next;
  }

  /** The index after {@code literal} at {@code b[i]}, or -1. */
  private static int literal(byte[] b, int i, int end, String literal) {
    int length = literal.length();
    if (end - i < length) {
      return -1;
    }
    for (int k = 0; k < length; k++) {
      if (b[i + k] != literal.charAt(k)) {
        return -1;
      }
    }
    return i + length;
  }

  /**
   * The index of the quote closing the string whose content starts at {@code start}, or -1 when it
   * holds an escape, a control character, DEL or a non-ASCII byte (each left to Jackson, which
   * decodes or refuses them) or does not end.
   */
  private static int stringEnd(byte[] b, int start, int end) {
    int p = start;
    // Eight bytes at a time while none of them ends the string or needs a look.
    while (p <= end - 8 && !needsLook((long) LONGS.get(b, p))) {
      p += 8;
    }
    for (; p < end; p++) {
      byte c = b[p];
      if (c == '"') {
        return p;
      }
      // A negative byte is non-ASCII.
      if (c < 0x20 || c == '\\' || c == 0x7f) {
        return -1;
      }
    }
    return -1;
  }

  /**
   * Whether any of the eight bytes in {@code word} is a quote, a backslash, below 0x20, DEL or
   * non-ASCII (the classic "has a zero byte" and "has a byte less than" bit tricks, exact as to
   * whether there is one).
   */
  private static boolean needsLook(long word) {
    long quote = word ^ 0x2222222222222222L;
    long backslash = word ^ 0x5c5c5c5c5c5c5c5cL;
    long del = word ^ 0x7f7f7f7f7f7f7f7fL;
    long found =
        word
            | ((word - 0x2020202020202020L) & ~word)
            | ((quote - ONES) & ~quote)
            | ((backslash - ONES) & ~backslash)
            | ((del - ONES) & ~del);
    return (found & HIGH_BITS) != 0;
  }

  /** Writes a string without escapes as Jackson's generator does: as it is, in quotes. */
  private static void writeString(byte[] b, int start, int stop, GrowingCharWriter out) {
    out.write('"');
    out.writeAscii(b, start, stop);
    out.write('"');
  }

  /** The known field named by {@code b[start, start + length)}, trying the expected one first. */
  private static int knownField(byte[] b, int start, int length, int expected) {
    if (expected < ORDER.length) {
      int field = ORDER[expected];
      byte[] name = NAME_BYTES[field];
      if (name.length == length && Arrays.equals(b, start, start + length, name, 0, length)) {
        return field;
      }
    }
    for (int field = 0; field < FIELD_COUNT; field++) {
      byte[] name = NAME_BYTES[field];
      if (name.length == length && Arrays.equals(b, start, start + length, name, 0, length)) {
        return field;
      }
    }
    return -1;
  }

  private void toChars(byte[] b, int start, int length) {
    for (int k = 0; k < length; k++) {
      chars[k] = (char) b[start + k];
    }
  }

  /** The index of the first byte from {@code i} that is not JSON whitespace, or {@code end}. */
  private static int skipWhitespace(byte[] b, int i, int end) {
    while (i < end) {
      byte c = b[i];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return i;
      }
      i++;
    }
    return end;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }
}
