package io.github.analytics.pipelines.backfill;

import io.github.analytics.pipelines.BackfillOptions;
import io.github.analytics.pipelines.BatchPipeline;
import io.github.analytics.pipelines.BatchPipelineOptions;
import io.github.analytics.pipelines.BatchResult;
import io.github.analytics.pipelines.options.DateRange;
import io.github.analytics.pipelines.options.OptionsValidator;
import io.github.analytics.pipelines.options.WarehouseOptions;
import io.github.analytics.transforms.PipelineCounters;
import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;

/**
 * A backfill: the batch layer over a range of days, one job per day, resumable.
 *
 * <ol>
 *   <li>For each day, list what the archive holds for it (the day and its late-arrival partitions).
 *   <li>Skip the day if its completion marker matches: same warehouse, same {@code
 *       --lateArrivalDays}, same archive files. {@code --force} re-runs it anyway; a day whose archive
 *       gained files since (late arrivals, a repaired hour) is re-run.
 *   <li>Otherwise remove its marker, run the batch pipeline for that day alone (which replaces the
 *       day's rows in every table, so a re-run never adds), and write the marker once it committed.
 *   <li>A failed day is reported and the next day runs; the summary lists every day, and the caller
 *       exits non-zero if one failed. Running the same command again retries only what is not done.
 * </ol>
 *
 * <p>One job per day keeps each day's replacement atomic per table and its failure separate, at the
 * cost of a job start per day (seconds on Flink or Spark; a year is 365 starts).
 */
public final class Backfill {
  /** What happened to one day. */
  public enum Status {
    DONE,
    SKIPPED,
    FAILED
  }

  /**
   * One day's outcome.
   *
   * @param reason why the day ran or was skipped; for a failure, what went wrong
   */
  public record DayOutcome(LocalDate day, Status status, String reason, double seconds, long eventsWritten) {}

  /** Runs one day's batch job; tests and other warehouses pass their own. */
  @FunctionalInterface
  public interface DayRunner {
    BatchResult run(BatchPipelineOptions dayOptions) throws Exception;
  }

  private Backfill() {}

  /** Runs the backfill with the batch pipeline, printing progress to {@code out}. */
  public static List<DayOutcome> run(BackfillOptions options, PrintStream out) {
    return run(options, BatchPipeline::run, out);
  }

  /** Runs the backfill with {@code runner} for each day, printing progress to {@code out}. */
  public static List<DayOutcome> run(BackfillOptions options, DayRunner runner, PrintStream out) {
    DateRange range = OptionsValidator.validateArchiveRead(options);
    FileSystems.setDefaultPipelineOptions(options);
    CompletionMarkers markers = CompletionMarkers.at(markerRoot(options));
    String location = warehouseLocation(options);
    String fromDate = options.getFromDate();
    String toDate = options.getToDate();
    out.printf(Locale.ROOT, "Backfill %s (%d days) into %s %s; markers in %s%s%n",
        range, range.days().size(), options.getWarehouse(), location, markers.root(),
        options.getForce() ? "; --force: every day runs" : "");
    List<DayOutcome> outcomes = new ArrayList<>();
    int index = 0;
    try {
      for (LocalDate day : range.days()) {
        index++;
        String progress = String.format(Locale.ROOT, "[%d/%d] %s", index, range.days().size(), day);
        DayOutcome outcome = runDay(options, runner, markers, location, day, progress, out);
        outcomes.add(outcome);
      }
    } finally {
      options.setFromDate(fromDate);
      options.setToDate(toDate);
    }
    out.print(summary(range, outcomes));
    return outcomes;
  }

  private static DayOutcome runDay(
      BackfillOptions options, DayRunner runner, CompletionMarkers markers, String location,
      LocalDate day, String progress, PrintStream out) {
    long started = System.nanoTime();
    String reason;
    ArchiveFingerprint archive;
    try {
      DateRange read = new DateRange(day, day.plusDays(options.getLateArrivalDays()));
      archive = ArchiveFingerprint.of(options.getArchiveRoot(), day, read);
      Optional<CompletionMarker> marker = markers.read(day);
      reason = reasonToRun(options, location, archive, marker);
      if (reason == null) {
        CompletionMarker done = marker.get();
        out.printf(Locale.ROOT, "%s: skipped, complete since %s (%,d events; archive unchanged)%n",
            progress, done.completedAt(), done.counts().getOrDefault("events_written", 0L));
        return new DayOutcome(day, Status.SKIPPED, "complete since " + done.completedAt(), 0,
            done.counts().getOrDefault("events_written", 0L));
      }
      out.printf(Locale.ROOT, "%s: running (%s; archive: %,d files, %s)...%n",
          progress, reason, archive.files(), megabytes(archive.bytes()));
      markers.delete(day);
      options.setFromDate(day.toString());
      options.setToDate(day.toString());
      BatchResult result = runner.run(options);
      double seconds = seconds(started);
      if (result.state() != PipelineResult.State.DONE) {
        return failed(progress, day, "the job ended " + result.state(), seconds, out);
      }
      if (!result.accountedFor()) {
        return failed(progress, day,
            "records read != valid + dead-lettered; the rows were written, but check the counters", seconds, out);
      }
      markers.write(new CompletionMarker(
          day.toString(), options.getWarehouse().name(), location, Instant.now().toString(), seconds,
          options.getRunner().getSimpleName(), options.getLateArrivalDays(), archive, counts(result)));
      out.printf(Locale.ROOT, "%s: done in %.1f s: %,d events, %,d dead letters%n",
          progress, seconds, result.eventsWritten(), result.deadLetters());
      return new DayOutcome(day, Status.DONE, reason, seconds, result.eventsWritten());
    } catch (Exception e) {
      return failed(progress, day, message(e), seconds(started), out);
    }
  }

  /** Why {@code day} must run, or null when its marker shows it complete for this archive. */
  private static String reasonToRun(
      BackfillOptions options, String location, ArchiveFingerprint archive,
      Optional<CompletionMarker> marker) {
    if (marker.isEmpty()) {
      return "no completion marker";
    }
    CompletionMarker done = marker.get();
    if (options.getForce()) {
      return "--force";
    }
    if (!location.equals(done.warehouseLocation())) {
      return "its marker is for " + done.warehouseLocation();
    }
    if (options.getLateArrivalDays() != done.lateArrivalDays()) {
      return "--lateArrivalDays was " + done.lateArrivalDays();
    }
    if (!archive.digest().equals(done.archive().digest())) {
      return String.format(Locale.ROOT, "the archive changed since %s: %,d files then",
          done.completedAt(), done.archive().files());
    }
    return null;
  }

  private static DayOutcome failed(String progress, LocalDate day, String why, double seconds, PrintStream out) {
    out.printf(Locale.ROOT, "%s: FAILED after %.1f s: %s%n", progress, seconds, why);
    return new DayOutcome(day, Status.FAILED, why, seconds, 0);
  }

  private static Map<String, Long> counts(BatchResult result) {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("records_read", result.counter(PipelineCounters.PARSE_INPUT));
    counts.put("events_written", result.eventsWritten());
    counts.put("dead_letters", result.deadLetters());
    counts.put("duplicates_dropped", result.counter(PipelineCounters.DUPLICATES_DROPPED));
    counts.put("events_for_other_days", result.counter(BatchPipeline.EVENTS_FOR_OTHER_DAYS));
    return counts;
  }

  /** The table printed at the end, one line per day. */
  public static String summary(DateRange range, List<DayOutcome> outcomes) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%nBackfill %s%n%-10s  %-7s  %8s  %14s  %s%n",
        range, "day", "status", "seconds", "events", "note"));
    int done = 0;
    int skipped = 0;
    int failed = 0;
    for (DayOutcome o : outcomes) {
      out.append(String.format(Locale.ROOT, "%-10s  %-7s  %8s  %,14d  %s%n",
          o.day(), o.status(), o.status() == Status.SKIPPED ? "-" : String.format(Locale.ROOT, "%.1f", o.seconds()),
          o.eventsWritten(), o.reason()));
      switch (o.status()) {
        case DONE -> done++;
        case SKIPPED -> skipped++;
        case FAILED -> failed++;
      }
    }
    out.append(String.format(Locale.ROOT, "%d days: %d run, %d skipped (already complete), %d failed.%n",
        outcomes.size(), done, skipped, failed));
    if (failed > 0) {
      out.append("Fix the failures above and run the same command again: completed days are skipped.\n");
    }
    return out.toString();
  }

  /** True when no day failed. */
  public static boolean succeeded(List<DayOutcome> outcomes) {
    return outcomes.stream().noneMatch(o -> o.status() == Status.FAILED);
  }

  /** Where the markers go: {@code --markerRoot}, or next to the DuckDB file. */
  static String markerRoot(BackfillOptions options) {
    if (options.getMarkerRoot() != null && !options.getMarkerRoot().isBlank()) {
      return options.getMarkerRoot();
    }
    if (options.getWarehouse() == WarehouseOptions.Warehouse.DUCKDB) {
      return java.nio.file.Paths.get(options.getDuckDbPath() + ".markers").toAbsolutePath().toString();
    }
    throw new IllegalArgumentException(
        "--markerRoot is required with --warehouse=" + options.getWarehouse()
            + ": give a directory the launcher can write, e.g. gs://BUCKET/analytics/backfill-markers");
  }

  private static String warehouseLocation(BackfillOptions options) {
    switch (options.getWarehouse()) {
      case DUCKDB:
        return java.nio.file.Paths.get(options.getDuckDbPath()).toAbsolutePath().toString();
      case BIGQUERY:
        return options.getBigQueryDataset();
      default:
        return options.getWarehouse().name();
    }
  }

  /** The exception's first line, with its root cause's when that says more ("Pipeline execution failed"). */
  private static String message(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = firstLine(e);
    if (root != e) {
      String cause = root.getClass().getSimpleName() + ": " + firstLine(root);
      text = text.isEmpty() ? cause : text + " (" + cause + ")";
    }
    return text;
  }

  private static String firstLine(Throwable e) {
    return e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("").trim();
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  private static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
