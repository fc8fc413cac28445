package io.github.analytics.generator;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code generate}: writes synthetic product events for one or more UTC days, plus the MaxMind DB that
 * geolocates their IPs.
 *
 * <pre>
 * java -cp analytics-generator.jar:... io.github.analytics.generator.GenerateCommand \
 *     --date 2026-11-27 --events 1000000 --users 50000 --format BOTH --out data --anomaly-at 14:00
 * </pre>
 *
 * <p>With {@code --live}, part of the day is replayed as if it were happening now (see {@link LiveRun}):
 *
 * <pre>
 * ... GenerateCommand --date 2026-11-27 --live --live-from 13:30 --duration PT1H --speedup 60 \
 *     --kafka localhost:9092 --format NONE
 * </pre>
 *
 * <p>Writes {@code <out>/archive/dt=.../hour=.../part-<seed>-NNNNN.parquet} and/or {@code
 * <out>/events-YYYY-MM-DD.jsonl}, and {@code <out>/geo/GeoIP2-City-synthetic.mmdb}; prints progress per
 * hour of arrival and a summary with the rate. Several days run in one archive writer, so late events of
 * one day land next to the following day's records. Exit code 0 on success, 2 for bad options, 1 if
 * writing fails.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description =
        "Generates deterministic synthetic product events (same seed and options, same bytes) into a"
            + " Parquet archive and/or JSON Lines, and a matching synthetic GeoIP2 City database.")
public final class GenerateCommand implements Callable<Integer> {
  /** The file name of the geolocation database under {@code <out>/geo}. */
  public static final String GEO_DB_FILE = "GeoIP2-City-synthetic.mmdb";


  @Spec private CommandSpec spec;

  @Option(
      names = "--date",
      paramLabel = "YYYY-MM-DD",
      description = "First UTC day to generate (default: yesterday, UTC).")
  private LocalDate date;

  @Option(names = "--days", defaultValue = "1", description = "Number of consecutive days.")
  private int days;

  @Option(names = "--seed", defaultValue = "42",
      description = "Seed of every random choice of the first day; day N of --days uses seed + N *"
          + " 1000000007, so days share their users but no event id.")
  private long seed;

  @Option(
      names = "--events",
      defaultValue = "200000",
      description = "Approximate number of valid events per day (duplicates and malformed come on top).")
  private long events;

  @Option(names = "--users", defaultValue = "10000", description = "Number of users.")
  private int users;

  @Option(
      names = "--malformed-share",
      defaultValue = "0.01",
      description = "Fraction of all records that are malformed.")
  private double malformedShare;

  @Option(
      names = "--duplicate-share",
      defaultValue = "0.02",
      description = "Fraction of valid events sent twice (client retries).")
  private double duplicateShare;

  @Option(
      names = "--late-share",
      defaultValue = "0.01",
      description = "Fraction of valid events arriving 1 to 6 hours late.")
  private double lateShare;

  @Option(
      names = "--touchpoint-share",
      defaultValue = "0.35",
      description =
          "Fraction of sessions whose first page view carries a campaign touchpoint (utm_source,"
              + " utm_medium, utm_campaign, or only a referrer URL); 0 for none. Changes nothing else.")
  private double touchpointShare;

  @Option(
      names = "--anomaly-at",
      paramLabel = "HH:mm",
      description = "Start (UTC) of a 10-minute burst of errors at ~20x the normal rate (default: none).")
  private LocalTime anomalyAt;

  @Option(
      names = "--time-compression",
      defaultValue = "1",
      paramLabel = "N",
      description =
          "Write each day N times faster: every timestamp's distance from 00:00 UTC is divided by N,"
              + " so the day's traffic fills 1/N of a day of event time (a load test's backlog as dense"
              + " as a busier app's stream). 1 is real time; not with --live, which has --speedup.")
  private int timeCompression;

  @Option(names = "--out", defaultValue = "./data", description = "Output directory.")
  private Path out;

  @Option(
      names = "--format",
      defaultValue = "PARQUET",
      description = "What to write: ${COMPLETION-CANDIDATES}.")
  private OutputFormat format;

  @Option(
      names = "--geo-db",
      paramLabel = "FILE",
      description = "Where to write the synthetic GeoIP2 City database (default: <out>/geo/" + GEO_DB_FILE + ").")
  private Path geoDb;

  @Option(
      names = "--max-records-per-file",
      defaultValue = "1000000",
      description = "Parquet records per part file before rolling to the next.")
  private long maxRecordsPerFile;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description =
          "Records per second to write at, as a live source would (0: as fast as possible).")
  double rate;

  @Option(
      names = "--kafka",
      paramLabel = "HOST:PORT",
      description =
          "Also publish every record to Kafka at these bootstrap servers, keyed by user_id, with the"
              + " arrival time as the record timestamp (see `analytics stack`). With --format NONE, only"
              + " to Kafka.")
  String kafka;

  @Option(names = "--topic", defaultValue = "events", description = "The Kafka topic for --kafka.")
  String topic;

  @Option(
      names = "--live",
      description =
          "Replay part of the day as if it were happening now, for a streaming pipeline: shift every"
              + " timestamp so that --live-from on --date falls on the current time (to the second),"
              + " keep only the records arriving within --duration of it, and send each when its"
              + " time comes. One day only; not with --rate. JSON Lines go to events-<today>.jsonl.")
  boolean live;

  @Option(
      names = "--live-from",
      paramLabel = "HH:mm",
      defaultValue = "13:30",
      description = "With --live: the time of day (UTC, on --date) that is replayed from now on.")
  LocalTime liveFrom;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      defaultValue = "PT1H",
      converter = DurationConverter.class,
      description =
          "With --live: how much of the day to replay, in simulated time; ISO-8601 (PT1H, PT90M) or"
              + " short (60m, 1h30m, 45s).")
  Duration duration;

  @Option(
      names = "--speedup",
      paramLabel = "X",
      defaultValue = "1",
      description =
          "With --live: how many times faster than real time (1: real time; 60: a simulated hour per"
              + " minute). Record timestamps then run ahead of the wall clock.")
  double speedup;

  private final Clock clock;

  /** A command whose default {@code --date} is yesterday by the system clock (UTC). */
  public GenerateCommand() {
    this(Clock.systemUTC());
  }

  GenerateCommand(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Runs the command and exits with its exit code. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new GenerateCommand()).execute(args));
  }

  /**
   * Day {@code d} of the run: the first day with {@code --seed}, each next one with a seed of its own
   * (as the demo and the benches do), so days do not repeat each other's event ids (a streaming job
   * would drop a repeated day as retries). User ids are the same every day: users come back.
   */
  static GeneratorConfig day(GeneratorConfig base, LocalDate first, int d) {
    return base.withDay(first.plusDays(d)).withSeed(base.seed() + d * 1_000_000_007L);
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter console = spec.commandLine().getOut();
    Instant now = clock.instant();
    LocalDate first = date != null ? date : LocalDate.now(clock.withZone(ZoneOffset.UTC)).minusDays(1);
    if (days < 1) {
      throw new ParameterException(spec.commandLine(), "--days is " + days + ": use 1 or more");
    }
    checkLiveOptions();
    GeneratorConfig base =
        GeneratorConfig.forDay(first)
            .withSeed(seed)
            .withEvents(events)
            .withUsers(users)
            .withMalformedShare(malformedShare)
            .withDuplicateShare(duplicateShare)
            .withLateShare(lateShare)
            .withTouchpointShare(touchpointShare)
            .withAnomalyAt(anomalyAt)
            .withTimeCompression(timeCompression);
    try {
      for (int d = 0; d < days; d++) {
        day(base, first, d).validate();
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    ArchiveWriterOptions archiveOptions =
        ArchiveWriterOptions.of(out.resolve("archive"), Long.toString(seed))
            .withMaxRecordsPerFile(maxRecordsPerFile);
    try {
      archiveOptions.validate();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    Pacer pacer;
    LiveRun liveRun = null;
    try {
      pacer = Pacer.of(rate);
      if (live) {
        liveRun = LiveRun.start(base, liveFrom, duration, speedup, now);
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    LivePacer livePacer = liveRun != null ? liveRun.pacer() : null;

    Path geo = geoDb != null ? geoDb : out.resolve("geo").resolve(GEO_DB_FILE);
    MmdbWriter.writeGeoFixture(geo);
    console.printf(Locale.ROOT, "geo database   %s%n", geo);

    long started = System.nanoTime();
    GenerationSummary total = GenerationSummary.empty();
    HourlyProgress progress = new HourlyProgress(console, started);
    if (format == OutputFormat.NONE && (kafka == null || kafka.isBlank())) {
      throw new ParameterException(spec.commandLine(),
          "--format NONE writes nothing: add --kafka HOST:PORT, or choose PARQUET, JSONL or BOTH");
    }
    try (ArchiveWriter archive = format.parquet() ? ArchiveWriter.open(archiveOptions) : null;
        KafkaWriter producer = kafka != null && !kafka.isBlank() ? KafkaWriter.open(kafka, topic) : null) {
      for (int d = 0; d < days; d++) {
        GeneratorConfig config = liveRun != null ? liveRun.config() : day(base, first, d);
        console.printf(Locale.ROOT, "generating    %s (%s)%n", config.day(), config);
        if (liveRun != null) {
          console.printf(
              Locale.ROOT,
              "live           %s %s + %s replayed from %s (shifted by %s) at speedup %s, until %s%n",
              config.day(),
              liveFrom,
              duration,
              liveRun.start(),
              liveRun.timeShift(),
              speedup,
              liveRun.wallEnd());
          console.flush();
        }
        progress.newDay();
        LocalDate fileDay =
            liveRun != null ? liveRun.start().atZone(ZoneOffset.UTC).toLocalDate() : config.day();
        JsonLinesWriter jsonl =
            format.jsonl() ? JsonLinesWriter.to(out.resolve("events-" + fileDay + ".jsonl")) : null;
        try {
          GenerationSummary summary =
              EventGenerator.of(config)
                  .generate(
                      record -> {
                        if (livePacer != null) {
                          livePacer.acquire(record.receivedAtMillis());
                        } else {
                          pacer.acquire();
                        }
                        if (archive != null) {
                          archive.write(record.raw());
                        }
                        if (jsonl != null) {
                          jsonl.write(record.payload());
                        }
                        if (producer != null) {
                          producer.write(record);
                        }
                        progress.record(record.receivedAtMillis());
                      });
          total = total.plus(summary);
        } finally {
          if (jsonl != null) {
            jsonl.close();
          }
        }
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    console.println();
    console.print(total.format());
    console.printf(
        Locale.ROOT,
        "elapsed        %.1f s, %,.0f records/s%n",
        seconds,
        total.totalRecords() / Math.max(seconds, 1e-9));
    if (format.parquet()) {
      console.printf(Locale.ROOT, "archive        %s%n", out.resolve("archive"));
    }
    if (kafka != null && !kafka.isBlank()) {
      console.printf(Locale.ROOT, "kafka          topic %s at %s, every record acknowledged%n", topic, kafka);
    }
    console.flush();
    return 0;
  }

  /** Rejects live options that make no sense together, before anything is written. */
  private void checkLiveOptions() {
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    if (!live) {
      for (String option : new String[] {"--live-from", "--duration", "--speedup"}) {
        if (parsed.hasMatchedOption(option)) {
          throw new ParameterException(
              spec.commandLine(), option + " only applies to a live replay: add --live, or drop " + option);
        }
      }
      return;
    }
    if (parsed.hasMatchedOption("--time-compression")) {
      throw new ParameterException(spec.commandLine(),
          "--time-compression does not apply to a live replay, which keeps the day's pace times"
              + " --speedup: drop one of them");
    }
    if (parsed.hasMatchedOption("--rate")) {
      throw new ParameterException(
          spec.commandLine(),
          "--live paces records by their timestamps and --rate by their count: drop --rate (to go"
              + " faster than real time, use --speedup, e.g. --speedup 60 for an hour a minute)");
    }
    if (days != 1) {
      throw new ParameterException(
          spec.commandLine(),
          "--live replays part of one day, not " + days + " days: drop --days (use --duration for a"
              + " longer replay)");
    }
  }
}
