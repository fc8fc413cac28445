package io.github.analytics.schemas;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldName;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * A record that could not be turned into an event, with everything needed to understand and replay it:
 * the original payload byte for byte, a machine-readable reason, a human-readable message, and the step
 * that rejected it.
 */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class DeadLetter implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The original payload, unchanged (it may not be valid UTF-8). */
  @SchemaFieldNumber("0")
  @SchemaFieldName("payload")
  @SuppressWarnings("mutable")
  public abstract byte[] getPayload();

  /** The reason code, one of {@link DeadLetterReason}'s names. */
  @SchemaFieldNumber("1")
  @SchemaFieldName("reason")
  public abstract String getReason();

  /** What exactly was wrong, for a person reading it. */
  @SchemaFieldNumber("2")
  @SchemaFieldName("message")
  public abstract String getMessage();

  /** The step that rejected the record, for example {@code ParseEvents}. */
  @SchemaFieldNumber("3")
  @SchemaFieldName("step")
  public abstract String getStep();

  @SchemaFieldNumber("4")
  @SchemaFieldName("received_at")
  public abstract Instant getReceivedAt();

  @SchemaFieldNumber("5")
  @SchemaFieldName("source")
  public abstract @Nullable String getSource();

  public DeadLetterReason getReasonCode() {
    return DeadLetterReason.valueOf(getReason());
  }

  /** A dead letter of a step after the parser, whose payload is not the record as received. */
  public static DeadLetter of(
      byte[] payload,
      DeadLetterReason reason,
      String message,
      String step,
      Instant receivedAt,
      @Nullable String source) {
    return new AutoValue_DeadLetter(payload, reason.name(), message, step, receivedAt, source);
  }

  public static DeadLetter of(
      RawEvent raw, DeadLetterReason reason, String message, String step) {
    return new AutoValue_DeadLetter(
        raw.getPayload(), reason.name(), message, step, raw.getReceivedAt(), raw.getSource());
  }
}
