package io.github.analytics.bench;

import java.util.Locale;

/**
 * A target from the benchmark issue that a measurement is held against: at least or at most a
 * threshold, in the measurement's unit.
 *
 * <pre>{@code
 * Target.atLeast(150_000)   // batch events/s per core
 * Target.atMost(0.01)       // HLL relative error at 10M distinct
 * }</pre>
 */
public record Target(Comparison comparison, double threshold) {
  /** Which side of the threshold meets the target. */
  public enum Comparison {
    AT_LEAST(">="),
    AT_MOST("<=");

    private final String symbol;

    Comparison(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  public Target {
    if (comparison == null) {
      throw new IllegalArgumentException("A target needs a comparison: use Target.atLeast or Target.atMost");
    }
    if (!Double.isFinite(threshold)) {
      throw new IllegalArgumentException("A target's threshold must be a finite number, got " + threshold);
    }
  }

  public static Target atLeast(double threshold) {
    return new Target(Comparison.AT_LEAST, threshold);
  }

  public static Target atMost(double threshold) {
    return new Target(Comparison.AT_MOST, threshold);
  }

  /** Whether {@code value} meets this target; a value that is not a number never does. */
  public boolean metBy(double value) {
    if (!Double.isFinite(value)) {
      return false;
    }
    return comparison == Comparison.AT_LEAST ? value >= threshold : value <= threshold;
  }

  /** The target as printed beside a result, for example {@code >= 150,000}. */
  public String describe() {
    return comparison.symbol() + " " + Measurement.format(threshold);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s %s", comparison.symbol(), threshold);
  }
}
