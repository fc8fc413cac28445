package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.generator.ArchiveWriter;
import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.transforms.PipelineCounters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile corpus ({@code testdata/hostile}) as a day of the Parquet archive, through the whole
 * batch layer on the direct runner into DuckDB: the run finishes, its summary's equations hold
 * (read = valid + dead-lettered, valid = written + other days + duplicates), the counters per
 * reason are the corpus's, and the warehouse's dead letters are the corpus's dead letters, each
 * with its reason and its payload byte for byte. The expectations come from the corpus file alone.
 */
class HostileCorpusBatchTest {
  private static final Path CSV = Path.of("..", "testdata", "hostile", "corpus.csv");
  /** Every record of the corpus arrives then (see its README). */
  private static final Instant RECEIVED = Instant.parse("2026-11-27T10:00:02.000Z");

  @TempDir Path dir;

  @Test
  void theCorpusThroughTheBatchLayerIsAccountedFor() throws Exception {
    Path archive = dir.resolve("archive");
    Map<String, String> expectedDeadLetters = new TreeMap<>();
    Map<DeadLetterReason, Long> byReason = new EnumMap<>(DeadLetterReason.class);
    long records = 0;
    long valid = 0;
    try (ArchiveWriter writer = ArchiveWriter.open(archive, "test")) {
      List<String> lines = Files.readAllLines(CSV, StandardCharsets.UTF_8);
      for (String line : lines.subList(1, lines.size())) {
        // id,category,payload_base64,outcome,reason,why
        String[] cells = line.split(",", 6);
        String source = "hostile:" + cells[0];
        writer.write(RawEvent.of(Base64.getDecoder().decode(cells[2]), RECEIVED, source));
        records++;
        if (cells[3].equals("VALID")) {
          valid++;
        } else {
          expectedDeadLetters.put(source, cells[4] + " " + cells[2]);
          byReason.merge(DeadLetterReason.valueOf(cells[4]), 1L, Long::sum);
        }
      }
    }
    assertTrue(records >= 200, "records: " + records);

    BatchPipelineOptions options =
        PipelineOptionsFactory.fromArgs(
                "--runner=DirectRunner",
                "--archiveRoot=" + archive,
                "--fromDate=2026-11-27",
                "--duckDbPath=" + dir.resolve("warehouse.duckdb"))
            .withValidation()
            .as(BatchPipelineOptions.class);
    BatchResult result = BatchPipeline.run(options);

    assertEquals(PipelineResult.State.DONE, result.state());
    assertEquals(records, result.counter(PipelineCounters.PARSE_INPUT), "records read");
    assertEquals(valid, result.counter(PipelineCounters.PARSE_VALID), "valid");
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      assertEquals(
          (long) byReason.getOrDefault(reason, 0L),
          result.counter(PipelineCounters.deadLetterCounterName(reason)),
          reason.name());
    }
    assertEquals(records - valid, result.deadLetters(), "dead-lettered");
    assertEquals(0, result.counter(PipelineCounters.DUPLICATES_DROPPED), "ids are all different");
    // Valid records of other days: the event times in 0001 and 9999.
    assertTrue(result.counter(BatchPipeline.EVENTS_FOR_OTHER_DAYS) > 0);
    assertTrue(result.accountedFor(), "read = valid + dead-lettered, valid = written + other days + duplicates");

    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + result.warehouseLocation());
        Statement s = c.createStatement()) {
      Map<String, String> deadLetters = new TreeMap<>();
      try (ResultSet rs = s.executeQuery("SELECT source, reason, payload FROM dead_letters")) {
        while (rs.next()) {
          String previous =
              deadLetters.put(
                  rs.getString(1),
                  rs.getString(2) + " " + Base64.getEncoder().encodeToString(rs.getBytes(3)));
          assertEquals(null, previous, "twice: " + rs.getString(1));
        }
      }
      assertEquals(expectedDeadLetters, deadLetters);
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
        rs.next();
        assertEquals(result.eventsWritten(), rs.getLong(1), "events table rows");
      }
    }
  }
}
