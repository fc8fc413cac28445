package io.github.analytics.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

class ArchiveSchemaTest {
  @Test
  void everyOlderVersionIsReadableWithTheCurrentOne() {
    // Avro's own compatibility check is the judge: a reader of the current schema must read every
    // file ever written, so each version may only add optional fields with defaults.
    for (int version = 1; version <= ArchiveSchema.CURRENT_VERSION; version++) {
      SchemaCompatibility.SchemaPairCompatibility result =
          SchemaCompatibility.checkReaderWriterCompatibility(
              ArchiveSchema.current(), ArchiveSchema.version(version));
      assertEquals(
          SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE,
          result.getType(),
          "archive schema v" + version + ": " + result.getDescription());
    }
  }

  @Test
  void fieldsAreNeverRemovedOrRetyped() {
    for (int version = 1; version < ArchiveSchema.CURRENT_VERSION; version++) {
      Schema older = ArchiveSchema.version(version);
      Schema newer = ArchiveSchema.version(version + 1);
      for (Schema.Field field : older.getFields()) {
        Schema.Field kept = newer.getField(field.name());
        assertTrue(kept != null, "v" + (version + 1) + " removed " + field.name());
        assertEquals(field.schema(), kept.schema(), "v" + (version + 1) + " retyped " + field.name());
      }
    }
  }

  @Test
  void roundTripsARawEventAndReadsAV1RecordWithoutSource() {
    RawEvent raw = RawEvent.of(new byte[] {(byte) 0xC3, 0x28, '{'}, new Instant(1_795_766_400_123L), "kafka:events/3@1042");
    RawEvent back = ArchiveSchema.fromRecord(ArchiveSchema.toRecord(raw));
    assertEquals(raw, back);
    assertArrayEquals(raw.getPayload(), back.getPayload(), "bytes kept, even when not UTF-8");

    GenericRecord v1 = new GenericData.Record(ArchiveSchema.version(1));
    v1.put("payload", ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8)));
    v1.put("received_at", 1_795_766_400_000L);
    RawEvent old = ArchiveSchema.fromRecord(v1);
    assertNull(old.getSource());
    assertEquals(new Instant(1_795_766_400_000L), old.getReceivedAt());
  }

  @Test
  void unknownVersionsAreRefusedWithTheValidRange() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ArchiveSchema.version(99));
    assertTrue(e.getMessage().contains("1 to " + ArchiveSchema.CURRENT_VERSION), e.getMessage());
  }
}
