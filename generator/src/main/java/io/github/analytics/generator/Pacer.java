package io.github.analytics.generator;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Holds a producer to a steady rate: call {@link #acquire()} before each record and it waits just long
 * enough that record {@code n} goes out no earlier than {@code n / rate} seconds after the first. A
 * producer that falls behind is not made to catch up in a burst beyond what it lost. A rate of 0 means
 * as fast as possible.
 */
public final class Pacer {
  /** Waits for a number of nanoseconds; replaceable in tests. */
  public interface Sleeper {
    void sleepNanos(long nanos);
  }

  private final double nanosPerRecord;
  private final LongSupplier clock;
  private final Sleeper sleeper;
  private long start = Long.MIN_VALUE;
  private long records;

  private Pacer(double recordsPerSecond, LongSupplier clock, Sleeper sleeper) {
    if (recordsPerSecond < 0 || Double.isNaN(recordsPerSecond)) {
      throw new IllegalArgumentException(
          "The rate is " + recordsPerSecond + " records/s: use 0 (unlimited) or more");
    }
    this.nanosPerRecord = recordsPerSecond == 0 ? 0 : 1e9 / recordsPerSecond;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** A pacer at {@code recordsPerSecond} (0: unlimited) on the system clock. */
  public static Pacer of(double recordsPerSecond) {
    return new Pacer(recordsPerSecond, System::nanoTime, LockSupport::parkNanos);
  }

  /** A pacer with its own clock and sleeper, for tests. */
  static Pacer of(double recordsPerSecond, LongSupplier clock, Sleeper sleeper) {
    return new Pacer(recordsPerSecond, clock, sleeper);
  }

  /** Waits until the next record may go out. */
  public void acquire() {
    if (nanosPerRecord == 0) {
      return;
    }
    long now = clock.getAsLong();
    if (start == Long.MIN_VALUE) {
      start = now;
    }
    long due = start + (long) (records * nanosPerRecord);
    if (due > now) {
      sleeper.sleepNanos(due - now);
    } else if (now - due > 1_000_000_000L) {
      // More than a second behind: start counting afresh rather than bursting to catch up.
      start = now;
      records = 0;
    }
    records++;
  }
}
