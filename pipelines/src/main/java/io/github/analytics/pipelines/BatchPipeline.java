package io.github.analytics.pipelines;

import io.github.analytics.transforms.warehouse.DayRange;
import io.github.analytics.transforms.warehouse.UserActivityDaily;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import io.github.analytics.pipelines.io.StepFailureLog;
import io.github.analytics.pipelines.io.ArchiveSource;
import io.github.analytics.pipelines.io.BigQueryWarehouse;
import io.github.analytics.pipelines.io.DuckDbWarehouse;
import io.github.analytics.pipelines.io.WarehouseSink;
import io.github.analytics.pipelines.options.AnalyticsOptions;
import io.github.analytics.pipelines.options.DateRange;
import io.github.analytics.pipelines.options.OptionsValidator;
import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.transforms.AnalyzeEvents;
import org.apache.beam.sdk.schemas.NoSuchSchemaException;
import io.github.analytics.transforms.ingest.IngestEvents;
import io.github.analytics.pipelines.options.IngestSettings;
import io.github.analytics.pipelines.options.MetricSettings;
import io.github.analytics.transforms.metrics.ApplyMetricCatalog;
import io.github.analytics.transforms.metrics.MetricCatalog;
import io.github.analytics.transforms.metrics.MetricConfig;
import io.github.analytics.transforms.metrics.MetricDefinition;
import io.github.analytics.transforms.metrics.WindowPolicy;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionRowTuple;
import org.apache.beam.sdk.values.Row;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch layer: reads the Parquet archive for a range of days, runs the shared ingest transforms
 * and the metric catalog, and writes the warehouse. Steps:
 *
 * <ol>
 *   <li>Read the archive partitions of the days, plus {@code --lateArrivalDays} after them for late
 *       arrivals ({@link ArchiveSource}).
 *   <li>Parse, deduplicate, enrich and apply every metric of the {@link MetricCatalog} ({@link
 *       AnalyzeEvents}, the same code as the streaming layer) with the batch {@link WindowPolicy}.
 *   <li>Keep the rows of the requested days and write one table per output ({@link WarehouseSink}).
 *   <li>After the run: commit the warehouse, replacing those days' rows.
 * </ol>
 *
 * <p>Tables (DuckDB by default, or BigQuery with {@code --warehouse=BIGQUERY}): {@value #EVENTS_TABLE} (one row per unique valid event, columns as
 * {@link Event}, by the day of its {@code event_timestamp}), {@value #DEAD_LETTERS_TABLE} (one row per
 * rejected record, columns as {@link DeadLetter}, by the day of its {@code received_at}: a record that
 * cannot be parsed has no event time), and one table per metric, named after it, by the day of its
 * {@link MetricDefinition#dayColumn()}.
 */
public final class BatchPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(BatchPipeline.class);

  public static final String EVENTS_TABLE = "events";
  public static final String DEAD_LETTERS_TABLE = "dead_letters";
  /** Events read from the late-arrival partitions whose event day lies outside the range. */
  public static final String EVENTS_FOR_OTHER_DAYS = "events_for_other_days";
  /**
   * Events handed to the warehouse's events table: with {@link #EVENTS_FOR_OTHER_DAYS} and the
   * duplicates dropped, they add up to the valid records, which the batch summary checks.
   */
  public static final String EVENTS_WRITTEN = "events_written";
  /** Dead letters read from the late-arrival partitions (they belong to their arrival day's run). */
  public static final String DEAD_LETTERS_FOR_OTHER_DAYS = "dead_letters_for_other_days";
  /** Metric rows of days outside the range (for example windows of partly read days). */
  public static final String METRIC_ROWS_FOR_OTHER_DAYS = "metric_rows_for_other_days";

  private BatchPipeline() {}

  public static void main(String[] args) throws Exception {
    PipelineOptionsFactory.register(BatchPipelineOptions.class);
    BatchPipelineOptions options =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(BatchPipelineOptions.class);
    WarehouseSink warehouse = warehouse(options);
    BatchResult result = run(options, warehouse);
    if (warehouse instanceof BigQueryWarehouse bigQuery) {
      System.out.println(BatchReport.render(result, java.util.Map.of()));
      if (result.state() == PipelineResult.State.DONE) {
        System.out.println(bigQuery.report());
      }
    } else {
      System.out.println(
          BatchReport.render(
              result,
              DuckDbWarehouse.countBy(
                  result.warehouseLocation(), EVENTS_TABLE, "event_type", "event_timestamp",
                  result.range())));
      if (result.state() == PipelineResult.State.DONE) {
        System.out.println(MetricsReport.render(result.warehouseLocation(), result.range()));
      }
    }
    if (result.state() != PipelineResult.State.DONE) {
      System.exit(1);
    }
  }

  /** Runs the pipeline to the end and commits the warehouse that the options name. */
  public static BatchResult run(BatchPipelineOptions options) throws Exception {
    return run(options, warehouse(options));
  }

  /**
   * Runs the pipeline to the end and commits {@code warehouse}: tests and backfills pass their own
   * (for example a {@link BigQueryWarehouse} with test services).
   */
  public static BatchResult run(BatchPipelineOptions options, WarehouseSink warehouse)
      throws Exception {
    OptionsValidator.validateIngest(options);
    DateRange range = OptionsValidator.validateArchiveRead(options);
    // Resolve s3:// and other file systems with these options before listing the archive.
    org.apache.beam.sdk.io.FileSystems.setDefaultPipelineOptions(options);
    MetricConfig metrics = metrics(options);
    List<LocalDate> missing = ArchiveSource.missingDays(options.getArchiveRoot(), range);
    if (missing.size() == range.days().size()) {
      throw new IllegalArgumentException(
          "The archive under "
              + options.getArchiveRoot()
              + " has no Parquet file for "
              + range
              + " (looked for "
              + ArchiveSource.dayPattern(options.getArchiveRoot(), range.from())
              + "). Generate a day with `analytics generate --date "
              + range.from()
              + "`, or point --archiveRoot at the archive.");
    }
    Pipeline pipeline = Pipeline.create(options);
    buildPipeline(pipeline, IngestSettings.configure(options), metrics, source(options), warehouse, range);
    List<String> unread = UnconsumedOutputs.guardOnSpark(pipeline);
    if (!unread.isEmpty()) {
      LOG.info("On Spark, {} unread step outputs get a reader, so that the runner keeps their records"
          + " out of their steps' main outputs: {}", unread.size(), unread);
    }
    long started = System.nanoTime();
    PipelineResult result = pipeline.run();
    PipelineResult.State state = result.waitUntilFinish();
    if (state == PipelineResult.State.DONE) {
      warehouse.commit(range, result);
    }
    return new BatchResult(
        range, missing, state, BatchResult.counters(result), warehouse.location(),
        Duration.millis((System.nanoTime() - started) / 1_000_000));
  }

  /** The metrics' settings of a batch run: the catalog's options, the batch window policy. */
  public static MetricConfig metrics(BatchPipelineOptions options) {
    return MetricSettings.configure(options, WindowPolicy.batch())
        .withAnalytics(AnalyticsOptions.settings(options));
  }

  /**
   * What a run over the options' days reads: the archive of those days and of the late-arrival days
   * after them, whose records may belong to the range.
   */
  public static ArchiveSource source(BatchPipelineOptions options) {
    DateRange range = OptionsValidator.validateArchiveRead(options);
    return ArchiveSource.read(options.getArchiveRoot(),
        new DateRange(range.from(), range.to().plusDays(options.getLateArrivalDays())));
  }

  /**
   * Builds the graph between a source and a warehouse, writing the rows of the days of {@code range};
   * tests pass their own edges.
   */
  public static void buildPipeline(
      Pipeline pipeline,
      IngestEvents ingest,
      MetricConfig metrics,
      PTransform<PBegin, PCollection<RawEvent>> source,
      WarehouseSink warehouse,
      DateRange range) {
    // 1. Read the raw records.
    PCollection<RawEvent> raw = pipeline.apply("ReadArchive", source);
    // 2. Parse, deduplicate, enrich and every metric of the catalog: the same code as the streaming
    //    layer.
    AnalyzeEvents.Result analyzed =
        raw.apply("Analyze", AnalyzeEvents.of(ingest, MetricCatalog.all(), metrics));
    PCollectionRowTuple outputs = analyzed.metrics();
    // 3. One warehouse table per output, holding the rows of the requested days only.
    PCollection<Event> eventDays =
        analyzed.events()
            .apply("KeepEventDays", KeepDays.counting(
                range, Event::getEventTimestamp, EVENTS_FOR_OTHER_DAYS, EVENTS_WRITTEN));
    warehouse.write(EVENTS_TABLE, "event_timestamp", withSchema(eventDays));
    for (MetricDefinition metric : MetricCatalog.all()) {
      writeMetric(warehouse, metric, outputs.get(metric.name()), range, metrics);
    }
    // 4. The warehouse analytics (retention, stickiness, lifecycle): users' activity of this run's
    //    days, with the other days they need read back from the warehouse; each rewrites the rows
    //    this run can change.
    DayRange run = DayRange.of(range.from(), range.to());
    DateRange read = historyDays(range, metrics);
    Map<String, PCollection<Row>> history = new LinkedHashMap<>();
    for (MetricDefinition table : historySources()) {
      history.put(table.name(), warehouse.readHistory(
          pipeline, table.name(), table.schema(), table.dayColumn(), read, range));
    }
    List<PCollection<DeadLetter>> stepFailures = new ArrayList<>();
    stepFailures.add(analyzed.stepFailures());
    PCollectionRowTuple analytics =
        ApplyMetricCatalog.applyWarehouse(MetricCatalog.warehouse(), metrics.withRunDays(run),
            analyzed.events(), history, warehouse.readFirstSeen(pipeline, range), stepFailures);
    // 5. The records refused, to their table; the events a step threw on (the analytics' steps
    //    included) to the job's log: they are events, counted as such (see StepFailureLog).
    warehouse.write(DEAD_LETTERS_TABLE, "received_at",
        analyzed.deadLetters().apply("KeepDeadLetterDays",
            KeepDays.of(range, DeadLetter::getReceivedAt, DEAD_LETTERS_FOR_OTHER_DAYS)));
    PCollectionList.of(stepFailures)
        .apply("AllStepFailures", Flatten.pCollections())
        .apply("LogStepFailures", StepFailureLog.of());
    for (MetricDefinition metric : MetricCatalog.warehouse()) {
      writeMetric(warehouse, metric, analytics.get(metric.name()), range, metrics);
    }
  }

  /**
   * The warehouse metrics that others read across runs: {@code user_activity_daily}, which every
   * metric over users' histories reads, and the sources of derived warehouse metrics.
   */
  static List<MetricDefinition> historySources() {
    Set<String> names = new LinkedHashSet<>();
    names.add(UserActivityDaily.NAME);
    for (MetricDefinition metric : MetricCatalog.warehouse()) {
      if (metric.source() != null) {
        names.add(metric.source());
      }
    }
    return names.stream().map(MetricCatalog::named).toList();
  }

  /** The days of users' activity the warehouse metrics of a run over {@code range} read. */
  static DateRange historyDays(DateRange range, MetricConfig config) {
    DayRange run = DayRange.of(range.from(), range.to());
    DayRange read = run;
    for (MetricDefinition metric : MetricCatalog.warehouse()) {
      read = read.span(metric.readDays(run, config));
    }
    return new DateRange(read.from(), read.to());
  }

  /** Writes a metric's rows of the days a run over {@code range} replaces in its table. */
  private static void writeMetric(WarehouseSink warehouse, MetricDefinition metric,
      PCollection<Row> rows, DateRange range, MetricConfig config) {
    String column = metric.dayColumn();
    DayRange replaced = metric.replacedDays(DayRange.of(range.from(), range.to()), config);
    DateRange days = new DateRange(replaced.from(), replaced.to());
    warehouse.write(metric.name(), column, days.equals(range) ? null : days,
        rows.apply("Keep" + ApplyMetricCatalog.stepName(metric.name()) + "Days",
                KeepDays.of(days, (Row row) -> row.getDateTime(column).toInstant(),
                    METRIC_ROWS_FOR_OTHER_DAYS))
            .setRowSchema(metric.schema()));
  }

  /**
   * Events travel with their own binary coder; the warehouse writes them by their Beam schema (the
   * table's columns), which is set here, at the edge.
   */
  private static PCollection<Event> withSchema(PCollection<Event> events) {
    try {
      return events.setCoder(events.getPipeline().getSchemaRegistry().getSchemaCoder(Event.class));
    } catch (NoSuchSchemaException e) {
      throw new IllegalStateException("Event must have a Beam schema", e);
    }
  }

  /** The warehouse that {@code --warehouse} names, its options checked. */
  public static WarehouseSink warehouse(BatchPipelineOptions options) {
    OptionsValidator.validateWarehouse(options);
    switch (options.getWarehouse()) {
      case DUCKDB:
        return DuckDbWarehouse.at(
            options.getDuckDbPath(), options.getStagingDirectory(), "run-" + UUID.randomUUID());
      case BIGQUERY:
        return BigQueryWarehouse.from(options);
      default:
        throw new IllegalArgumentException("Unsupported --warehouse=" + options.getWarehouse());
    }
  }
}
