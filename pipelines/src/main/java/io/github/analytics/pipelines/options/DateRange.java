package io.github.analytics.pipelines.options;

import java.io.Serializable;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** An inclusive range of UTC days, the unit in which the batch layer reads and replaces data. */
public record DateRange(LocalDate from, LocalDate to) implements Serializable {
  public DateRange {
    if (to.isBefore(from)) {
      throw new IllegalArgumentException(
          "The date range ends (" + to + ") before it starts (" + from + "): swap --fromDate and --toDate");
    }
  }

  /** Parses {@code YYYY-MM-DD} bounds; {@code to} may be null for a single day. */
  public static DateRange parse(String from, String to) {
    LocalDate start = parseDay("--fromDate", from);
    LocalDate end = to == null || to.isBlank() ? start : parseDay("--toDate", to);
    return new DateRange(start, end);
  }

  private static LocalDate parseDay(String option, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(option + " is required, as YYYY-MM-DD (UTC)");
    }
    try {
      return LocalDate.parse(value.trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          option + "=" + value + " is not a date: write it as YYYY-MM-DD, e.g. 2026-11-27", e);
    }
  }

  public List<LocalDate> days() {
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      days.add(d);
    }
    return days;
  }

  @Override
  public String toString() {
    return from.equals(to) ? from.toString() : from + " to " + to;
  }
}
