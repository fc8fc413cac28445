package io.github.analytics.generator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** An immutable weighted choice among values. */
final class Weighted<T> {
  private final List<T> values;
  private final long[] cumulative;

  private Weighted(List<T> values, long[] cumulative) {
    this.values = values;
    this.cumulative = cumulative;
  }

  static <T> Builder<T> builder() {
    return new Builder<>();
  }

  T pick(SplittableRandom random) {
    long r = random.nextLong(cumulative[cumulative.length - 1]);
    int low = 0;
    int high = cumulative.length - 1;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (cumulative[mid] > r) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return values.get(low);
  }

  List<T> values() {
    return values;
  }

  /** Collects values and weights; used once, at class initialization. */
  static final class Builder<T> {
    private final List<T> values = new ArrayList<>();
    private final List<Long> weights = new ArrayList<>();

    Builder<T> add(long weight, T value) {
      if (weight <= 0) {
        throw new IllegalArgumentException("weight must be positive, was " + weight);
      }
      values.add(value);
      weights.add(weight);
      return this;
    }

    Weighted<T> build() {
      long[] cumulative = new long[weights.size()];
      long sum = 0;
      for (int i = 0; i < cumulative.length; i++) {
        sum += weights.get(i);
        cumulative[i] = sum;
      }
      return new Weighted<>(List.copyOf(values), cumulative);
    }
  }
}
