package io.github.analytics.sdk;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): the
 * wait before retry {@code n} (0-based) is drawn uniformly from {@code [0, min(max, initial * 2^n))},
 * so clients that failed together do not come back together; a server's {@code Retry-After} is a floor.
 */
final class Backoff {
  private final long initialNanos;
  private final long maxNanos;

  Backoff(Duration initial, Duration max) {
    this.initialNanos = initial.toNanos();
    this.maxNanos = Math.max(initialNanos, max.toNanos());
  }

  /** The bound of retry {@code attempt}'s draw. */
  long boundNanos(int attempt) {
    int shift = Math.min(attempt, 40);
    long bound = initialNanos << shift;
    return bound <= 0 || bound > maxNanos || (bound >> shift) != initialNanos ? maxNanos : bound;
  }

  /** The wait before retry {@code attempt}: the jittered draw, at least {@code retryAfter}. */
  Duration delay(int attempt, Duration retryAfter) {
    long drawn = ThreadLocalRandom.current().nextLong(boundNanos(attempt) + 1);
    return Duration.ofNanos(Math.max(drawn, retryAfter.toNanos()));
  }
}
