package io.github.analytics.bench;

import io.github.analytics.generator.ArchiveWriter;
import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.generator.MmdbWriter;
import io.github.analytics.pipelines.BatchPipeline;
import io.github.analytics.pipelines.BatchPipelineOptions;
import io.github.analytics.pipelines.BatchResult;
import io.github.analytics.pipelines.options.FlinkBatchSettings;
import io.github.analytics.pipelines.options.S3Settings;
import io.github.analytics.transforms.PipelineCounters;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Warehouse: a generated month in the Parquet archive through the whole batch layer, the warehouse
 * analytics included (retention cohorts, stickiness, lifecycle, attribution), in one run over the 30
 * days; then the last day again alone, as the daily batch runs it, reading the other days back from
 * the warehouse.
 */
public final class WarehouseSection implements Section {
  public static final String NAME = "warehouse";
  static final LocalDate FIRST = LocalDate.parse("2026-10-29");
  static final int DAYS = 30;
  static final long SEED = 11L;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "Warehouse: a generated month through the whole batch layer, analytics included";
  }

  @Override
  public String description() {
    return "30 generated days (half the batch section's events in all: 5M at full size, 250k quick;"
        + " users three times a day's share, so that some are new late in the month) in the Parquet"
        + " archive, through `BatchPipeline` on Flink embedded in the bench JVM in one run over the"
        + " month: parse, dedupe, enrich, every metric of the catalog and the warehouse analytics"
        + " (first-seen days, daily and weekly retention cohorts, stickiness, lifecycle, touchpoints and"
        + " revenue attribution), into DuckDB. Then the month's last day alone, as a daily batch runs"
        + " it: it reads the days its cohorts, windows and purchases need back from the warehouse and"
        + " rewrites them. Throughput is archive records over wall time, job start and warehouse load"
        + " included.";
  }

  @Override
  public List<Measurement> run(BenchContext context) throws Exception {
    BenchSettings settings = context.settings();
    int cores = context.cores();
    Path archive = context.workDir().resolve("month");
    Path geoDatabase = context.workDir().resolve("geo.mmdb");
    Path warehouse = context.workDir().resolve("month.duckdb");
    long events = settings.batchEvents() / 2;
    long perDay = events / DAYS;
    int users = BenchSettings.usersFor(perDay) * 3;
    LocalDate last = FIRST.plusDays(DAYS - 1);
    List<Measurement> rows = new ArrayList<>();

    context.log(NAME, "generating %,d events over %d days for %,d users into %s", perDay * DAYS, DAYS,
        users, archive);
    MmdbWriter.writeGeoFixture(geoDatabase);
    long generateStarted = System.nanoTime();
    long records;
    long lastDayRecords = 0;
    try (ArchiveWriter writer = ArchiveWriter.open(archive, "bench")) {
      for (int i = 0; i < DAYS; i++) {
        long before = writer.records();
        // Seeds far apart: the generator's streams of nearby seeds overlap.
        GeneratorConfig config = GeneratorConfig.forDay(FIRST.plusDays(i))
            .withSeed(SEED + i * 1_000_000_007L).withEvents(perDay).withUsers(users).validate();
        EventGenerator.of(config).generate(record -> writer.write(record.raw()));
        if (i == DAYS - 1) {
          lastDayRecords = writer.records() - before;
        }
      }
      records = writer.records();
    }
    rows.add(Measurement.of(NAME, "archive records", records, Measurement.EVENTS)
        .withNote(String.format(Locale.ROOT, "%,d valid events a day, %,d users, %s to %s; written in"
            + " %.1f s", perDay, users, FIRST, last, seconds(generateStarted))));

    context.log(NAME, "batch pipeline on Flink over the %d days", DAYS);
    long started = System.nanoTime();
    BatchResult month = run(cores, archive, geoDatabase, warehouse, FIRST, last);
    double seconds = seconds(started);
    long read = month.counter(PipelineCounters.PARSE_INPUT);
    if (read != records) {
      throw new IllegalStateException("The month's run read " + read + " records but the archive holds "
          + records + ": the pipeline dropped input; this is a bug, not a benchmark result");
    }
    rows.add(Measurement.of(NAME, "the month in one run: time", seconds, Measurement.SECONDS)
        .withNote(String.join(" ", BatchRunner.FLINK.args(cores))));
    rows.add(Measurement.of(NAME, "the month in one run: events/s", read / seconds,
        Measurement.EVENTS_PER_SECOND));
    rows.add(Measurement.of(NAME, "the month in one run: events/s per core", read / seconds / cores,
        Measurement.EVENTS_PER_SECOND_PER_CORE));

    context.log(NAME, "the last day, %s, alone", last);
    long dayStarted = System.nanoTime();
    run(cores, archive, geoDatabase, warehouse, last, last);
    double daySeconds = seconds(dayStarted);
    rows.add(Measurement.of(NAME, "its last day again, alone: time", daySeconds, Measurement.SECONDS)
        .withNote(String.format(Locale.ROOT, "%,d archive records; it rewrites 30 days of cohorts and"
            + " attribution and 28 of stickiness from what it reads back", lastDayRecords)));

    // Sanity: the tables are there and add up.
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        Statement s = c.createStatement()) {
      long cells = DuckDbBaseline.queryLong(s, "SELECT count(*) FROM retention_daily");
      long lifecycleErrors = DuckDbBaseline.queryLong(s, "SELECT count(*) FROM user_lifecycle"
          + " WHERE active_users <> new_users + returning_users + resurrecting_users");
      long attributionGap = Math.round(queryDouble(s, "SELECT coalesce(max(abs(total -"
          + " (SELECT sum(revenue) FROM user_touchpoints WHERE kind = 'purchase'))), 0) FROM"
          + " (SELECT model, sum(revenue) AS total FROM revenue_attribution GROUP BY model)"));
      rows.add(Measurement.of(NAME, "retention cells", cells, "cells")
          .withNote(String.format(Locale.ROOT, "%,d users first seen in the month",
              DuckDbBaseline.queryLong(s, "SELECT count(DISTINCT user_id) FROM user_first_seen"))));
      rows.add(Measurement.of(NAME, "lifecycle rows that do not add up", lifecycleErrors, "rows")
          .withTarget(Target.atMost(0)));
      rows.add(Measurement.of(NAME, "attribution: largest model total minus the purchases' revenue",
              attributionGap, "currency units")
          .withTarget(Target.atMost(0)).withNote("each model credits the whole revenue"));
    }
    return rows;
  }

  private static BatchResult run(int cores, Path archive, Path geoDatabase, Path warehouse,
      LocalDate from, LocalDate to) throws Exception {
    List<String> args = new ArrayList<>(List.of(
        "--archiveRoot=" + archive, "--fromDate=" + from, "--toDate=" + to,
        "--geoDatabase=" + geoDatabase, "--duckDbPath=" + warehouse,
        "--ownHosts=" + GeneratorConfig.SITE_HOST));
    args.addAll(BatchRunner.FLINK.args(cores));
    args = S3Settings.withoutRegionProbe(args);
    // As `analytics batch` runs it on embedded Flink: every step at the job's parallelism.
    args = FlinkBatchSettings.withEveryStepAtFullParallelism(args);
    BatchPipelineOptions options = PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
        .withValidation().as(BatchPipelineOptions.class);
    BatchResult result = BatchPipeline.run(options);
    if (result.state() != PipelineResult.State.DONE) {
      throw new IllegalStateException("The batch pipeline over " + from + ".." + to + " ended "
          + result.state() + ": see the log above");
    }
    return result;
  }

  private static double queryDouble(Statement s, String sql) throws java.sql.SQLException {
    try (java.sql.ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getDouble(1);
    }
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }
}
