package io.github.analytics.schemas;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldName;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * One record exactly as it reached the platform: the bytes the collector published to Kafka, the time
 * it arrived, and where it came from. This is what the Parquet archive keeps (the master dataset of the
 * Lambda architecture), so the batch layer can re-parse everything, including what was dead-lettered.
 *
 * <p>{@code received_at} is the collector's (or broker's) arrival time. It decides the archive partition
 * {@code dt=YYYY-MM-DD/hour=HH}; event time is decided later, by parsing.
 */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class RawEvent implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The payload bytes as received: normally one JSON object, but anything may arrive. */
  @SchemaFieldNumber("0")
  @SchemaFieldName("payload")
  @SuppressWarnings("mutable")
  public abstract byte[] getPayload();

  /** Arrival time at the collector or broker. */
  @SchemaFieldNumber("1")
  @SchemaFieldName("received_at")
  public abstract Instant getReceivedAt();

  /** Where the record came from, for example {@code kafka:events/3@1042} or {@code generator}. */
  @SchemaFieldNumber("2")
  @SchemaFieldName("source")
  public abstract @Nullable String getSource();

  public static RawEvent of(byte[] payload, Instant receivedAt, @Nullable String source) {
    return new AutoValue_RawEvent(payload, receivedAt, source);
  }

  public static RawEvent ofJson(String json, Instant receivedAt) {
    return of(json.getBytes(StandardCharsets.UTF_8), receivedAt, null);
  }
}
