package io.github.analytics.pipelines;

/**
 * Values from events (event types, campaign names, referrer hosts, series keys) as the terminal
 * summaries print them: control characters, line and paragraph separators and bidirectional
 * controls written as {@code \u001B}-style escapes, so that no event can move the cursor, colour the
 * terminal, start a fake line of the report or reorder its text. Other text is printed as it is.
 */
public final class Printable {
  private Printable() {}

  /** {@code value} with every character a terminal would act on escaped; null as {@code null}. */
  public static String text(String value) {
    if (value == null) {
      return "null";
    }
    int i = 0;
    while (i < value.length() && !acted(value.charAt(i))) {
      i++;
    }
    if (i == value.length()) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length() + 16).append(value, 0, i);
    for (; i < value.length(); i++) {
      char c = value.charAt(i);
      if (acted(c)) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * C0 and C1 controls and DEL, U+2028 and U+2029, and the bidirectional embeddings, overrides and
   * isolates (U+202A to U+202E, U+2066 to U+2069).
   */
  static boolean acted(char c) {
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029
        || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
  }
}
