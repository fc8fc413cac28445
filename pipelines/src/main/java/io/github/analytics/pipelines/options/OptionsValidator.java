package io.github.analytics.pipelines.options;

import java.util.ArrayList;
import java.util.List;

/** Cross-field checks of the options, with messages that say what to change. */
public final class OptionsValidator {
  private OptionsValidator() {}

  /** Checks the ingest limits; throws with every problem found, not just the first. */
  public static void validateIngest(IngestOptions options) {
    List<String> problems = new ArrayList<>();
    positive(problems, "--maxPayloadBytes", options.getMaxPayloadBytes());
    positive(problems, "--maxPropertiesBytes", options.getMaxPropertiesBytes());
    if (options.getMaxPropertiesBytes() > options.getMaxPayloadBytes()) {
      problems.add(
          "--maxPropertiesBytes ("
              + options.getMaxPropertiesBytes()
              + ") exceeds --maxPayloadBytes ("
              + options.getMaxPayloadBytes()
              + "): properties are part of the payload");
    }
    positive(problems, "--maxClientClockPastHours", options.getMaxClientClockPastHours());
    if (options.getMaxClientClockFutureHours() < 0) {
      problems.add("--maxClientClockFutureHours must be 0 or more");
    }
    positive(problems, "--dedupeHorizonHours", options.getDedupeHorizonHours());
    if (options.getUserAgentCacheSize() < 0) {
      problems.add("--userAgentCacheSize must be 0 or more");
    }
    throwIfAny(problems);
  }

  /** Checks the archive options and returns the date range they name. */
  public static DateRange validateArchiveRead(ArchiveReadOptions options) {
    if (options.getArchiveRoot() == null || options.getArchiveRoot().isBlank()) {
      throw new IllegalArgumentException("--archiveRoot is empty: give the archive's root directory");
    }
    DateRange range = DateRange.parse(options.getFromDate(), options.getToDate());
    if (options.getLateArrivalDays() < 0 || options.getLateArrivalDays() > 31) {
      throw new IllegalArgumentException(
          "--lateArrivalDays must be between 0 and 31, got " + options.getLateArrivalDays());
    }
    if (range.days().size() > 366) {
      throw new IllegalArgumentException(
          "The range "
              + range
              + " spans more than a year: run it as a backfill of smaller ranges");
    }
    return range;
  }

  /**
   * Checks the warehouse options for the warehouse chosen; throws with every problem found. For
   * BigQuery: {@code --bigQueryDataset} as PROJECT:DATASET, and a temp location for the load files
   * ({@code --bigQueryTempLocation}, else {@code --tempLocation}).
   */
  public static void validateWarehouse(WarehouseOptions options) {
    if (options.getWarehouse() == WarehouseOptions.Warehouse.BIGQUERY) {
      validateBigQuery(options);
    }
  }

  /** Checks the BigQuery warehouse's options, whatever {@code --warehouse} says. */
  public static void validateBigQuery(WarehouseOptions options) {
    List<String> problems = new ArrayList<>();
    String dataset = options.getBigQueryDataset();
    if (dataset == null || dataset.isBlank()) {
      problems.add("--warehouse=BIGQUERY needs --bigQueryDataset=PROJECT:DATASET, the dataset to"
          + " write (create it with `bq mk --dataset PROJECT:DATASET`)");
    } else if (!BIGQUERY_DATASET.matcher(dataset.trim()).matches()) {
      problems.add("--bigQueryDataset=" + dataset + " is not PROJECT:DATASET: write it as, for"
          + " example, my-project:analytics (a dataset name has letters, digits and underscores)");
    }
    if (blank(options.getBigQueryTempLocation()) && blank(options.getTempLocation())) {
      problems.add("--warehouse=BIGQUERY needs a folder for the load files: set"
          + " --bigQueryTempLocation=gs://BUCKET/PATH (or --tempLocation, its default)");
    }
    throwIfAny(problems);
  }

  /** PROJECT:DATASET; a project id may carry a domain prefix ({@code example.com:project}). */
  private static final java.util.regex.Pattern BIGQUERY_DATASET =
      java.util.regex.Pattern.compile("^([a-z][-a-z0-9.]*:)?[a-z][-a-z0-9]{4,}[a-z0-9]:[A-Za-z0-9_]{1,1024}$");

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  /** Checks the streaming layer's options; throws with every problem found. */
  public static void validateStreaming(
      KafkaOptions kafka, RedisOptions redis, ArchiveWriteOptions archive,
      StreamingMetricOptions metrics) {
    List<String> problems = new ArrayList<>();
    if (!archive.getWriteArchive() && !metrics.getWriteMetrics()) {
      problems.add("--writeArchive=false and --writeMetrics=false leave nothing to do: enable one");
    }
    if (kafka.getBootstrapServers() == null || kafka.getBootstrapServers().isBlank()) {
      problems.add("--bootstrapServers is empty: give host:port of a Kafka broker");
    }
    if (kafka.getInputTopic() == null || kafka.getInputTopic().isBlank()) {
      problems.add("--inputTopic is empty: give the topic the collector publishes to");
    }
    if (kafka.getMaxOutOfOrdernessSeconds() < 0) {
      problems.add("--maxOutOfOrdernessSeconds must be 0 or more");
    }
    positive(problems, "--earlyFiringSeconds", metrics.getEarlyFiringSeconds());
    if (metrics.getAllowedLatenessMinutes() < 0) {
      problems.add("--allowedLatenessMinutes must be 0 or more");
    }
    positive(problems, "--redisTtlHours", redis.getRedisTtlHours());
    positive(problems, "--redisDailyTtlDays", redis.getRedisDailyTtlDays());
    if (archive.getWriteArchive()) {
      if (archive.getArchiveRoot() == null || archive.getArchiveRoot().isBlank()) {
        problems.add("--archiveRoot is empty: give where to write the archive, or --writeArchive=false");
      }
      int minutes = archive.getArchiveWindowMinutes();
      if (minutes < 1 || 60 % minutes != 0) {
        problems.add("--archiveWindowMinutes must divide an hour (1, 2, 5, 10, 15, 30, 60), got " + minutes);
      }
      positive(problems, "--archiveShards", archive.getArchiveShards());
      positive(problems, "--archiveFlushSeconds", archive.getArchiveFlushSeconds());
      if (archive.getArchiveAllowedLatenessMinutes() < 0) {
        problems.add("--archiveAllowedLatenessMinutes must be 0 or more");
      }
    }
    throwIfAny(problems);
  }

  /** Checks the metric settings; throws with every problem found. */
  public static void validateMetrics(MetricOptions options) {
    List<String> problems = new ArrayList<>();
    positive(problems, "--sessionGapMinutes", options.getSessionGapMinutes());
    if (options.getHllPrecision() < 10 || options.getHllPrecision() > 24) {
      problems.add("--hllPrecision must be between 10 and 24, got " + options.getHllPrecision());
    }
    if (options.getAnomalyMinHistoryWindows() < 2
        || options.getAnomalyHistoryWindows() < options.getAnomalyMinHistoryWindows()) {
      problems.add("--anomalyMinHistoryWindows must be at least 2 and at most --anomalyHistoryWindows, got "
          + options.getAnomalyMinHistoryWindows() + " and " + options.getAnomalyHistoryWindows());
    }
    if (!(options.getAnomalyThreshold() > 0)) {
      problems.add("--anomalyThreshold must be positive, got " + options.getAnomalyThreshold());
    }
    throwIfAny(problems);
  }

  private static void positive(List<String> problems, String option, int value) {
    if (value <= 0) {
      problems.add(option + " must be positive, got " + value);
    }
  }

  private static void throwIfAny(List<String> problems) {
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid options:\n  " + String.join("\n  ", problems));
    }
  }
}
