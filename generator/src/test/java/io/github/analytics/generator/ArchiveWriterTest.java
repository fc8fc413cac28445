package io.github.analytics.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.schemas.ArchiveSchema;
import io.github.analytics.schemas.RawEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveWriterTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 27);
  private static final GeneratorConfig SMALL_DAY =
      GeneratorConfig.forDay(DAY).withEvents(20_000).withUsers(2_000).withLateShare(0.03);

  @TempDir Path dir;

  @Test
  void duckDbCountsPerHourPartitionMatchTheGenerator() throws Exception {
    Path root = dir.resolve("archive");
    List<RawEvent> written = new ArrayList<>();
    GenerationSummary summary;
    try (ArchiveWriter archive =
        ArchiveWriter.open(ArchiveWriterOptions.of(root, "42").withMaxRecordsPerFile(300))) {
      summary =
          EventGenerator.of(SMALL_DAY)
              .generate(
                  record -> {
                    archive.write(record.raw());
                    written.add(record.raw());
                  });
    }
    assertTrue(summary.recordsPerHour().size() > 24, "late events should reach the next day");

    Map<Instant, Long> counted = new TreeMap<>();
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = db.createStatement();
        ResultSet rows =
            sql.executeQuery(
                "SELECT CAST(dt AS VARCHAR) AS dt, CAST(hour AS INTEGER) AS hour, count(*) AS n"
                    + " FROM read_parquet('" + root + "/**/*.parquet', hive_partitioning=true)"
                    + " GROUP BY ALL ORDER BY ALL")) {
      while (rows.next()) {
        Instant hour =
            LocalDate.parse(rows.getString("dt")).atTime(rows.getInt("hour"), 0).toInstant(ZoneOffset.UTC);
        counted.put(hour, rows.getLong("n"));
      }
    }
    assertEquals(summary.recordsPerHour(), counted);

    // Every file holds only records received inside its own hour partition.
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = db.createStatement();
        ResultSet rows =
            sql.executeQuery(
                "SELECT filename, min(epoch_ms(received_at)) AS lo, max(epoch_ms(received_at)) AS hi,"
                    + " count(*) AS n, count(DISTINCT source) AS sources, min(source) AS source"
                    + " FROM read_parquet('" + root + "/**/*.parquet', filename=true) GROUP BY filename")) {
      int files = 0;
      while (rows.next()) {
        Path file = Path.of(rows.getString("filename"));
        String dt = file.getParent().getParent().getFileName().toString();
        String hour = file.getParent().getFileName().toString();
        long start =
            LocalDateTime.of(LocalDate.parse(dt.substring(3)), java.time.LocalTime.of(Integer.parseInt(hour.substring(5)), 0))
                .toInstant(ZoneOffset.UTC)
                .toEpochMilli();
        assertTrue(rows.getLong("lo") >= start && rows.getLong("hi") < start + 3_600_000, file.toString());
        assertTrue(rows.getLong("n") <= 300, "file not rolled: " + file);
        assertEquals("generator", rows.getString("source"));
        assertEquals(1, rows.getInt("sources"));
        assertTrue(file.getFileName().toString().matches("part-42-\\d{5}\\.parquet"), file.toString());
        files++;
      }
      assertTrue(files > summary.recordsPerHour().size(), "expected rolled files, got " + files);
    }

    // Files in the order they were started hold the input in order, byte for byte.
    List<RawEvent> read = new ArrayList<>();
    try (Stream<Path> paths = Files.walk(root)) {
      List<Path> files = paths.filter(p -> p.toString().endsWith(".parquet")).sorted().collect(Collectors.toList());
      for (Path file : files) {
        read.addAll(readAll(file).stream().map(ArchiveSchema::fromRecord).collect(Collectors.toList()));
      }
    }
    assertEquals(written.size(), read.size());
    for (int i = 0; i < written.size(); i++) {
      assertArrayEquals(written.get(i).getPayload(), read.get(i).getPayload(), "record " + i);
      assertEquals(written.get(i).getReceivedAt(), read.get(i).getReceivedAt());
    }
  }

  @Test
  void rewritingIsDeterministicAndReplacesOnlyThisWritersFiles() throws Exception {
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");
    writeDay(first, "7");
    writeDay(second, "7");
    List<Path> files = relativeFiles(first);
    assertEquals(files, relativeFiles(second));
    for (Path file : files) {
      assertArrayEquals(Files.readAllBytes(first.resolve(file)), Files.readAllBytes(second.resolve(file)), file.toString());
    }

    Path partition = first.resolve(files.get(0)).getParent();
    Path stale = partition.resolve(ArchiveWriter.fileName("7", 99));
    Path foreign = partition.resolve(ArchiveWriter.fileName("other", 0));
    Files.copy(first.resolve(files.get(0)), stale);
    Files.copy(first.resolve(files.get(0)), foreign);
    writeDay(first, "7");
    assertFalse(Files.exists(stale), "a file of an earlier run with the same writer id survived");
    assertTrue(Files.exists(foreign), "another writer's file was deleted");
    assertArrayEquals(Files.readAllBytes(second.resolve(files.get(0))), Files.readAllBytes(first.resolve(files.get(0))));
  }

  @Test
  void writesAnOlderSchemaVersionForCompatibilityTests() throws Exception {
    Schema v1 = ArchiveSchema.version(1);
    Path root = dir.resolve("v1");
    RawEvent event =
        RawEvent.of("{\"a\":1}".getBytes(StandardCharsets.UTF_8), new org.joda.time.Instant(1_764_237_600_123L), "generator");
    try (ArchiveWriter archive =
        ArchiveWriter.open(
            ArchiveWriterOptions.of(root, "1")
                .withSchema(
                    v1,
                    raw -> {
                      GenericRecord record = new GenericData.Record(v1);
                      record.put("payload", ByteBuffer.wrap(raw.getPayload()));
                      record.put("received_at", raw.getReceivedAt().getMillis());
                      return record;
                    }))) {
      archive.write(event);
      assertEquals(1, archive.records());
      assertEquals(
          root.resolve("dt=2025-11-27/hour=10/part-1-00000.parquet"), archive.files().get(0));
    }
    List<GenericRecord> records = readAll(root.resolve("dt=2025-11-27/hour=10/part-1-00000.parquet"));
    assertEquals(1, records.size());
    assertFalse(records.get(0).hasField("source"));
    RawEvent back = ArchiveSchema.fromRecord(records.get(0));
    assertArrayEquals(event.getPayload(), back.getPayload());
    assertEquals(event.getReceivedAt(), back.getReceivedAt());
    assertNull(back.getSource());
  }

  @Test
  void unorderedInputContinuesAClosedHourInANewFile() throws Exception {
    Path root = dir.resolve("unordered");
    long base = Instant.parse("2026-11-27T00:00:00Z").toEpochMilli();
    long[] arrivals = {base, base + 3_600_000, base + 7_200_000, base + 60_000};
    try (ArchiveWriter archive = ArchiveWriter.open(ArchiveWriterOptions.of(root, "x").withMaxOpenFiles(1))) {
      for (long arrival : arrivals) {
        archive.write(RawEvent.of(new byte[] {'{', '}'}, new org.joda.time.Instant(arrival), null));
      }
    }
    assertTrue(Files.exists(root.resolve("dt=2026-11-27/hour=00/part-x-00000.parquet")));
    assertTrue(Files.exists(root.resolve("dt=2026-11-27/hour=00/part-x-00001.parquet")));
    assertEquals(1, readAll(root.resolve("dt=2026-11-27/hour=00/part-x-00001.parquet")).size());
  }

  @Test
  void badOptionsAreRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ArchiveWriter.open(dir, "a/b"));
    assertTrue(e.getMessage().contains("writerId"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> ArchiveWriter.open(ArchiveWriterOptions.of(dir, "a").withMaxRecordsPerFile(0)));
  }

  private static void writeDay(Path root, String writerId) throws IOException {
    try (ArchiveWriter archive =
        ArchiveWriter.open(ArchiveWriterOptions.of(root, writerId).withMaxRecordsPerFile(5_000))) {
      EventGenerator.of(SMALL_DAY.withEvents(5_000).withSeed(3)).generate(record -> archive.write(record.raw()));
    }
  }

  private static List<Path> relativeFiles(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(Files::isRegularFile).map(root::relativize).sorted().collect(Collectors.toList());
    }
  }

  private static List<GenericRecord> readAll(Path file) throws IOException {
    List<GenericRecord> records = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file))
            .withConf(new PlainParquetConfiguration())
            .build()) {
      for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
        records.add(record);
      }
    }
    return records;
  }
}
