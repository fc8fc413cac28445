package io.github.analytics.pipelines.io;

import com.google.api.services.bigquery.model.TableRow;
import io.github.analytics.transforms.warehouse.FirstSeen;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryUtils;
import org.apache.beam.sdk.transforms.Create;
import io.github.analytics.transforms.metrics.ApplyMetricCatalog;
import com.google.api.services.bigquery.model.Clustering;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TimePartitioning;
import io.github.analytics.pipelines.options.DateRange;
import io.github.analytics.pipelines.options.OptionsValidator;
import io.github.analytics.pipelines.options.WarehouseOptions;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryHelpers;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.CreateDisposition;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.Method;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.WriteDisposition;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryOptions;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices.DatasetService;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServicesImpl;
import org.apache.beam.sdk.io.gcp.bigquery.TableDestination;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.ValueProvider.StaticValueProvider;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.transforms.Convert;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.ValueInSingleWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * The BigQuery warehouse: one day-partitioned table per output in a dataset, written with load jobs.
 *
 * <p>Each table is partitioned by DAY on its day column and clustered on its key columns ({@link
 * BigQuerySchemas}); its schema is the Beam schema of the rows. Every row is loaded into the partition
 * of its day, {@code table$YYYYMMDD}, with {@code WRITE_TRUNCATE}: BigQuery then replaces that
 * partition, and only it, so a re-run over the same days replaces their rows and leaves the other days
 * alone. A day of the range that gets no row for a table in this run (a re-run that finds no anomaly)
 * has no load job to replace it: the pipeline counts the rows of every (table, day) with Beam
 * counters, and {@link #commit} deletes the partitions of the range's days that got none.
 *
 * <p>Load jobs commit partition by partition as the pipeline runs: a run that fails part-way may
 * have replaced some days of some tables; run it again to finish.
 *
 * <p>Usage: {@code BigQueryWarehouse.from(options)} (with {@code --bigQueryDataset} and {@code
 * --bigQueryTempLocation} or {@code --tempLocation}), then {@link #withTestServices} in tests.
 */
public final class BigQueryWarehouse implements WarehouseSink {
  /** The namespace of the per-partition row counters. */
  public static final String NAMESPACE = "analytics.bigquery";

  private static final DateTimeFormatter PARTITION = DateTimeFormatter.BASIC_ISO_DATE;

  private final String project;
  private final String dataset;
  private final String tempLocation;
  private final BigQueryOptions options;
  private final @Nullable BigQueryServices testServices;
  private final Map<String, String> dayColumns = new LinkedHashMap<>();
  /** Per table, the days its commit empties when they got no row (absent: the run's days). */
  private final Map<String, DateRange> replacedDays = new LinkedHashMap<>();
  private final List<PartitionResult> committed = new ArrayList<>();

  /** What the commit did to one partition of one table. */
  public record PartitionResult(String table, LocalDate day, long rows) {
    /** True when the run wrote no row for it and the partition was emptied. */
    public boolean emptied() {
      return rows == 0;
    }
  }

  private BigQueryWarehouse(
      String project, String dataset, String tempLocation, BigQueryOptions options,
      @Nullable BigQueryServices testServices) {
    this.project = project;
    this.dataset = dataset;
    this.tempLocation = tempLocation;
    this.options = options;
    this.testServices = testServices;
  }

  /**
   * The warehouse that {@code --bigQueryDataset} names, loading through {@code
   * --bigQueryTempLocation} (default {@code --tempLocation}). Load jobs run in {@code --project},
   * which is set to the dataset's project when empty.
   */
  public static BigQueryWarehouse from(WarehouseOptions options) {
    OptionsValidator.validateBigQuery(options);
    String spec = options.getBigQueryDataset();
    int colon = spec.trim().lastIndexOf(':');
    String project = spec.trim().substring(0, colon);
    String dataset = spec.trim().substring(colon + 1);
    String temp = options.getBigQueryTempLocation() == null || options.getBigQueryTempLocation().isBlank()
        ? options.getTempLocation()
        : options.getBigQueryTempLocation();
    GcpOptions gcp = options.as(GcpOptions.class);
    if (gcp.getProject() == null || gcp.getProject().isBlank()) {
      gcp.setProject(project);
    }
    return new BigQueryWarehouse(project, dataset, temp, options.as(BigQueryOptions.class), null);
  }

  /**
   * The same warehouse through {@code services} (for example Beam's {@code FakeBigQueryServices}):
   * the load jobs and the commit's partition deletes go there instead of to BigQuery.
   */
  public BigQueryWarehouse withTestServices(BigQueryServices services) {
    if (!dayColumns.isEmpty()) {
      throw new IllegalStateException("Call withTestServices before the first write");
    }
    return new BigQueryWarehouse(project, dataset, tempLocation, options, services);
  }

  @Override
  public String location() {
    return project + ":" + dataset;
  }

  /** The tables written, in order. */
  public List<String> tables() {
    return List.copyOf(dayColumns.keySet());
  }

  /**
   * What the last {@link #commit} found: for every table and day of the range, the rows loaded into
   * its partition, or 0 for a partition it emptied.
   */
  public List<PartitionResult> partitions() {
    return List.copyOf(committed);
  }

  @Override
  public <T> void write(
      String table, String dayColumn, @Nullable DateRange days, PCollection<T> rows) {
    WarehouseSink.checkNewTable(table, dayColumn, dayColumns.keySet());
    if (days != null) {
      replacedDays.put(table, days);
    }
    Schema schema = rows.getSchema();
    if (!schema.hasField(dayColumn)
        || schema.getField(dayColumn).getType().getTypeName() != Schema.TypeName.DATETIME) {
      throw new IllegalArgumentException("Table " + table + " has no timestamp column " + dayColumn
          + " to partition by; its columns: " + schema.getFieldNames());
    }
    if (testServices == null && !tempLocation.startsWith("gs://")) {
      throw new IllegalArgumentException("BigQuery loads files from Cloud Storage: set"
          + " --bigQueryTempLocation=gs://BUCKET/PATH (it is " + tempLocation + ")");
    }
    dayColumns.put(table, dayColumn);
    // A known table gets its description and clustering; the schema always comes from the rows.
    BigQuerySchemas.Table known = BigQuerySchemas.table(table).orElse(null);
    List<String> clustering = known == null ? List.of() : known.clustering();
    // Step names apart from another warehouse's written in the same pipeline (tests write both).
    String prefix = "BigQuery" + ApplyMetricCatalog.stepName(table);
    BigQueryIO.Write<Row> write =
        BigQueryIO.<Row>write()
            .to(new PartitionOf(project, dataset, table, dayColumn,
                known == null ? null : known.description(), clustering))
            .useBeamSchema()
            .withMethod(Method.FILE_LOADS)
            .withCustomGcsTempLocation(StaticValueProvider.of(tempLocation))
            .withCreateDisposition(CreateDisposition.CREATE_IF_NEEDED)
            .withWriteDisposition(WriteDisposition.WRITE_TRUNCATE)
            .withClustering();
    if (testServices != null) {
      write = write.withTestServices(testServices);
    }
    rows
        // Metric rows come in event-time windows; the load jobs are per partition, not per window.
        .apply(prefix + "IntoOneWindow", Window.<T>into(new GlobalWindows())
            .triggering(DefaultTrigger.of())
            .withAllowedLateness(Duration.ZERO)
            .discardingFiredPanes())
        .apply(prefix + "ToRows", Convert.toRows())
        .apply(prefix + "CountPerDay", ParDo.of(new CountPerDayFn(table, dayColumn)))
        .setRowSchema(schema)
        .apply(prefix + "Load", write);
  }

  /**
   * Deletes the partitions of the range's days that got no row in {@code result}'s run, and records
   * what every partition of the range holds now ({@link #partitions}).
   */
  @Override
  public void commit(DateRange range, PipelineResult result) throws Exception {
    Map<String, Long> counted = rowCounts(result);
    if (counted.isEmpty() && !dayColumns.isEmpty()) {
      // Without counts every partition would look empty: refuse rather than delete the run's rows.
      throw new IllegalStateException("The runner reported no " + NAMESPACE + " counters, so the"
          + " days without rows cannot be told apart: no partition was deleted. Check that the"
          + " runner supports Beam metrics, or delete stale partitions with"
          + " `bq rm 'PROJECT:DATASET.TABLE$YYYYMMDD'`.");
    }
    committed.clear();
    BigQueryServices services = testServices != null ? testServices : new BigQueryServicesImpl();
    try (DatasetService datasets = services.getDatasetService(options)) {
      for (String table : dayColumns.keySet()) {
        boolean exists = datasets.getTable(reference(table)) != null;
        for (LocalDate day : replacedDays.getOrDefault(table, range).days()) {
          long rows = counted.getOrDefault(counterName(table, day), 0L);
          if (rows == 0 && exists) {
            datasets.deleteTable(reference(table + "$" + PARTITION.format(day)));
          }
          committed.add(new PartitionResult(table, day, rows));
        }
      }
    }
  }

  /**
   * Reads the history tables back with BigQuery export jobs and keeps the rows of the days asked
   * for. An export reads a whole table, so a run pays for all of {@code user_activity_daily}, not only
   * the days it needs; a table that does not exist yet has no history.
   */
  @Override
  public PCollection<Row> readHistory(Pipeline pipeline, String table, Schema schema,
      String dayColumn, DateRange read, DateRange run) {
    return history(pipeline, table, schema, dayColumn, read, run);
  }

  @Override
  public PCollection<Row> readFirstSeen(Pipeline pipeline, DateRange run) {
    return history(pipeline, FirstSeen.NAME, FirstSeen.SCHEMA, "first_seen_day", null, run);
  }

  private PCollection<Row> history(Pipeline pipeline, String table, Schema schema, String dayColumn,
      @Nullable DateRange read, DateRange run) {
    String step = "Read" + ApplyMetricCatalog.stepName(table) + "History";
    BigQueryServices services = testServices != null ? testServices : new BigQueryServicesImpl();
    boolean exists;
    try (DatasetService datasets = services.getDatasetService(options)) {
      exists = datasets.getTable(reference(table)) != null;
    } catch (Exception e) {
      throw new IllegalStateException("Cannot look up " + location() + "." + table + ": "
          + e.getMessage(), e);
    }
    if (!exists) {
      return pipeline.apply(step, Create.empty(RowCoder.of(schema))).setRowSchema(schema);
    }
    if (pipeline.getOptions().getTempLocation() == null
        || pipeline.getOptions().getTempLocation().isBlank()) {
      // An export job writes its files under --tempLocation, which defaults to the load jobs' place.
      pipeline.getOptions().setTempLocation(tempLocation);
    }
    BigQueryIO.TypedRead<TableRow> rows = BigQueryIO.readTableRows()
        .from(reference(table))
        .withMethod(BigQueryIO.TypedRead.Method.EXPORT);
    if (testServices != null) {
      rows = rows.withTestServices(testServices);
    }
    return pipeline.apply(step, rows)
        .apply(step + "ToRows", ParDo.of(new BigQueryHistoryRowFn(schema, dayColumn, read, run)))
        .setRowSchema(schema);
  }

  /** A report of the partitions the last commit wrote and emptied, for a person at a terminal. */
  public String report() {
    StringBuilder out = new StringBuilder("\nBigQuery tables in " + location() + "\n");
    Map<String, List<PartitionResult>> byTable = new LinkedHashMap<>();
    for (PartitionResult p : committed) {
      byTable.computeIfAbsent(p.table(), t -> new ArrayList<>()).add(p);
    }
    for (Map.Entry<String, List<PartitionResult>> table : byTable.entrySet()) {
      out.append(String.format(java.util.Locale.ROOT, "  %s%n", table.getKey()));
      for (PartitionResult p : table.getValue()) {
        out.append(String.format(java.util.Locale.ROOT, "    %s$%s  %s%n", table.getKey(),
            PARTITION.format(p.day()),
            p.emptied() ? "emptied (no rows this run)" : String.format("%,d rows", p.rows())));
      }
    }
    return out.toString();
  }

  private TableReference reference(String tableId) {
    return new TableReference().setProjectId(project).setDatasetId(dataset).setTableId(tableId);
  }

  /** The per-partition row counts of a run, by counter name. */
  private static Map<String, Long> rowCounts(PipelineResult result) {
    Map<String, Long> counts = new HashMap<>();
    for (MetricResult<Long> counter :
        result.metrics().queryMetrics(MetricsFilter.builder()
            .addNameFilter(MetricNameFilter.inNamespace(NAMESPACE)).build()).getCounters()) {
      Long value = counter.getAttempted();
      counts.merge(counter.getName().getName(), value == null ? 0L : value, Long::sum);
    }
    return counts;
  }

  /** The counter of the rows written to {@code table}'s partition of {@code day}. */
  static String counterName(String table, LocalDate day) {
    return "rows_" + table + "_" + PARTITION.format(day);
  }

  private static LocalDate utcDay(org.joda.time.Instant time) {
    return Instant.ofEpochMilli(time.getMillis()).atZone(ZoneOffset.UTC).toLocalDate();
  }

  /** Counts the rows of each (table, day): the commit empties the days that got none. */
  private static final class CountPerDayFn extends DoFn<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final String table;
    private final String dayColumn;
    private transient Map<LocalDate, Counter> counters;

    CountPerDayFn(String table, String dayColumn) {
      this.table = table;
      this.dayColumn = dayColumn;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<Row> out) {
      if (counters == null) {
        counters = new HashMap<>();
      }
      LocalDate day = utcDay(row.getDateTime(dayColumn).toInstant());
      counters.computeIfAbsent(day, d -> Metrics.counter(NAMESPACE, counterName(table, d))).inc();
      out.output(row);
    }
  }

  /** Routes a row to the partition of its day, {@code PROJECT:DATASET.table$YYYYMMDD}. */
  private static final class PartitionOf
      implements SerializableFunction<ValueInSingleWindow<Row>, TableDestination> {
    private static final long serialVersionUID = 1L;
    private final String tableSpec;
    private final String dayColumn;
    private final @Nullable String description;
    private final String partitioning;
    private final @Nullable String clustering;

    PartitionOf(String project, String dataset, String table, String dayColumn,
        @Nullable String description, List<String> clusteringColumns) {
      this.tableSpec = project + ":" + dataset + "." + table;
      this.dayColumn = dayColumn;
      this.description = description;
      this.partitioning = BigQueryHelpers.toJsonString(
          new TimePartitioning().setType("DAY").setField(dayColumn));
      this.clustering = clusteringColumns.isEmpty()
          ? null
          : BigQueryHelpers.toJsonString(new Clustering().setFields(clusteringColumns));
    }

    @Override
    public TableDestination apply(ValueInSingleWindow<Row> element) {
      LocalDate day = utcDay(element.getValue().getDateTime(dayColumn).toInstant());
      return new TableDestination(
          tableSpec + "$" + PARTITION.format(day), description, partitioning, clustering);
    }
  }
}
