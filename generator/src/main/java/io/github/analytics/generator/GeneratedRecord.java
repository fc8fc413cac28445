package io.github.analytics.generator;

import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.schemas.RawEvent;
import java.util.Objects;
import java.util.Optional;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * One record from {@link EventGenerator}: the {@link RawEvent} a collector would publish, plus what the
 * generator meant it to be, so tests can check a pipeline against the truth.
 */
public final class GeneratedRecord {
  private final byte[] payload;
  private final long receivedAtMillis;
  private final long runArrivalMillis;
  private final long sequence;
  private final RecordKind kind;
  private final @Nullable String eventType;
  private final @Nullable DeadLetterReason intendedReason;
  private final boolean anomalous;

  GeneratedRecord(
      byte[] payload,
      long receivedAtMillis,
      long runArrivalMillis,
      long sequence,
      RecordKind kind,
      @Nullable String eventType,
      @Nullable DeadLetterReason intendedReason,
      boolean anomalous) {
    this.payload = payload;
    this.receivedAtMillis = receivedAtMillis;
    this.runArrivalMillis = runArrivalMillis;
    this.sequence = sequence;
    this.kind = Objects.requireNonNull(kind, "kind");
    this.eventType = eventType;
    this.intendedReason = intendedReason;
    this.anomalous = anomalous;
  }

  /** The record as the platform receives it; {@code source} is {@link EventGenerator#SOURCE}. */
  public RawEvent raw() {
    return RawEvent.of(payload, new Instant(receivedAtMillis), EventGenerator.SOURCE);
  }

  /** The payload bytes (shared, do not modify). */
  @SuppressWarnings("mutable")
  public byte[] payload() {
    return payload;
  }

  /** Arrival time, epoch milliseconds UTC; equal to the payload's {@code server_timestamp}. */
  public long receivedAtMillis() {
    return receivedAtMillis;
  }

  /** What the record is meant to be. */
  public RecordKind kind() {
    return kind;
  }

  /** The event type of a valid event or duplicate; empty for malformed records. */
  public Optional<String> eventType() {
    return Optional.ofNullable(eventType);
  }

  /** For {@link RecordKind#MALFORMED} records, the one reason a parser must give; otherwise empty. */
  public Optional<DeadLetterReason> intendedReason() {
    return Optional.ofNullable(intendedReason);
  }

  /** Whether this is one of the extra error events of the configured burst. */
  public boolean anomalous() {
    return anomalous;
  }

  /**
   * Arrival on the generator's own clock: before any time shift or compression. Orders and buckets
   * the records inside a run.
   */
  long runArrivalMillis() {
    return runArrivalMillis;
  }

  /** Generation order; breaks ties between records received in the same millisecond. */
  long sequence() {
    return sequence;
  }

  @Override
  public String toString() {
    return "GeneratedRecord{kind="
        + kind
        + (eventType == null ? "" : ", eventType=" + eventType)
        + (intendedReason == null ? "" : ", intendedReason=" + intendedReason)
        + ", receivedAt="
        + Formats.timestamp(receivedAtMillis)
        + ", bytes="
        + payload.length
        + "}";
  }
}
