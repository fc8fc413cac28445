package io.github.analytics.bench;

import io.github.analytics.generator.ArchiveWriter;
import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.generator.MmdbWriter;
import io.github.analytics.pipelines.BatchPipeline;
import io.github.analytics.pipelines.BatchPipelineOptions;
import io.github.analytics.pipelines.options.FlinkBatchSettings;
import io.github.analytics.pipelines.options.S3Settings;
import io.github.analytics.pipelines.BatchResult;
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
 * Batch: a generated day of N events in the Parquet archive, through the batch pipeline (ingest, every
 * metric of the catalog, the DuckDB warehouse) on each runner, beside DuckDB SQL computing the same
 * outputs over the same files. Throughput counts every archive record read (malformed ones and
 * duplicates included), over the wall time of the whole run including job start and warehouse load.
 */
public final class BatchSection implements Section {
  public static final String NAME = "batch";
  /** The generated day. */
  static final LocalDate DAY = LocalDate.parse("2026-11-27");
  static final long SEED = 7L;
  /** Issue 6: a billion-event day in under two core-hours. */
  static final double TARGET_EVENTS_PER_SECOND_PER_CORE = 150_000;
  /** Issue 6: within 25x of DuckDB, vectorised and columnar, the practical limit on the machine. */
  static final double TARGET_DUCKDB_RATIO = 25;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "Batch: the batch pipeline on Flink and Spark beside DuckDB SQL";
  }

  @Override
  public String description() {
    return "A generated day in the Parquet archive (1% malformed, 2% retried, 1% late), through"
        + " `BatchPipeline` (parse, dedupe, enrich, every metric of the catalog, DuckDB warehouse) on"
        + " each runner embedded in the bench JVM, beside DuckDB SQL over the same files computing the"
        + " same checks, dedupe, per-minute counts, hourly distinct users (approx_count_distinct) and"
        + " 30-minute-gap sessions. DuckDB does no geo or user-agent enrichment. Throughput is archive"
        + " records over wall time, job start and warehouse load included; per core divides by the"
        + " machine's cores, which every runner and DuckDB are given. Each runner then runs the same"
        + " job a second time in the same, now warm JVM: the first run is what a fresh `analytics"
        + " batch` costs (about a third of it JIT compilation at a million events), the second what the"
        + " job itself does.";
  }

  @Override
  public List<Measurement> run(BenchContext context) throws Exception {
    BenchSettings settings = context.settings();
    int cores = context.cores();
    Path archive = context.workDir().resolve("archive");
    Path geoDatabase = context.workDir().resolve("geo.mmdb");
    List<Measurement> rows = new ArrayList<>();

    // Spark's web UI would take a port and CPU inside the timed run; nobody looks at it here.
    if (System.getProperty("spark.ui.enabled") == null) {
      System.setProperty("spark.ui.enabled", "false");
    }

    // 1. Generate the day (with a GeoIP database matching its addresses, as the demo does).
    context.log(NAME, "generating %,d events for %,d users into %s", settings.batchEvents(),
        settings.batchUsers(), archive);
    MmdbWriter.writeGeoFixture(geoDatabase);
    GeneratorConfig config = GeneratorConfig.forDay(DAY).withSeed(SEED)
        .withEvents(settings.batchEvents()).withUsers(settings.batchUsers()).validate();
    long generateStarted = System.nanoTime();
    long records;
    try (ArchiveWriter writer = ArchiveWriter.open(archive, "bench")) {
      EventGenerator.of(config).generate(record -> writer.write(record.raw()));
      records = writer.records();
    }
    double generateSeconds = seconds(generateStarted);
    rows.add(Measurement.of(NAME, "archive records", records, Measurement.EVENTS)
        .withNote(String.format(Locale.ROOT, "%,d valid events, %,d users, seed %d, day %s; written in %.1f s",
            settings.batchEvents(), settings.batchUsers(), SEED, DAY, generateSeconds)));

    // 2. The baseline: DuckDB SQL over the same files.
    context.log(NAME, "DuckDB SQL over %,d records", records);
    DuckDbBaseline.Result duck =
        DuckDbBaseline.run(archive, DAY, context.workDir().resolve("baseline.duckdb"), cores);
    if (duck.records() != records) {
      throw new IllegalStateException("DuckDB read " + duck.records() + " records but " + records
          + " were written to " + archive + ": delete the work directory and run again");
    }
    double duckRate = records / duck.seconds();
    rows.add(Measurement.of(NAME, "DuckDB SQL: time", duck.seconds(), Measurement.SECONDS)
        .withNote(String.format(Locale.ROOT, "%d threads; %,d records dead-lettered", cores,
            duck.deadLetters())));
    rows.add(Measurement.of(NAME, "DuckDB SQL: events/s", duckRate, Measurement.EVENTS_PER_SECOND));
    rows.add(Measurement.of(NAME, "DuckDB SQL: events/s per core", duckRate / cores,
        Measurement.EVENTS_PER_SECOND_PER_CORE).withNote("baseline"));

    // 3. The batch pipeline on each runner, timed, then checked against DuckDB's answer.
    for (BatchRunner runner : settings.batchRunners()) {
      context.log(NAME, "batch pipeline on %s over %,d records", runner.label(), records);
      String name = runner.name().toLowerCase(Locale.ROOT);
      long started = System.nanoTime();
      BatchResult result = run(runner, cores, archive, geoDatabase, context.workDir().resolve(name + ".duckdb"));
      double seconds = seconds(started);
      long read = result.counter(PipelineCounters.PARSE_INPUT);
      String label = runner.label();
      if (read != records) {
        throw new IllegalStateException(label + " read " + read + " records but the archive holds " + records
            + ": the pipeline dropped input; this is a bug, not a benchmark result");
      }
      double rate = read / seconds;
      rows.add(Measurement.of(NAME, label + ": time", seconds, Measurement.SECONDS)
          .withNote(String.format(Locale.ROOT, "%s%s; %,d records read", String.join(" ", runner.args(cores)),
              runner == BatchRunner.FLINK ? " " + FlinkBatchSettings.AUTO_PARALLELISM + "=false" : "",
              read)));
      rows.add(Measurement.of(NAME, label + ": events/s", rate, Measurement.EVENTS_PER_SECOND));
      rows.add(Measurement.of(NAME, label + ": events/s per core", rate / cores,
              Measurement.EVENTS_PER_SECOND_PER_CORE)
          .withTarget(Target.atLeast(TARGET_EVENTS_PER_SECOND_PER_CORE))
          .withNote("a billion-event day in under two core-hours"));
      rows.add(Measurement.of(NAME, label + ": DuckDB is this many times faster", seconds / duck.seconds(),
              Measurement.TIMES)
          .withTarget(Target.atMost(TARGET_DUCKDB_RATIO)));
      // Sanity: a fast wrong answer is no result. The day's events summed over the per-minute counts
      // must agree with DuckDB's, up to the events whose kept copy is the runner's choice.
      long pipelineTotal;
      long pipelineSessions;
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + result.warehouseLocation());
          Statement s = c.createStatement()) {
        pipelineTotal = DuckDbBaseline.queryLong(s,
            "SELECT coalesce(sum(event_count), 0) FROM event_counts_per_minute");
        pipelineSessions = DuckDbBaseline.queryLong(s, "SELECT count(*) FROM sessions");
      }
      rows.add(Measurement.of(NAME, label + ": per-minute total minus DuckDB's",
              Math.abs(pipelineTotal - duck.perMinuteTotal()), Measurement.EVENTS)
          .withTarget(Target.atMost(duck.ambiguous()))
          .withNote(String.format(Locale.ROOT, "sanity: pipeline %,d, DuckDB %,d; up to %,d may differ"
              + " (copies with different event times)", pipelineTotal, duck.perMinuteTotal(), duck.ambiguous())));
      rows.add(Measurement.of(NAME, label + ": sessions minus DuckDB's",
              Math.abs(pipelineSessions - duck.sessions()), "sessions")
          .withNote(String.format(Locale.ROOT, "information only: pipeline %,d, DuckDB %,d",
              pipelineSessions, duck.sessions())));
      // 4. The same job again in this JVM, now warm (classes loaded, code compiled): what the job
      //    itself costs, without the JIT's share of a first run (about a third at a million events).
      context.log(NAME, "batch pipeline on %s again, in the warm JVM", label);
      long again = System.nanoTime();
      run(runner, cores, archive, geoDatabase, context.workDir().resolve(name + "-warm.duckdb"));
      double warmSeconds = seconds(again);
      rows.add(Measurement.of(NAME, label + ": second run in the same JVM: time", warmSeconds,
              Measurement.SECONDS)
          .withNote("classes loaded and code compiled by the first run; the first run is what a fresh"
              + " `analytics batch` costs"));
      rows.add(Measurement.of(NAME, label + ": second run: events/s per core", read / warmSeconds / cores,
              Measurement.EVENTS_PER_SECOND_PER_CORE));
      rows.add(Measurement.of(NAME, label + ": second run: DuckDB is this many times faster",
              warmSeconds / duck.seconds(), Measurement.TIMES));
      // 5. With --batch-floor: the same job cut down and built up again, in the warm JVM.
      if (settings.batchFloor()) {
        context.log(NAME, "the batch job on %s cut down to its first steps and built up again", label);
        Path floorWarehouse = context.workDir().resolve(name + "-floor.duckdb");
        for (BatchFloor.Run floor : BatchFloor.runAll(
            () -> options(runner, cores, archive, geoDatabase, floorWarehouse), records)) {
          context.log(NAME, "%s, cut-down job: %s: %.1f s", label, floor.description(), floor.seconds());
          rows.add(Measurement.of(NAME, label + ", warm, cut-down job: " + floor.description()
                      + ": events/s per core", read / floor.seconds() / cores,
                      Measurement.EVENTS_PER_SECOND_PER_CORE)
                  .withNote(String.format(Locale.ROOT, "%.1f s for the same %,d records, job build"
                      + " included; %,d reached its end; the pipeline does this and more",
                      floor.seconds(), read, floor.reached())));
        }
      }
    }
    return rows;
  }

  /** Runs the batch pipeline over the day on {@code runner} into {@code warehouse}, as the CLI would. */
  private static BatchResult run(
      BatchRunner runner, int cores, Path archive, Path geoDatabase, Path warehouse) throws Exception {
    BatchResult result = BatchPipeline.run(options(runner, cores, archive, geoDatabase, warehouse));
    if (result.state() != PipelineResult.State.DONE) {
      throw new IllegalStateException("The batch pipeline on " + runner.label() + " ended " + result.state()
          + ": see the log above, and run it alone with `./analytics batch --fromDate=" + DAY
          + " --archiveRoot=" + archive + " " + String.join(" ", runner.args(cores)) + "`");
    }
    return result;
  }

  /** The options of the batch pipeline over the day on {@code runner}, as the CLI would set them. */
  private static BatchPipelineOptions options(
      BatchRunner runner, int cores, Path archive, Path geoDatabase, Path warehouse) {
    List<String> args = new ArrayList<>(List.of(
        "--archiveRoot=" + archive, "--fromDate=" + DAY, "--geoDatabase=" + geoDatabase,
        "--duckDbPath=" + warehouse,
        // As a deployment configures attribution: the site's own pages are not referrers.
        "--ownHosts=" + GeneratorConfig.SITE_HOST));
    args.addAll(runner.args(cores));
    // As `analytics batch` runs it: no probe of the EC2 metadata service for an unused region.
    args = S3Settings.withoutRegionProbe(args);
    // As `analytics batch` runs it on embedded Flink: every step at the job's parallelism.
    args = FlinkBatchSettings.withEveryStepAtFullParallelism(args);
    return PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
        .withValidation().as(BatchPipelineOptions.class);
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }
}
