package io.github.analytics.generator;

/** What a generated record is meant to be. */
public enum RecordKind {
  /** A valid event, received 50 ms to 2 s after it happened. */
  ON_TIME,
  /** A valid event received 1 to 6 hours after it happened (an offline client catching up). */
  LATE,
  /**
   * A client retry: the JSON of an earlier {@link #ON_TIME} or {@link #LATE} record with the same {@code
   * event_id}, only {@code server_timestamp} differs; received 1 to 30 s after the original.
   */
  DUPLICATE,
  /** A record that a parser must dead-letter, for the reason {@link GeneratedRecord#intendedReason()}. */
  MALFORMED
}
