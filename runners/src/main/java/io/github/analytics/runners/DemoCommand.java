package io.github.analytics.runners;

import io.github.analytics.generator.ArchiveWriter;
import io.github.analytics.generator.EventGenerator;
import io.github.analytics.generator.GenerationSummary;
import io.github.analytics.generator.GeneratorConfig;
import io.github.analytics.generator.MmdbWriter;
import io.github.analytics.pipelines.BatchPipeline;
import io.github.analytics.pipelines.BatchPipelineOptions;
import io.github.analytics.pipelines.BatchReport;
import io.github.analytics.pipelines.BatchResult;
import io.github.analytics.pipelines.MetricsReport;
import io.github.analytics.pipelines.WarehouseReport;
import io.github.analytics.pipelines.io.DuckDbWarehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code analytics demo}: the Lambda architecture on a laptop. Starts the local stack (Kafka, Redis),
 * streams a live window of generated traffic through the streaming pipeline on embedded Flink,
 * printing live numbers from Redis, then runs the batch pipeline over the archive the streaming job
 * wrote and prints both layers side by side ({@link LambdaDemo}). With {@code --batch-only}: generates
 * {@code --days} whole days into the archive and runs the batch layer alone over them, with the
 * warehouse analytics (retention, lifecycle, attribution).
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "The local Lambda demo: starts Kafka and Redis on loopback, streams a window of generated"
          + " traffic through the streaming pipeline (embedded Flink) with live numbers every 10 s,"
          + " then runs the batch pipeline over the archive it wrote and reconciles the two layers."
          + " Needs no cluster and no cloud account; needs redis-server (apt-get install -y"
          + " redis-server). --batch-only runs the batch layer on whole generated days instead (two"
          + " weeks ending on --date), with retention cohorts, lifecycle and revenue attribution."
    })
final class DemoCommand implements Callable<Integer> {
  /** The embedded runners the demo can use. */
  enum Runner {
    FLINK,
    SPARK,
    DIRECT
  }

  @Option(names = "--date", description = "The UTC day to generate and process (default: yesterday).")
  LocalDate date = LocalDate.now(ZoneOffset.UTC).minusDays(1);

  @Option(names = "--events", defaultValue = "200000", description = "Valid events to generate (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(names = "--users", defaultValue = "10000", description = "Distinct users (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--seed", defaultValue = "42", description = "Generator seed; the same seed gives the same day (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--data-dir", defaultValue = "data", description = "Where the archive, GeoIP database and warehouse go (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--runner", defaultValue = "FLINK", description = "Embedded runner: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Runner runner;

  @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism of the embedded runner (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(names = "--batch-only", description = "Generate whole days into the archive and run only the batch layer (no Kafka, no Redis).")
  boolean batchOnly;

  @Option(names = "--days", defaultValue = "14",
      description = "With --batch-only: how many days to generate, ending on --date; --events are spread"
          + " evenly over them (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(names = "--live-from", paramLabel = "HH:mm", defaultValue = "13:30",
      description = "Where in the generated day the live window starts; the day's error burst is at 14:00 (default: ${DEFAULT-VALUE}).")
  LocalTime liveFrom;

  @Option(names = "--duration", defaultValue = "PT1H",
      description = "Simulated length of the live window, ISO-8601 (default: ${DEFAULT-VALUE}).")
  java.time.Duration duration;

  @Option(names = "--speedup", defaultValue = "60",
      description = "Simulated time per unit of wall-clock time: 60 streams an hour in a minute (default: ${DEFAULT-VALUE}).")
  double speedup;

  @Option(names = "--report-every", defaultValue = "PT10S",
      description = "How often to print live numbers, ISO-8601 (default: ${DEFAULT-VALUE}).")
  java.time.Duration reportEvery;

  @Option(names = "--kafka-direct", description = "Publish the generated records straight to Kafka instead of"
      + " through the collector (POST /v1/native in batches of 100, as an app would).")
  boolean kafkaDirect;

  @Option(names = "--dashboard-port", defaultValue = "8090",
      description = "Port of the live dashboard page and query API on 127.0.0.1; a free one if it is taken"
          + " (default: ${DEFAULT-VALUE}).")
  int dashboardPort;

  @Option(names = "--no-serve", description = "Stop when the demo is done instead of serving the dashboard"
      + " (with Kafka and Redis) until Ctrl-C.")
  boolean noServe;

  @Override
  public Integer call() throws Exception {
    return batchOnly ? batchOnly() : lambda();
  }

  private int lambda() throws Exception {
    Path dir = dataDir.resolve("lambda");
    Path geo = dataDir.resolve("geo/GeoIP2-City-synthetic.mmdb");
    deleteTree(dir);
    System.out.printf("%n[1/5] Writing a synthetic GeoIP2 City database for the generated IPs: %s%n", geo);
    Files.createDirectories(geo.getParent());
    MmdbWriter.writeGeoFixture(geo);
    GeneratorConfig config = GeneratorConfig.forDay(date).withSeed(seed).withEvents(events)
        .withUsers(users).withAnomalyAt(LocalTime.of(14, 0));
    return new LambdaDemo(config, liveFrom, duration, speedup, reportEvery, dir, geo,
        runnerArgs(), parallelism, !kafkaDirect, dashboardPort, !noServe).run();
  }

  private List<String> runnerArgs() {
    return switch (runner) {
      case FLINK -> List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=" + parallelism);
      case SPARK -> List.of("--runner=SparkRunner", "--sparkMaster=local[" + parallelism + "]");
      // One thread: with several, the direct runner was seen firing a key's event-time timer before
      // all of its bounded input had arrived, which breaks the funnels (see TrackFunnelsTest).
      case DIRECT -> List.of("--runner=DirectRunner", "--targetParallelism=1");
    };
  }

  private int batchOnly() throws Exception {
    Path archive = dataDir.resolve("archive");
    Path geo = dataDir.resolve("geo/GeoIP2-City-synthetic.mmdb");
    Path warehouse = dataDir.resolve("warehouse.duckdb");

    if (days < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--days must be at least 1, got " + days);
    }
    LocalDate first = date.minusDays(days - 1);
    System.out.printf(Locale.ROOT, "%n[1/3] Generating %,d events over %d day(s), %s to %s (seed %d), into %s%n",
        events, days, first, date, seed, archive);
    long started = System.nanoTime();
    long records = 0;
    long valid = 0;
    long duplicates = 0;
    long malformed = 0;
    long late = 0;
    try (ArchiveWriter writer = ArchiveWriter.open(archive, "demo")) {
      for (int i = 0; i < days; i++) {
        LocalDate day = first.plusDays(i);
        deleteDay(archive, day);
        // Each day its own seed, far from the others': the generator's streams of nearby seeds overlap.
        GeneratorConfig config = GeneratorConfig.forDay(day).withSeed(seed + i * 1_000_000_007L)
            .withEvents(events / days + (i < events % days ? 1 : 0)).withUsers(users)
            .withAnomalyAt(LocalTime.of(14, 0));
        GenerationSummary generated = EventGenerator.of(config).generate(record -> writer.write(record.raw()));
        records += generated.totalRecords();
        valid += generated.validEvents();
        duplicates += generated.duplicates();
        malformed += generated.malformed();
        late += generated.lateEvents();
      }
    }
    System.out.printf(Locale.ROOT, "      %,d records (%,d valid, %,d duplicates, %,d malformed, %,d late) in %.1f s%n",
        records, valid, duplicates, malformed, late, (System.nanoTime() - started) / 1e9);

    System.out.printf("%n[2/3] Writing a synthetic GeoIP2 City database for the generated IPs: %s%n", geo);
    Files.createDirectories(geo.getParent());
    MmdbWriter.writeGeoFixture(geo);

    System.out.printf(Locale.ROOT, "%n[3/3] Running the batch pipeline on %s (parallelism %d)...%n", runner, parallelism);
    List<String> args = new ArrayList<>(List.of(
        "--archiveRoot=" + archive,
        "--fromDate=" + first,
        "--toDate=" + date,
        "--geoDatabase=" + geo,
        "--duckDbPath=" + warehouse,
        // The generated shop's pages refer to each other: navigation, not touchpoints.
        "--ownHosts=" + GeneratorConfig.SITE_HOST));
    // As `analytics batch` runs it.
    args.addAll(SparkDefaults.batch(FlinkDefaults.batch(runnerArgs())));
    PipelineOptionsFactory.register(BatchPipelineOptions.class);
    BatchPipelineOptions options = PipelineOptionsFactory.fromArgs(args.toArray(String[]::new))
        .withValidation().as(BatchPipelineOptions.class);
    BatchResult result = BatchPipeline.run(options);
    // The date range is the archive's days; a few late events of the day before sit in them too.
    System.out.print(BatchReport.render(result,
        DuckDbWarehouse.countBy(result.warehouseLocation(), BatchPipeline.EVENTS_TABLE, "event_type",
            "event_timestamp", result.range())));
    if (result.state() == PipelineResult.State.DONE) {
      System.out.print(MetricsReport.render(result.warehouseLocation(), result.range()));
      System.out.print(WarehouseReport.render(result.warehouseLocation(), result.range()));
    }
    System.out.printf("%nQuery it (no DuckDB install needed):%n"
        + "  ./analytics sql \"SELECT event_type, count(*) AS events, count(DISTINCT user_id) AS users"
        + " FROM events GROUP BY 1 ORDER BY 2 DESC\"%n"
        + "  ./analytics sql \"SELECT reason, count(*), any_value(message) FROM dead_letters GROUP BY 1\"%n"
        + "  ./analytics sql \"SELECT country, device_type, count(*) FROM events GROUP BY ALL ORDER BY 3 DESC\"%n"
        + "  ./analytics sql \"SELECT * FROM funnel_conversion ORDER BY funnel, day, step\"%n"
        + "  ./analytics sql \"SELECT * FROM retention_weekly WHERE cohort_type = 'first_time'"
        + " ORDER BY cohort_week, week_n\"%n"
        + "  ./analytics sql \"SELECT model, source, medium, round(sum(revenue), 2) FROM"
        + " revenue_attribution GROUP BY ALL ORDER BY 1, 4 DESC\"%n"
        + "  ./analytics sql \"SELECT window_start, sum(event_count) FROM event_counts_per_minute"
        + " GROUP BY 1 ORDER BY 2 DESC LIMIT 5\"%n"
        + "Or with the DuckDB CLI: duckdb %s%n", warehouse.toAbsolutePath());
    return result.state() == PipelineResult.State.DONE && result.accountedFor() ? 0 : 1;
  }

  /** A re-run starts the day afresh: an earlier run's files must not add to this one's. */
  private static void deleteDay(Path archive, LocalDate day) throws Exception {
    deleteTree(archive.resolve("dt=" + day));
  }

  private static void deleteTree(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
