package io.github.analytics.generator;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Releases records in real time by their timestamps: a record received (in generated time) at {@code
 * t} goes out when the wall clock reaches {@code wallStart + (t - simulatedStart) / speedup}. At speedup
 * 1 and with {@code wallStart = simulatedStart} (what {@link LiveRun} does), every record goes out at
 * the instant it claims to have arrived; at speedup 60, one simulated hour passes in a wall-clock
 * minute.
 *
 * <pre>{@code
 * LivePacer pacer = LivePacer.of(windowStart, Instant.now(), 60);
 * for (GeneratedRecord record : generator) {
 *   pacer.acquire(record.receivedAtMillis());
 *   producer.write(record);
 * }
 * }</pre>
 *
 * <p>Unlike {@link Pacer}, it never rebases: a producer that falls behind is not made to wait, and sends
 * as fast as it can until it is back on schedule, so record times and wall clock stay tied together.
 * Not thread-safe; one per producer.
 */
public final class LivePacer {
  private final Instant simulatedStart;
  private final Instant wallStart;
  private final double speedup;
  private final InstantSource clock;
  private final Pacer.Sleeper sleeper;

  private LivePacer(
      Instant simulatedStart,
      Instant wallStart,
      double speedup,
      InstantSource clock,
      Pacer.Sleeper sleeper) {
    if (!(speedup >= 1) || Double.isInfinite(speedup)) {
      throw new IllegalArgumentException(
          "The speedup is " + speedup + ": use 1 (real time) or more, e.g. 60 for an hour a minute");
    }
    this.simulatedStart = Objects.requireNonNull(simulatedStart, "simulatedStart");
    this.wallStart = Objects.requireNonNull(wallStart, "wallStart");
    this.speedup = speedup;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  /**
   * A pacer on the system clock mapping {@code simulatedStart} (a record time) to {@code wallStart}.
   *
   * @param speedup how many times faster than real time, at least 1
   * @throws IllegalArgumentException if {@code speedup} is below 1, infinite or NaN
   */
  public static LivePacer of(Instant simulatedStart, Instant wallStart, double speedup) {
    return new LivePacer(
        simulatedStart, wallStart, speedup, InstantSource.system(), LockSupport::parkNanos);
  }

  /**
   * A pacer with its own clock and sleeper, for tests. {@code sleeper} may return early (the pacer
   * then checks the clock again), but the clock must move on eventually.
   */
  static LivePacer of(
      Instant simulatedStart,
      Instant wallStart,
      double speedup,
      InstantSource clock,
      Pacer.Sleeper sleeper) {
    return new LivePacer(simulatedStart, wallStart, speedup, clock, sleeper);
  }

  /** The wall-clock instant at which a record received at {@code receivedAtMillis} is due. */
  public Instant dueAt(long receivedAtMillis) {
    long offsetMillis = receivedAtMillis - simulatedStart.toEpochMilli();
    // Exact at speedup 1; rounded up otherwise, so a record never goes out early. A day of
    // nanoseconds (8.6e13) is well inside a double's exact integers.
    long offsetNanos = (long) Math.ceil(offsetMillis * 1_000_000d / speedup);
    return wallStart.plusNanos(offsetNanos);
  }

  /** Waits until the record received at {@code receivedAtMillis} is due; returns at once if it is. */
  public void acquire(long receivedAtMillis) {
    Instant due = dueAt(receivedAtMillis);
    Instant now = clock.instant();
    while (now.isBefore(due)) {
      sleeper.sleepNanos(Duration.between(now, due).toNanos());
      now = clock.instant();
    }
  }

  /** The simulated instant mapped to {@link #wallStart()}. */
  public Instant simulatedStart() {
    return simulatedStart;
  }

  /** The wall-clock instant at which {@link #simulatedStart()} is due. */
  public Instant wallStart() {
    return wallStart;
  }

  /** Simulated time per unit of wall-clock time. */
  public double speedup() {
    return speedup;
  }
}
