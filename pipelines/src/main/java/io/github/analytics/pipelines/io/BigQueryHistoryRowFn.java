package io.github.analytics.pipelines.io;

import com.google.api.services.bigquery.model.TableRow;
import io.github.analytics.pipelines.options.DateRange;
import java.time.LocalDate;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryUtils;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A row of a BigQuery history table ({@link BigQueryWarehouse#readHistory}) as a Beam row, if its day
 * was asked for and is not one the run computes again.
 */
final class BigQueryHistoryRowFn extends DoFn<TableRow, Row> {
  private static final long serialVersionUID = 1L;
  private final Schema schema;
  private final String dayColumn;
  private final @Nullable DateRange read;
  private final DateRange run;

  BigQueryHistoryRowFn(Schema schema, String dayColumn, @Nullable DateRange read, DateRange run) {
    this.schema = schema;
    this.dayColumn = dayColumn;
    this.read = read;
    this.run = run;
  }

  @ProcessElement
  public void process(@Element TableRow tableRow, OutputReceiver<Row> out) {
    Row row = BigQueryUtils.toBeamRow(schema, tableRow);
    LocalDate day = java.time.Instant.ofEpochMilli(row.getDateTime(dayColumn).getMillis())
        .atZone(java.time.ZoneOffset.UTC).toLocalDate();
    boolean inRun = !day.isBefore(run.from()) && !day.isAfter(run.to());
    boolean wanted = read == null || (!day.isBefore(read.from()) && !day.isAfter(read.to()));
    if (wanted && !inRun) {
      out.output(row);
    }
  }
}
