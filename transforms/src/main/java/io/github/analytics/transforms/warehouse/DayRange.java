package io.github.analytics.transforms.warehouse;

import java.io.Serializable;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.Objects;

/**
 * An inclusive range of UTC days, {@code from} to {@code to}: the days a batch run replaces, or the
 * days a metric reads or rewrites.
 */
public record DayRange(LocalDate from, LocalDate to) implements Serializable {
  public DayRange {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("A day range ends on or after its start, got " + from + ".." + to);
    }
  }

  public static DayRange of(LocalDate from, LocalDate to) {
    return new DayRange(from, to);
  }

  /** The Monday starting the ISO week (UTC) that holds {@code day}. */
  public static LocalDate monday(LocalDate day) {
    return day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
  }

  public long fromEpochDay() {
    return from.toEpochDay();
  }

  public long toEpochDay() {
    return to.toEpochDay();
  }

  public boolean contains(long epochDay) {
    return epochDay >= from.toEpochDay() && epochDay <= to.toEpochDay();
  }

  /** The smallest range holding both. */
  public DayRange span(DayRange other) {
    return new DayRange(
        from.isBefore(other.from) ? from : other.from, to.isAfter(other.to) ? to : other.to);
  }

  @Override
  public String toString() {
    return from.equals(to) ? from.toString() : from + ".." + to;
  }
}
