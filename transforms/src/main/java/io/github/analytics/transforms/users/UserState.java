package io.github.analytics.transforms.users;

/**
 * What the per-user stage keeps of one user besides the ids it deduplicates: each metric's state (null
 * when the metric keeps nothing), the ids it remembers (the first {@link #INLINE_IDS} of them), when
 * the stage's timer is set for, when the ids are swept next, and the user's latest event time.
 */
final class UserState {
  /** No time: the timer is not set, or no id waits for a sweep. */
  static final long NONE = Long.MIN_VALUE;

  /**
   * Ids kept in this object, up to this many a user; more go to the stage's map cell. Most users send
   * fewer events a horizon, so their deduplication reads and writes nothing but this object, while a
   * heavy user's ids are not re-encoded with it on every event by a serializing state backend.
   */
  static final int INLINE_IDS = 64;

  /** Recent event ids to the event time (millis) after which they may be forgotten. */
  final java.util.HashMap<String, Long> recentIds = new java.util.HashMap<>();
  /** Whether ids beyond {@link #INLINE_IDS} are in the map cell. */
  boolean idsOverflow;

  final Object[] metrics;
  long timerAt = NONE;
  long nextSweep = NONE;
  /** The latest event time of the user, from which the retention of idle state counts. */
  long lastEvent = NONE;

  UserState(int metrics) {
    this.metrics = new Object[metrics];
  }
}
