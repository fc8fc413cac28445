package io.github.analytics.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The versioned Avro schema of the Parquet archive, and the conversion between its records and {@link
 * RawEvent}.
 *
 * <p>Rules for a new version: add fields only, each optional with a default; never rename, retype or
 * remove one. Readers read each file with the schema it was written with and convert it with {@link
 * #fromRecord}, which leaves the fields an older version lacks null. Every version stays in {@code
 * avro/raw_event.vN.avsc} so a test can prove that partitions written with it still read.
 */
public final class ArchiveSchema {
  /** The version that writers use now. */
  public static final int CURRENT_VERSION = 2;

  private static final Schema CURRENT = version(CURRENT_VERSION);

  private ArchiveSchema() {}

  /** The current archive schema. */
  public static Schema current() {
    return CURRENT;
  }

  /** The archive schema as it was at {@code version} (1 up to {@link #CURRENT_VERSION}). */
  public static Schema version(int version) {
    if (version < 1 || version > CURRENT_VERSION) {
      throw new IllegalArgumentException(
          "Archive schema version " + version + " does not exist; versions are 1 to " + CURRENT_VERSION);
    }
    String resource = "/avro/raw_event.v" + version + ".avsc";
    try (InputStream in = ArchiveSchema.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Missing " + resource + " on the classpath");
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + resource, e);
    }
  }

  /** Converts a {@link RawEvent} to a record of the current schema. */
  public static GenericRecord toRecord(RawEvent raw) {
    GenericRecord record = new GenericData.Record(CURRENT);
    record.put("payload", ByteBuffer.wrap(raw.getPayload()));
    record.put("received_at", raw.getReceivedAt().getMillis());
    record.put("source", raw.getSource());
    return record;
  }

  /**
   * Converts an archive record of any version to a {@link RawEvent}. Fields an older version lacks come
   * back as null.
   */
  public static RawEvent fromRecord(GenericRecord record) {
    Object payload = record.get("payload");
    byte[] bytes;
    if (payload instanceof ByteBuffer) {
      ByteBuffer buffer = ((ByteBuffer) payload).duplicate();
      bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
    } else if (payload instanceof byte[]) {
      bytes = (byte[]) payload;
    } else {
      throw new IllegalArgumentException(
          "Archive record has no bytes in 'payload' (found " + payload + "): is this an archive file?");
    }
    Object receivedAt = record.get("received_at");
    long millis;
    if (receivedAt instanceof Long) {
      millis = (Long) receivedAt;
    } else if (receivedAt instanceof java.time.Instant) {
      millis = ((java.time.Instant) receivedAt).toEpochMilli();
    } else {
      throw new IllegalArgumentException(
          "Archive record has no timestamp in 'received_at' (found " + receivedAt + ")");
    }
    return RawEvent.of(bytes, new Instant(millis), optionalString(record, "source"));
  }

  private static @Nullable String optionalString(GenericRecord record, String field) {
    if (!record.hasField(field)) {
      return null;
    }
    Object value = record.get(field);
    return value == null ? null : value.toString();
  }
}
