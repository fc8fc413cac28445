package io.github.analytics.pipelines;

import io.github.analytics.transforms.ingest.Identifiers;

/**
 * Values from events (event types, campaign names, referrer hosts, series keys) as the terminal
 * summaries print them: control characters, line and paragraph separators, bidirectional controls and
 * unpaired surrogates written as {@code \u001B}-style escapes ({@link Identifiers#printable}, the
 * rule of the dead letters' messages), so that no event can move the cursor, colour the terminal,
 * start a fake line of the report or reorder its text. Other text is printed as it is.
 */
public final class Printable {
  private Printable() {}

  /** {@code value} with every character a terminal would act on escaped; null as {@code null}. */
  public static String text(String value) {
    return value == null ? "null" : Identifiers.printable(value);
  }
}
