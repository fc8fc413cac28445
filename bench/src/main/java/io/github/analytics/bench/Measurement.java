package io.github.analytics.bench;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One row of the results: what was measured in which section, its value and unit, the target it is
 * held against if the issue sets one, and a note (how it was measured, or what the value is beside).
 * Immutable: {@link #withTarget} and {@link #withNote} return copies.
 *
 * <pre>{@code
 * Measurement.of("batch", "Flink: events/s per core", 160_000, Measurement.EVENTS_PER_SECOND_PER_CORE)
 *     .withTarget(Target.atLeast(150_000))
 *     .withNote("parallelism 2, 1,030,000 records in 6.4 s");
 * }</pre>
 *
 * @param section the section that measured it ({@link Section#name()})
 * @param name what was measured, unique within the section
 * @param value the value, in {@code unit}; NaN when it could not be measured (say why in the note)
 * @param unit the unit, for example {@link #EVENTS_PER_SECOND_PER_CORE}
 * @param target the target, if any
 * @param note free text: how it was measured, the numbers behind a ratio, or why it is missing
 */
public record Measurement(
    String section, String name, double value, String unit, @Nullable Target target, String note) {

  /** Throughput normalised by the machine's cores: the unit the chart plots. */
  public static final String EVENTS_PER_SECOND_PER_CORE = "events/s per core";
  /** Throughput of the whole machine. */
  public static final String EVENTS_PER_SECOND = "events/s";
  public static final String SECONDS = "s";
  public static final String EVENTS = "events";
  public static final String BYTES = "bytes";
  /** A ratio such as "DuckDB is 12x faster". */
  public static final String TIMES = "x";
  /** A fraction, for example a relative error of 0.0081. */
  public static final String FRACTION = "fraction";
  public static final String MILLISECONDS = "ms";

  public Measurement {
    Objects.requireNonNull(section, "section");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(unit, "unit");
    note = note == null ? "" : note;
    if (section.isBlank() || name.isBlank()) {
      throw new IllegalArgumentException("A measurement needs a section and a name, got '" + section
          + "' / '" + name + "'");
    }
  }

  public static Measurement of(String section, String name, double value, String unit) {
    return new Measurement(section, name, value, unit, null, "");
  }

  public Measurement withTarget(Target value) {
    return new Measurement(section, name, this.value, unit, value, note);
  }

  public Measurement withNote(String value) {
    return new Measurement(section, name, this.value, unit, target, value);
  }

  /** Whether the target is met; empty when there is no target. */
  public Optional<Boolean> met() {
    return target == null ? Optional.empty() : Optional.of(target.metBy(value));
  }

  /** "met", "MISSED" or "" (no target): the word printed beside the target. */
  public String verdict() {
    return met().map(met -> met ? "met" : "MISSED").orElse("");
  }

  /**
   * A value as people read it: thousands separated, at most three significant decimals for small
   * numbers, "n/a" for NaN.
   */
  public static String format(double value) {
    if (Double.isNaN(value)) {
      return "n/a";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    double abs = Math.abs(value);
    if (abs >= 1000 || value == Math.rint(value)) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    if (abs >= 10) {
      return String.format(Locale.ROOT, "%.1f", value);
    }
    if (abs >= 0.1) {
      return String.format(Locale.ROOT, "%.2f", value);
    }
    return String.format(Locale.ROOT, "%.3g", value);
  }
}
