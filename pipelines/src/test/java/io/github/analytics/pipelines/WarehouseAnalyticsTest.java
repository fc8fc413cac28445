package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.generator.ArchiveWriter;
import io.github.analytics.pipelines.options.FlinkBatchSettings;
import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.generator.MmdbWriter;
import io.github.analytics.transforms.PipelineCounters;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warehouse analytics (first-seen days, retention cohorts, stickiness, lifecycle) over five
 * generated weeks, written by several batch runs that each read the others' days back from the
 * warehouse, against the independent SQL oracle of {@code WarehouseAnalyticsTest/oracle.sql} (checked
 * on hand-worked cases by {@code WarehouseOracleSqlTest}) computed over the warehouse's events.
 */
class WarehouseAnalyticsTest {
  /** Monday 2026-01-05 to Sunday 2026-02-08: five ISO weeks, across a month end. */
  private static final LocalDate FIRST = LocalDate.parse("2026-01-05");
  private static final LocalDate LAST = LocalDate.parse("2026-02-08");
  private static final LocalDate SPLIT = LocalDate.parse("2026-01-19");

  /** Table, the oracle's columns that the pipeline's table has too. */
  private static final String[][] TABLES = {
    {"user_first_seen", "user_id, event_type, first_seen_day"},
    {"retention_daily",
        "cohort_type, cohort_day, day_n, cohort_size, retained, retained_or_later, complete"},
    {"retention_weekly",
        "cohort_type, cohort_week, week_n, cohort_size, retained, retained_or_later, complete"},
    {"stickiness", "day, window_days, active_days, users_exactly, users_at_least, days_with_data"},
    {"user_lifecycle", "period, period_start, active_users, new_users, returning_users,"
        + " resurrecting_users, dormant_users"},
  };

  /** The keys of the attribution's rows; its sums of fractions are compared within 1e-6. */
  private static final String ATTRIBUTION_KEYS = "day, model, source, medium, campaign";

  @TempDir static Path dir;
  private static Path archive;
  private static Path geoDatabase;

  @BeforeAll
  static void generateFiveWeeks() throws Exception {
    archive = dir.resolve("archive");
    geoDatabase = dir.resolve("geo.mmdb");
    MmdbWriter.writeGeoFixture(geoDatabase);
    try (ArchiveWriter writer = ArchiveWriter.open(archive, "test")) {
      for (LocalDate day = FIRST; !day.isAfter(LAST); day = day.plusDays(1)) {
        // 300 users, each active on a day with their own probability: users return, pause and
        // come back, and some are first seen late in the month.
        // Seeds far apart: the generator's random streams of nearby seeds overlap (a seed of s + 1
        // draws the stream of s shifted by one), so days of seeds 5, 6, ... would share event ids.
        GeneratorConfig config = GeneratorConfig.forDay(day).withSeed(day.getDayOfYear() * 1_000_000_007L)
            .withEvents(400).withUsers(300).withMalformedShare(0);
        EventGenerator.of(config).generate(record -> writer.write(record.raw()));
      }
    }
  }

  private static BatchResult run(String db, LocalDate from, LocalDate to) throws Exception {
    // As `analytics batch` runs it on embedded Flink (FlinkDefaults.batch).
    List<String> args = FlinkBatchSettings.withEveryStepAtFullParallelism(List.of(
        "--archiveRoot=" + archive, "--fromDate=" + from, "--toDate=" + to,
        "--geoDatabase=" + geoDatabase, "--duckDbPath=" + dir.resolve(db),
        "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2", "--objectReuse=true",
        "--useDataStreamForBatch=true"));
    BatchPipelineOptions options = PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
        .withValidation().as(BatchPipelineOptions.class);
    BatchResult result = BatchPipeline.run(options);
    assertEquals(PipelineResult.State.DONE, result.state(), from + ".." + to);
    return result;
  }

  @Test
  void runsInAnyOrderThatReadEachOthersDaysEqualTheOracleAndReRunsChangeNothing() throws Exception {
    String db = "warehouse.duckdb";
    // The later weeks first, then a backfill of the earlier ones: users the first run saw first were
    // active before, and the backfill moves their first days back, rewriting the first-time cohorts,
    // first-seen rows and lifecycle of the 30 days after its own from the days it reads back.
    run(db, SPLIT, LAST);
    BatchResult earlier = run(db, FIRST, SPLIT.minusDays(1));
    assertEquals(0, earlier.counter(PipelineCounters.FIRST_SEEN_MOVED_EARLIER),
        "no first day moved by more than the 30 days a run rewrites");
    List<String> tables = assertEqualsOracle(db);
    // A middle day again, alone: it rewrites the cells it touches (60 days of cohorts, 28 days of
    // stickiness, the lifecycle of its weeks and the next, the purchases of 30 days) with the same
    // values.
    run(db, LocalDate.parse("2026-01-21"), LocalDate.parse("2026-01-21"));
    List<String> again = assertEqualsOracle(db);
    List<String> gone = new ArrayList<>(tables);
    gone.removeAll(again);
    List<String> added = new ArrayList<>(again);
    added.removeAll(tables);
    assertEquals(List.of(), gone.subList(0, Math.min(20, gone.size())), "rows a re-run removed; added: "
        + added.subList(0, Math.min(20, added.size())));
    assertEquals(tables, again);
  }

  /**
   * Every table equals the oracle's over the warehouse's events, row for row (the first-seen table
   * by its earliest row per user and event type); returns the rows in canonical form.
   */
  private static List<String> assertEqualsOracle(String db) throws Exception {
    List<String> all = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve(db));
        Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      SqlScripts.run(s, "/WarehouseAnalyticsTest/oracle.sql");
      SqlScripts.run(s, "/WarehouseAnalyticsTest/attribution.sql");
      assertTrue(count(s, "SELECT count(*) FROM oracle_retention_daily WHERE cohort_type = 'first_time'"
          + " AND day_n > 0 AND retained > 0") > 20, "returning users in first-time cohorts");
      assertTrue(count(s, "SELECT count(*) FROM oracle_user_lifecycle WHERE resurrecting_users > 0")
          > 5, "resurrecting users");
      assertTrue(count(s, "SELECT count(DISTINCT source) FROM oracle_revenue_attribution") > 3,
          "purchases credited to several channels");
      for (String[] table : TABLES) {
        String name = table[0];
        String ours = name.equals("user_first_seen")
            ? "SELECT user_id, event_type, min(first_seen_day) AS first_seen_day FROM user_first_seen"
                + " GROUP BY ALL"
            : "SELECT " + table[1] + " FROM " + name;
        String oracle = "SELECT " + table[1] + " FROM oracle_" + name;
        long rows = count(s, "SELECT count(*) FROM (" + oracle + ")");
        assertTrue(rows > 0, name + " has rows");
        assertEquals(rows, count(s, "SELECT count(*) FROM (" + ours + ")"), name + ": rows");
        String missing = sample(s, "(" + oracle + ") EXCEPT (" + ours + ")");
        String extra = sample(s, "(" + ours + ") EXCEPT (" + oracle + ")");
        assertEquals("", missing + extra,
            name + ": rows the oracle has and the pipeline not, then the other way round");
        all.addAll(rows(s, ours, name));
      }
      String keys = "SELECT " + ATTRIBUTION_KEYS + " FROM ";
      assertTrue(count(s, "SELECT count(*) FROM oracle_revenue_attribution") > 0, "attribution rows");
      assertEquals("", sample(s, "(" + keys + "oracle_revenue_attribution) EXCEPT (" + keys
              + "revenue_attribution)") + sample(s, "(" + keys + "revenue_attribution) EXCEPT (" + keys
              + "oracle_revenue_attribution)"),
          "revenue_attribution: keys the oracle has and the pipeline not, then the other way round");
      assertEquals("", sample(s, "SELECT " + ATTRIBUTION_KEYS + ", o.revenue, p.revenue, o.purchases,"
          + " p.purchases FROM oracle_revenue_attribution o JOIN revenue_attribution p USING ("
          + ATTRIBUTION_KEYS + ") WHERE abs(o.revenue - p.revenue) > 1e-6"
          + " OR abs(o.purchases - p.purchases) > 1e-9"), "revenue_attribution: credits");
      all.addAll(rows(s, "SELECT * FROM revenue_attribution", "revenue_attribution"));
    }
    return all;
  }

  /** A query's rows in canonical form, each prefixed with {@code name}, in order. */
  private static List<String> rows(Statement s, String query, String name) throws Exception {
    List<String> all = new ArrayList<>();
    try (ResultSet rs = s.executeQuery("SELECT * FROM (" + query + ") ORDER BY ALL")) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder(name);
        for (int i = 1; i <= columns; i++) {
          row.append('|').append(rs.getString(i));
        }
        all.add(row.toString());
      }
    }
    return all;
  }

  private static long count(Statement s, String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Up to five rows of a query, one per line; empty when it has none. */
  private static String sample(Statement s, String sql) throws Exception {
    StringBuilder out = new StringBuilder();
    try (ResultSet rs = s.executeQuery(sql + " LIMIT 5")) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= columns; i++) {
          out.append(i == 1 ? "" : "|").append(rs.getString(i));
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

}
