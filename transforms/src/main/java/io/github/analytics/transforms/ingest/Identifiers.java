package io.github.analytics.transforms.ingest;

import java.util.Locale;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The characters an identifier ({@code event_type}, {@code user_id}, {@code session_id}, {@code
 * platform}, {@code app_version}) may not hold, and text made safe to print by escaping them.
 *
 * <p>Forbidden: C0 controls (U+0000-U+001F), DEL, C1 controls (U+0080-U+009F), the line and paragraph
 * separators (U+2028, U+2029) and the bidirectional controls (U+202A-U+202E, U+2066-U+2069), which can
 * break a log line or reorder the text around them on a terminal or a dashboard, and an unpaired
 * surrogate (a JSON escape in U+D800-U+DFFF on its own: no character, and no UTF-8 for it, so the
 * event coder writes it as '?' and two user ids become one; DuckDB refuses it). A high surrogate
 * followed by a low one is one supplementary character (an emoji) and allowed, as is every other
 * character.
 */
public final class Identifiers {
  private Identifiers() {}

  /**
   * Why {@code value} of the field {@code name} is not an identifier of at most {@code maxLength}
   * code points, or null when it is. One pass over the chars and no allocation unless the value is
   * rejected: every record of both layers goes through here. The message names the field and the
   * character's position, never the value.
   */
  static @Nullable String violation(String name, String value, int maxLength) {
    int length = value.length();
    // A code point is one or two chars: only a value of more chars than the limit can be too long.
    if (length > maxLength) {
      int codePoints = value.codePointCount(0, length);
      if (codePoints > maxLength) {
        return "field '" + name + "' is " + codePoints + " characters long; the limit is " + maxLength;
      }
    }
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c >= 0x20 && c < 0x7f) {
        continue;
      }
      if (pairAt(value, i)) {
        i++; // one supplementary character, allowed
        continue;
      }
      String kind = forbiddenKind(c);
      if (kind != null) {
        return "field '"
            + name
            + "' holds the "
            + kind
            + " "
            + String.format(Locale.ROOT, "U+%04X", (int) c)
            + " at character "
            + (value.codePointCount(0, i) + 1)
            + "; identifiers must be printable";
      }
    }
    return null;
  }

  /**
   * What a character forbidden in identifiers is, or null when it is allowed; a surrogate is
   * forbidden when it stands alone, which only its neighbours tell (see {@link #violation}).
   */
  static @Nullable String forbiddenKind(char c) {
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      return "control character";
    }
    if (c == 0x2028 || c == 0x2029) {
      return "line or paragraph separator";
    }
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
      return "bidirectional control";
    }
    if (Character.isSurrogate(c)) {
      return "unpaired surrogate";
    }
    return null;
  }

  /**
   * An exception as a dead letter's message quotes it: its class, and its message made {@link
   * #printable}.
   */
  public static String printable(Throwable error) {
    return error.getClass().getName()
        + (error.getMessage() == null ? "" : ": " + printable(error.getMessage()));
  }

  /**
   * {@code text} as a message or a terminal summary may quote it: every character an identifier may
   * not hold written as a backslash, {@code u} and its four hex digits in upper case (ESC as {@code
   * u001B} after the backslash), so that no message carries an ANSI escape or a bidirectional
   * override to a log, a terminal or a dashboard. Nothing else changes; the text itself when there is
   * nothing to write so, as nearly always.
   */
  public static String printable(String text) {
    int length = text.length();
    StringBuilder out = null;
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      boolean pair = pairAt(text, i);
      if (pair || (c >= 0x20 && c < 0x7f) || forbiddenKind(c) == null) {
        if (out != null) {
          out.append(c);
          if (pair) {
            out.append(text.charAt(i + 1));
          }
        }
        if (pair) {
          i++;
        }
        continue;
      }
      if (out == null) {
        out = new StringBuilder(length + 16).append(text, 0, i);
      }
      out.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
    }
    return out == null ? text : out.toString();
  }

  /** Whether a high surrogate at {@code i} is followed by a low one: one supplementary character. */
  private static boolean pairAt(String text, int i) {
    return Character.isHighSurrogate(text.charAt(i))
        && i + 1 < text.length()
        && Character.isLowSurrogate(text.charAt(i + 1));
  }
}
