package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Polling a condition with a deadline, for tests that wait on running jobs (never a fixed sleep). */
final class Poll {
  static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private Poll() {}

  /** A condition; it may also fail the test itself (a job that died says so rather than time out). */
  interface Check {
    boolean holds() throws Exception;
  }

  /** What to say about the current state when the deadline passes. */
  interface Describe {
    String state() throws Exception;
  }

  /** Polls {@code check} every half second until it holds; fails with {@code state} after {@code deadline}. */
  static void until(String what, Duration deadline, Check check, Describe state) throws Exception {
    long end = System.nanoTime() + deadline.toNanos();
    while (!check.holds()) {
      if (System.nanoTime() > end) {
        fail("Timed out after " + deadline + " waiting for " + what + "; now: " + state.state());
      }
      LockSupport.parkNanos(INTERVAL_NANOS);
    }
  }

  /** Runs {@code check} for its own failure (a dead job), wrapping what it throws. */
  static void verify(Check check) {
    try {
      check.holds();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
