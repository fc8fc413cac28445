package io.github.analytics.transforms.users;

/**
 * What the per-user stage keeps of one user besides the ids it deduplicates: each metric's state (null
 * when the metric keeps nothing), when the stage's timer is set for, when the ids are swept next, and
 * the user's latest event time.
 */
final class UserState {
  /** No time: the timer is not set, or no id waits for a sweep. */
  static final long NONE = Long.MIN_VALUE;

  final Object[] metrics;
  long timerAt = NONE;
  long nextSweep = NONE;
  /** The latest event time of the user, from which the retention of idle state counts. */
  long lastEvent = NONE;

  UserState(int metrics) {
    this.metrics = new Object[metrics];
  }
}
