package io.github.analytics.generator;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Prints a line whenever records start arriving in a new hour. */
final class HourlyProgress {
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("'dt='yyyy-MM-dd' hour='HH", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final PrintWriter console;
  private final long started;
  private long hour = Long.MIN_VALUE;
  private long records;

  HourlyProgress(PrintWriter console, long started) {
    this.console = console;
    this.started = started;
  }

  void newDay() {
    hour = Long.MIN_VALUE;
  }

  void record(long receivedAtMillis) {
    records++;
    long h = Math.floorDiv(receivedAtMillis, 3_600_000L);
    if (h > hour) {
      hour = h;
      double seconds = (System.nanoTime() - started) / 1e9;
      console.printf(
          Locale.ROOT,
          "  %s  %,12d records so far  %6.1f s  %,10.0f records/s%n",
          HOUR.format(Instant.ofEpochMilli(h * 3_600_000L)),
          records,
          seconds,
          records / Math.max(seconds, 1e-9));
      console.flush();
    }
  }
}
