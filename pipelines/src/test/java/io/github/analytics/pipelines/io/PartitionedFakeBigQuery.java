package io.github.analytics.pipelines.io;

import com.google.api.services.bigquery.model.JobConfigurationExtract;
import com.google.api.services.bigquery.model.JobConfigurationLoad;
import com.google.api.services.bigquery.model.JobConfigurationTableCopy;
import com.google.api.services.bigquery.model.JobReference;
import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.gcp.bigquery.TableRowJsonCoder;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;

/**
 * Beam's BigQuery fakes ({@link FakeBigQueryServices}, {@link FakeDatasetService}, {@link
 * FakeJobService}) with BigQuery's partition semantics added, so that tests exercise the warehouse's
 * partition handling and not the fakes' shortcuts. What BigQuery does, and what this adds (see
 * https://cloud.google.com/bigquery/docs/managing-partitioned-table-data):
 *
 * <ul>
 *   <li><b>A load into {@code table$YYYYMMDD}</b> writes that partition only, and BigQuery fails the
 *       job when a row's partitioning column lies in another day. The fakes ignore the decorator (in
 *       Beam 2.70.0 their {@code getTable} finds no table named {@code table$YYYYMMDD}, so a
 *       {@code WRITE_TRUNCATE} load appends). Here the load's files are read first and the load is
 *       refused when a row belongs to another partition.
 *   <li><b>{@code WRITE_TRUNCATE} into {@code table$YYYYMMDD}</b> replaces that partition and leaves
 *       the others. Here the partition's rows are removed and the load runs as {@code WRITE_APPEND}.
 *       BigQuery swaps the partition when the job completes; this empties it when the job starts,
 *       which no test observes (nothing reads while the pipeline writes).
 *   <li><b>{@code tables.delete} of {@code table$YYYYMMDD}</b> deletes that partition's rows (and
 *       succeeds when it holds none); the fake refuses decorators. A missing table is "not found".
 * </ul>
 *
 * <p>Copy jobs into a partition (BigQueryIO uses them only when one partition's files exceed a load
 * job's limits) are refused rather than modelled. Only column partitioning by DAY on a TIMESTAMP
 * column is modelled: that is all the warehouse creates. Every load into a partition is recorded
 * ({@link #loads}), so tests can check where rows went.
 *
 * <p>The fakes keep their tables in static fields: {@link #create} resets them, so one test at a time.
 */
final class PartitionedFakeBigQuery {
  private static final DateTimeFormatter DECORATOR = DateTimeFormatter.BASIC_ISO_DATE;
  /** Rows loaded per {@code table$YYYYMMDD}, over every load since {@link #create}. */
  private static final Map<String, Long> LOADS = new TreeMap<>();

  private PartitionedFakeBigQuery() {}

  /** Fresh fakes holding one empty dataset. */
  static FakeBigQueryServices create(String project, String dataset) throws Exception {
    FakeDatasetService.setUp();
    synchronized (LOADS) {
      LOADS.clear();
    }
    Datasets datasets = new Datasets();
    datasets.createDataset(project, dataset, "", "", null);
    return new FakeBigQueryServices().withDatasetService(datasets).withJobService(new Jobs());
  }

  /** Rows loaded per {@code table$YYYYMMDD} since {@link #create}. */
  static Map<String, Long> loads() {
    synchronized (LOADS) {
      return new TreeMap<>(LOADS);
    }
  }

  /** The dataset service, with partition deletes. */
  static final class Datasets extends FakeDatasetService {
    private static final long serialVersionUID = 1L;

    @Override
    public void deleteTable(TableReference ref) throws IOException, InterruptedException {
      int dollar = ref.getTableId().indexOf('$');
      if (dollar < 0) {
        super.deleteTable(ref);
        return;
      }
      TableReference whole = ref.clone().setTableId(ref.getTableId().substring(0, dollar));
      if (getTable(whole) == null) {
        throw new IOException("Not found: Table " + whole.getProjectId() + ":"
            + whole.getDatasetId() + "." + whole.getTableId());
      }
      removePartition(this, whole, LocalDate.parse(ref.getTableId().substring(dollar + 1), DECORATOR));
    }
  }

  /** The job service, with loads into partitions. */
  static final class Jobs extends FakeJobService {
    private static final long serialVersionUID = 1L;

    @Override
    public void startLoadJob(JobReference jobRef, JobConfigurationLoad load)
        throws IOException {
      TableReference destination = load.getDestinationTable();
      int dollar = destination.getTableId().indexOf('$');
      if (dollar < 0) {
        super.startLoadJob(jobRef, load);
        return;
      }
      TableReference whole = destination.clone().setTableId(destination.getTableId().substring(0, dollar));
      LocalDate day = LocalDate.parse(destination.getTableId().substring(dollar + 1), DECORATOR);
      Datasets datasets = new Datasets();
      try {
        Table existing = datasets.getTable(whole);
        String field = existing != null && existing.getTimePartitioning() != null
            ? existing.getTimePartitioning().getField()
            : load.getTimePartitioning() == null ? null : load.getTimePartitioning().getField();
        if (field == null) {
          throw new UnsupportedOperationException(
              "Only column-partitioned tables are modelled; " + destination + " has no partitioning field");
        }
        if (!"NEWLINE_DELIMITED_JSON".equals(load.getSourceFormat())) {
          throw new UnsupportedOperationException("Only JSON loads are modelled, got " + load.getSourceFormat());
        }
        long rows = 0;
        for (String file : load.getSourceUris()) {
          for (TableRow row : readJson(file)) {
            LocalDate rowDay = dayOf(row.get(field));
            if (!day.equals(rowDay)) {
              // BigQuery's own refusal, in substance.
              throw new IOException("Some rows belong to different partitions rather than destination"
                  + " partition " + destination.getTableId().substring(dollar + 1) + ": " + field + "="
                  + row.get(field));
            }
            rows++;
          }
        }
        String writeDisposition = load.getWriteDisposition();
        if ("WRITE_TRUNCATE".equals(writeDisposition)) {
          if (existing != null) {
            removePartition(datasets, whole, day);
          }
        } else if (!"WRITE_APPEND".equals(writeDisposition)) {
          throw new UnsupportedOperationException(writeDisposition + " into a partition is not modelled");
        }
        synchronized (LOADS) {
          LOADS.merge(destination.getTableId(), rows, Long::sum);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      super.startLoadJob(jobRef, load.clone().setWriteDisposition("WRITE_APPEND"));
    }

    /**
     * The fakes keep loaded values as their JSON text, and their Avro export wants them typed, a
     * TIMESTAMP in microseconds as BigQuery exports it: this exports a copy of the table with them
     * converted.
     */
    @Override
    public void startExtractJob(JobReference jobRef, JobConfigurationExtract extract)
        throws IOException {
      TableReference source = extract.getSourceTable();
      TableReference copy = source.clone().setTableId(
          source.getTableId() + "__export_" + Integer.toHexString(jobRef.getJobId().hashCode()));
      Datasets datasets = new Datasets();
      try {
        synchronized (FakeDatasetService.class) {
          Table table = datasets.getTable(source);
          datasets.createTable(table.clone().setTableReference(copy));
          List<TableRow> rows = new ArrayList<>();
          for (TableRow row : datasets.getAllRows(
              source.getProjectId(), source.getDatasetId(), source.getTableId())) {
            TableRow converted = row.clone();
            for (com.google.api.services.bigquery.model.TableFieldSchema field
                : table.getSchema().getFields()) {
              Object value = row.get(field.getName());
              if ("TIMESTAMP".equals(field.getType()) && value instanceof String text) {
                java.time.Instant at = java.time.Instant.parse(
                    text.replace(" UTC", "Z").replace(' ', 'T'));
                converted.set(field.getName(), at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000);
              } else if (value instanceof String text && !"REPEATED".equals(field.getMode())) {
                switch (field.getType()) {
                  case "INTEGER", "INT64" -> converted.set(field.getName(), Long.parseLong(text));
                  case "FLOAT", "FLOAT64" -> converted.set(field.getName(), Double.parseDouble(text));
                  case "BOOLEAN", "BOOL" -> converted.set(field.getName(), Boolean.parseBoolean(text));
                  default -> { }
                }
              }
            }
            rows.add(converted);
          }
          if (!rows.isEmpty()) {
            datasets.insertAll(copy, rows, null);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      super.startExtractJob(jobRef, extract.setSourceTable(copy));
    }

    @Override
    public void startCopyJob(JobReference jobRef, JobConfigurationTableCopy copy)
        throws IOException {
      if (copy.getDestinationTable().getTableId().contains("$")) {
        throw new UnsupportedOperationException("Copy jobs into a partition are not modelled: "
            + copy.getDestinationTable());
      }
      super.startCopyJob(jobRef, copy);
    }
  }

  /** Removes the rows of one day from a table: what BigQuery does to a replaced or deleted partition. */
  private static void removePartition(FakeDatasetService datasets, TableReference whole, LocalDate day)
      throws IOException, InterruptedException {
    synchronized (FakeDatasetService.class) {
      Table table = datasets.getTable(whole);
      String field = table.getTimePartitioning().getField();
      List<TableRow> kept = new ArrayList<>();
      for (TableRow row : datasets.getAllRows(whole.getProjectId(), whole.getDatasetId(), whole.getTableId())) {
        if (!day.equals(dayOf(row.get(field)))) {
          kept.add(row);
        }
      }
      datasets.deleteTable(whole);
      datasets.createTable(table);
      if (!kept.isEmpty()) {
        datasets.insertAll(whole, kept, null);
      }
    }
  }

  /**
   * The UTC day of a TIMESTAMP value as a load file holds it: BigQuery's JSON form
   * {@code 2026-11-27 12:00:00.000 UTC}.
   */
  static LocalDate dayOf(Object timestamp) {
    String text = String.valueOf(timestamp);
    if (!text.endsWith(" UTC")) {
      throw new IllegalArgumentException("Not a UTC TIMESTAMP in BigQuery's JSON form: " + text);
    }
    return LocalDate.parse(text.substring(0, 10));
  }

  private static List<TableRow> readJson(String file) throws IOException {
    Coder<TableRow> coder = TableRowJsonCoder.of();
    List<TableRow> rows = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(Channels.newReader(
        FileSystems.open(FileSystems.matchNewResource(file, false)), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        rows.add(coder.decode(new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)),
            Coder.Context.OUTER));
      }
    }
    return rows;
  }
}
