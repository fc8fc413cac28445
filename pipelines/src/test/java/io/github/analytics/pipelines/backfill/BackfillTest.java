package io.github.analytics.pipelines.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.generator.ArchiveWriter;
import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.generator.MmdbWriter;
import io.github.analytics.pipelines.BackfillOptions;
import io.github.analytics.pipelines.backfill.Backfill.DayOutcome;
import io.github.analytics.pipelines.backfill.Backfill.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backfills on Flink [local] over three generated days: a re-run skips what is complete, a day
 * whose archive gained files runs again (with the days that read its partition as late arrivals), a
 * forced re-run of a complete day leaves the warehouse exactly as it was, and a failing day is reported, does not stop
 * the others, and is the only one retried.
 */
class BackfillTest {
  private static final LocalDate FIRST = LocalDate.parse("2026-11-02");
  private static final LocalDate LAST = LocalDate.parse("2026-11-04");

  @TempDir static Path dir;
  private static Path geoDatabase;

  @BeforeAll
  static void geo() throws Exception {
    geoDatabase = dir.resolve("geo.mmdb");
    MmdbWriter.writeGeoFixture(geoDatabase);
  }

  /** Three generated days; each day's late arrivals land in the next day's partition. */
  private static Path archive(String name) throws Exception {
    Path root = dir.resolve(name);
    for (LocalDate day = FIRST; !day.isAfter(LAST); day = day.plusDays(1)) {
      generate(root, day, "gen-" + day, 100 + day.getDayOfMonth(), 1_200);
    }
    return root;
  }

  private static void generate(Path root, LocalDate day, String writer, long seed, int events) throws Exception {
    GeneratorConfig config =
        GeneratorConfig.forDay(day).withSeed(seed).withEvents(events).withUsers(200);
    try (ArchiveWriter out = ArchiveWriter.open(root, writer)) {
      EventGenerator.of(config).generate(record -> out.write(record.raw()));
    }
  }

  private static BackfillOptions options(Path archive, String db, String... extra) {
    return options(archive, db, FIRST, extra);
  }

  private static BackfillOptions options(Path archive, String db, LocalDate from, String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "--archiveRoot=" + archive,
        "--fromDate=" + from,
        "--toDate=" + LAST,
        "--geoDatabase=" + geoDatabase,
        "--duckDbPath=" + dir.resolve(db),
        // Flink [local]: the direct runner takes minutes per day (see BatchPipelineTest).
        // Parallelism 1: a day here is about 1,200 events, and each extra slot only adds exchanges.
        "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=1"));
    args.addAll(List.of(extra));
    return PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).withValidation()
        .as(BackfillOptions.class);
  }

  private static List<DayOutcome> backfill(BackfillOptions options, StringBuilder log) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<DayOutcome> outcomes;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      outcomes = Backfill.run(options, out);
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    System.out.print(text);
    log.setLength(0);
    log.append(text);
    return outcomes;
  }

  private static Map<LocalDate, Status> statuses(List<DayOutcome> outcomes) {
    Map<LocalDate, Status> statuses = new TreeMap<>();
    outcomes.forEach(o -> statuses.put(o.day(), o.status()));
    return statuses;
  }

  private static Map<LocalDate, Status> expect(Status second, Status third, Status fourth) {
    return new TreeMap<>(Map.of(FIRST, second, FIRST.plusDays(1), third, LAST, fourth));
  }

  @Test
  void reRunsSkipWhatIsCompleteAndReplaceWhatRuns() throws Exception {
    Path archive = archive("archive");
    StringBuilder log = new StringBuilder();
    String db = "warehouse.duckdb";

    List<DayOutcome> first = backfill(options(archive, db), log);
    assertEquals(expect(Status.DONE, Status.DONE, Status.DONE), statuses(first), log::toString);
    assertTrue(Backfill.succeeded(first));
    Path markers = dir.resolve(db + ".markers");
    for (LocalDate day = FIRST; !day.isAfter(LAST); day = day.plusDays(1)) {
      CompletionMarker marker = CompletionMarkers.at(markers.toString()).read(day).orElseThrow();
      // The marker's count comes from the job's counters; the table is counted by DuckDB.
      assertEquals(marker.counts().get("events_written"), eventsOn(dir.resolve(db), day), "events on " + day);
      assertTrue(marker.counts().get("events_written") > 1_000, "a day of events: " + marker);
    }
    Map<String, List<String>> once = snapshot(dir.resolve(db));
    assertTrue(once.keySet().containsAll(List.of("events", "dead_letters", "event_counts_per_minute", "sessions")),
        () -> once.keySet().toString());

    // The same command again: nothing to do, nothing changes.
    List<DayOutcome> again = backfill(options(archive, db), log);
    assertEquals(expect(Status.SKIPPED, Status.SKIPPED, Status.SKIPPED), statuses(again), log::toString);
    assertEquals(once, snapshot(dir.resolve(db)));

    // Late arrivals archived into 11-03 after the fact: 11-03 and 11-02 (which reads 11-03's partition
    // for its late arrivals) run again; 11-04 does not read it and is skipped.
    generate(archive, FIRST.plusDays(1), "late-batch", 99, 300);
    List<DayOutcome> afterLate = backfill(options(archive, db), log);
    assertEquals(expect(Status.DONE, Status.DONE, Status.SKIPPED), statuses(afterLate), log::toString);
    assertTrue(log.toString().contains("the archive changed"), log::toString);
    Map<String, List<String>> withLate = snapshot(dir.resolve(db));
    assertNotEquals(once.get("events"), withLate.get("events"), "the new events are in the warehouse");

    // --force on the last day: it runs although complete, and the warehouse is exactly what one run left.
    List<DayOutcome> forced = backfill(options(archive, db, LAST, "--force"), log);
    assertEquals(Map.of(LAST, Status.DONE), statuses(forced), log::toString);
    assertTrue(log.toString().contains("--force"), log::toString);
    assertEquals(withLate, snapshot(dir.resolve(db)));
  }

  @Test
  void aFailedDayIsReportedAndRetriedAlone() throws Exception {
    Path archive = dir.resolve("broken-archive");
    generate(archive, FIRST.plusDays(1), "gen-3", 3, 1_200);
    generate(archive, LAST, "gen-4", 4, 1_200);
    StringBuilder log = new StringBuilder();
    String db = "broken.duckdb";
    // A truncated upload in 11-04's partition. Without late-arrival days, 11-03 does not read it.
    Path bad = archive.resolve("dt=" + LAST + "/hour=12/upload-truncated.parquet");
    Files.createDirectories(bad.getParent());
    Files.write(bad, "PAR1 not a parquet file".getBytes(StandardCharsets.UTF_8));
    LocalDate from = FIRST.plusDays(1);

    List<DayOutcome> first = backfill(options(archive, db, from, "--lateArrivalDays=0"), log);
    Map<LocalDate, Status> expected = new TreeMap<>(Map.of(FIRST.plusDays(1), Status.DONE, LAST, Status.FAILED));
    assertEquals(expected, statuses(first), log::toString);
    assertFalse(Backfill.succeeded(first));
    assertTrue(log.toString().contains("1 failed"), log::toString);
    assertTrue(log.toString().contains("upload-truncated.parquet"), "the failure names the bad file: " + log);
    assertTrue(log.toString().contains("run the same command again"), log::toString);
    assertFalse(Files.exists(dir.resolve(db + ".markers/" + LAST + ".json")), "no marker for a failed day");

    // Repaired: only the failed day runs.
    Files.delete(bad);
    List<DayOutcome> retry = backfill(options(archive, db, from, "--lateArrivalDays=0"), log);
    expected = new TreeMap<>(Map.of(FIRST.plusDays(1), Status.SKIPPED, LAST, Status.DONE));
    assertEquals(expected, statuses(retry), log::toString);
    assertTrue(Backfill.succeeded(retry));
    assertTrue(eventsOn(dir.resolve(db), LAST) > 1_000, "events on " + LAST);
  }

  private static long eventsOn(Path db, LocalDate day) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      try (ResultSet rs = s.executeQuery(
          "SELECT count(*) FROM events WHERE CAST(event_timestamp AS DATE) = DATE '" + day + "'")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Every table's rows, sorted, as text. */
  private static Map<String, List<String>> snapshot(Path db) throws Exception {
    Map<String, List<String>> tables = new TreeMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      List<String> names = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables")) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
      for (String table : names) {
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT * FROM " + table + " ORDER BY ALL")) {
          ResultSetMetaData meta = rs.getMetaData();
          while (rs.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
              Object value = rs.getObject(i);
              row.append(value instanceof byte[] b ? java.util.HexFormat.of().formatHex(b) : String.valueOf(value))
                  .append('|');
            }
            rows.add(row.toString());
          }
        }
        tables.put(table, rows);
      }
    }
    try (Stream<Path> staging = Files.list(Path.of(db + ".staging"))) {
      assertEquals(0, staging.count(), "staging files left behind");
    } catch (java.nio.file.NoSuchFileException e) {
      // nothing staged
    }
    return tables;
  }
}
