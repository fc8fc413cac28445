package io.github.analytics.pipelines;

import io.github.analytics.pipelines.io.ArchiveSource;
import io.github.analytics.pipelines.io.DuckDbWarehouse;
import io.github.analytics.pipelines.io.WarehouseSink;
import io.github.analytics.pipelines.options.DateRange;
import io.github.analytics.pipelines.options.OptionsValidator;
import io.github.analytics.pipelines.options.WarehouseOptions;
import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.transforms.ingest.DeduplicateEvents;
import io.github.analytics.transforms.ingest.EnrichEvents;
import io.github.analytics.transforms.ingest.IngestEvents;
import io.github.analytics.transforms.ingest.ParseEvents;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * The batch layer: reads the Parquet archive for a range of days, runs the shared ingest transforms,
 * and writes the warehouse. Steps:
 *
 * <ol>
 *   <li>Read the archive partitions of the days ({@link ArchiveSource}).
 *   <li>Parse, deduplicate and enrich ({@link IngestEvents}, the same code as the streaming layer).
 *   <li>Write the events and the dead letters, one table each ({@link WarehouseSink}).
 *   <li>After the run: commit the warehouse, replacing those days' rows.
 * </ol>
 *
 * <p>Tables (DuckDB by default): {@value #EVENTS_TABLE} (one row per unique valid event, columns as
 * {@link Event}) and {@value #DEAD_LETTERS_TABLE} (one row per rejected record, columns as {@link
 * DeadLetter}); both belong to the day of their {@code received_at}, the archive partition they came
 * from.
 */
public final class BatchPipeline {
  public static final String EVENTS_TABLE = "events";
  public static final String DEAD_LETTERS_TABLE = "dead_letters";

  private BatchPipeline() {}

  public static void main(String[] args) throws Exception {
    PipelineOptionsFactory.register(BatchPipelineOptions.class);
    BatchPipelineOptions options =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(BatchPipelineOptions.class);
    BatchResult result = run(options);
    System.out.println(
        BatchReport.render(
            result,
            options.getWarehouse() == WarehouseOptions.Warehouse.DUCKDB
                ? DuckDbWarehouse.countBy(
                    result.warehouseLocation(), EVENTS_TABLE, "event_type", "received_at", result.range())
                : java.util.Map.of()));
    if (result.state() != PipelineResult.State.DONE) {
      System.exit(1);
    }
  }

  /** Runs the pipeline to the end and commits the warehouse. */
  public static BatchResult run(BatchPipelineOptions options) throws Exception {
    OptionsValidator.validateIngest(options);
    DateRange range = OptionsValidator.validateArchiveRead(options);
    // Resolve s3:// and other file systems with these options before listing the archive.
    org.apache.beam.sdk.io.FileSystems.setDefaultPipelineOptions(options);
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
    WarehouseSink warehouse = warehouse(options);
    Pipeline pipeline = Pipeline.create(options);
    buildPipeline(pipeline, ingest(options), ArchiveSource.read(options.getArchiveRoot(), range), warehouse);
    long started = System.nanoTime();
    PipelineResult result = pipeline.run();
    PipelineResult.State state = result.waitUntilFinish();
    if (state == PipelineResult.State.DONE) {
      warehouse.commit(range);
    }
    return new BatchResult(
        range, missing, state, BatchResult.counters(result), warehouse.location(),
        Duration.millis((System.nanoTime() - started) / 1_000_000));
  }

  /** The ingest transforms as the options configure them; the streaming layer uses the same. */
  public static IngestEvents ingest(
      io.github.analytics.pipelines.options.IngestOptions options) {
    return IngestEvents.of(
        ParseEvents.of()
            .withMaxPayloadBytes(options.getMaxPayloadBytes())
            .withMaxPropertiesBytes(options.getMaxPropertiesBytes())
            .withMaxPast(Duration.standardHours(options.getMaxClientClockPastHours()))
            .withMaxFuture(Duration.standardHours(options.getMaxClientClockFutureHours())),
        DeduplicateEvents.within(Duration.standardHours(options.getDedupeHorizonHours()))
            .withBuckets(options.getDedupeBuckets()),
        EnrichEvents.of()
            .withGeoDatabase(options.getGeoDatabase())
            .withUserAgentCacheSize(options.getUserAgentCacheSize()));
  }

  /**
   * Builds the graph between a source and a warehouse; tests pass their own edges.
   */
  public static void buildPipeline(
      Pipeline pipeline,
      IngestEvents ingest,
      PTransform<PBegin, PCollection<RawEvent>> source,
      WarehouseSink warehouse) {
    // 1. Read the raw records.
    PCollection<RawEvent> raw = pipeline.apply("ReadArchive", source);
    // 2. Parse, deduplicate, enrich: the shared ingest path.
    WithFailures.Result<PCollection<Event>, DeadLetter> ingested = raw.apply("IngestEvents", ingest);
    // 3. One warehouse table per output.
    warehouse.write(EVENTS_TABLE, "received_at", ingested.output());
    warehouse.write(DEAD_LETTERS_TABLE, "received_at", ingested.failures());
  }

  private static WarehouseSink warehouse(BatchPipelineOptions options) {
    switch (options.getWarehouse()) {
      case DUCKDB:
        return DuckDbWarehouse.at(
            options.getDuckDbPath(), options.getStagingDirectory(), "run-" + UUID.randomUUID());
      default:
        throw new IllegalArgumentException("Unsupported --warehouse=" + options.getWarehouse());
    }
  }
}
