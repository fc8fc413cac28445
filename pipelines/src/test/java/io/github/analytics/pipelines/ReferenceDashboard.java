package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Jedis;

/**
 * What an uninterrupted run left in Redis for a day, and the checks that hold a drill's run to it:
 * per-minute counts, sessions and hourly distinct users, equal row for row.
 */
final class ReferenceDashboard {
  private final Dashboard reference;
  private final LocalDate day;
  private final Duration deadline;
  private final Duration stable;

  /**
   * @param stable how long a run must stay equal once it reached the reference: several early
   *     firings, so that an event counted twice would have pushed a value past it
   */
  ReferenceDashboard(Dashboard reference, LocalDate day, Duration deadline, Duration stable) {
    this.reference = reference;
    this.day = day;
    this.deadline = deadline;
    this.stable = stable;
  }

  Dashboard reference() {
    return reference;
  }

  /**
   * Waits until Redis equals the reference, then checks that it stays equal for the stable period;
   * {@code running} is checked at every poll, so a job that died fails the test at once.
   */
  void awaitEqualThenStable(Jedis redis, String what, Poll.Check running) {
    long end = System.nanoTime() + deadline.toNanos();
    Dashboard now = Dashboard.read(redis, day);
    while (!now.equals(reference)) {
      if (System.nanoTime() > end) {
        assertEqual(now, what + ": timed out after " + deadline);
      }
      LockSupport.parkNanos(Poll.INTERVAL_NANOS);
      Poll.verify(running);
      now = Dashboard.read(redis, day);
    }
    long until = System.nanoTime() + stable.toNanos();
    while (System.nanoTime() < until) {
      LockSupport.parkNanos(Poll.INTERVAL_NANOS);
      Poll.verify(running);
      assertEqual(Dashboard.read(redis, day), what + ": changed after reaching the reference");
    }
  }

  /** Fails, naming the rows that differ, unless {@code actual} equals the reference. */
  void assertEqual(Dashboard actual, String message) {
    String detail = message + "; uninterrupted: " + reference.summary() + "; this run: " + actual.summary();
    assertSame("per-minute counts", reference.perMinuteCounts(), actual.perMinuteCounts(), detail);
    assertSame("sessions", reference.sessions(), actual.sessions(), detail);
    assertSame("hourly distinct users", reference.hourlyDistinctUsers(), actual.hourlyDistinctUsers(), detail);
  }

  /** Fails naming the rows that differ (at most 20), not printing thousands that agree. */
  static void assertSame(String what, Map<String, Long> expected, Map<String, Long> actual, String detail) {
    if (expected.equals(actual)) {
      return;
    }
    Set<String> keys = new TreeSet<>(expected.keySet());
    keys.addAll(actual.keySet());
    List<String> differences = keys.stream()
        .filter(k -> !Objects.equals(expected.get(k), actual.get(k)))
        .map(k -> k + ": expected " + expected.get(k) + ", this run " + actual.get(k))
        .toList();
    fail(what + " differ in " + differences.size() + " rows, " + detail + "\n  "
        + String.join("\n  ", differences.subList(0, Math.min(20, differences.size()))));
  }
}
