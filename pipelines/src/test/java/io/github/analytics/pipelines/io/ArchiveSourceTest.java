package io.github.analytics.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.analytics.pipelines.options.DateRange;
import io.github.analytics.schemas.ArchiveSchema;
import io.github.analytics.schemas.RawEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.values.PCollection;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestPipelineExtension.class)
class ArchiveSourceTest {
  private static final Instant V1_TIME = Instant.parse("2026-11-26T23:59:59.999Z");
  private static final Instant V2_TIME = Instant.parse("2026-11-27T05:00:00Z");

  /** Writes records of the given schema version, as a writer of that time would have. */
  private static void writeParquet(Path file, Schema schema, List<GenericRecord> records)
      throws Exception {
    Files.createDirectories(file.getParent());
    try (ParquetWriter<GenericRecord> writer =
        AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file)).withSchema(schema).build()) {
      for (GenericRecord record : records) {
        writer.write(record);
      }
    }
  }

  private static GenericRecord v1(String payload, Instant receivedAt) {
    GenericRecord record = new GenericData.Record(ArchiveSchema.version(1));
    record.put("payload", ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)));
    record.put("received_at", receivedAt.getMillis());
    return record;
  }

  @Test
  void readsPartitionsWrittenBeforeAFieldWasAdded(@TempDir Path root, TestPipeline pipeline)
      throws Exception {
    writeParquet(
        root.resolve("dt=2026-11-26/hour=23/part-0.parquet"),
        ArchiveSchema.version(1),
        List.of(v1("{\"old\":1}", V1_TIME)));
    writeParquet(
        root.resolve("dt=2026-11-27/hour=05/part-0.parquet"),
        ArchiveSchema.current(),
        List.of(ArchiveSchema.toRecord(RawEvent.of("{\"new\":2}".getBytes(StandardCharsets.UTF_8), V2_TIME, "kafka:events/0@7"))));
    // A day outside the range must not be read.
    writeParquet(
        root.resolve("dt=2026-11-28/hour=00/part-0.parquet"),
        ArchiveSchema.current(),
        List.of(ArchiveSchema.toRecord(RawEvent.ofJson("{\"outside\":3}", V2_TIME.plus(86_400_000L)))));

    DateRange range = new DateRange(LocalDate.parse("2026-11-26"), LocalDate.parse("2026-11-27"));
    PCollection<RawEvent> raw = pipeline.apply(ArchiveSource.read(root.toString(), range));
    PAssert.that(raw)
        .containsInAnyOrder(
            RawEvent.of("{\"old\":1}".getBytes(StandardCharsets.UTF_8), V1_TIME, null),
            RawEvent.of("{\"new\":2}".getBytes(StandardCharsets.UTF_8), V2_TIME, "kafka:events/0@7"));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void listsTheDaysThatHaveNoFiles(@TempDir Path root) throws Exception {
    writeParquet(
        root.resolve("dt=2026-11-27/hour=05/part-0.parquet"),
        ArchiveSchema.current(),
        List.of(ArchiveSchema.toRecord(RawEvent.ofJson("{}", V2_TIME))));
    DateRange range = new DateRange(LocalDate.parse("2026-11-26"), LocalDate.parse("2026-11-28"));
    assertEquals(
        List.of(LocalDate.parse("2026-11-26"), LocalDate.parse("2026-11-28")),
        ArchiveSource.missingDays(root.toString(), range));
  }
}
