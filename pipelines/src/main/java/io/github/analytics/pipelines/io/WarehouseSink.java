package io.github.analytics.pipelines.io;

import io.github.analytics.pipelines.options.DateRange;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A warehouse the batch layer writes: one table per output. Writes are idempotent per date range: a
 * re-run over the same days replaces their rows instead of adding to them.
 */
public interface WarehouseSink {
  /**
   * Adds to the graph the write of {@code rows} (a {@code PCollection} with a Beam schema) to {@code
   * table}, whose rows belong to the UTC day of their {@code dayColumn} (a timestamp column).
   */
  default <T> void write(String table, String dayColumn, PCollection<T> rows) {
    write(table, dayColumn, null, rows);
  }

  /**
   * As {@link #write(String, String, PCollection)}, but the commit replaces the rows of {@code days}
   * in this table (null: the run's days), for metrics whose run rewrites other days too (retention
   * cohorts of the last 30 days): {@code rows} holds every row of those days.
   */
  <T> void write(String table, String dayColumn, @Nullable DateRange days, PCollection<T> rows);

  /**
   * What the warehouse holds of a table the warehouse metrics read across runs ({@code
   * user_activity_daily}, {@code user_touchpoints}): its rows, of {@code schema}, whose {@code
   * dayColumn} lies in {@code read} but not in {@code run} (this run computes those again). Empty when
   * the table does not exist yet.
   */
  PCollection<Row> readHistory(
      Pipeline pipeline, String table, Schema schema, String dayColumn, DateRange read, DateRange run);

  /**
   * The earliest {@code user_first_seen} row of each user and event type, of the days outside {@code
   * run}; empty when the table does not exist yet.
   */
  PCollection<Row> readFirstSeen(Pipeline pipeline, DateRange run);

  /**
   * Called once the pipeline has finished successfully: makes the rows visible, replacing the rows of
   * every written table whose day lies in {@code range}; a day that got no row in this run is left
   * empty. {@code result} is the finished run, for warehouses that read its metrics.
   */
  void commit(DateRange range, PipelineResult result) throws Exception;

  /** Where a user finds the result, for example a file path or a dataset name. */
  String location();

  /**
   * Checks a table about to be added to the graph: lower_snake_case names (they go into SQL and
   * table ids unquoted), and not one of the tables already {@code written} in this pipeline.
   */
  static void checkNewTable(String table, String dayColumn, java.util.Set<String> written) {
    java.util.regex.Pattern name = java.util.regex.Pattern.compile("^[a-z][a-z0-9_]*$");
    if (!name.matcher(table).matches() || !name.matcher(dayColumn).matches()) {
      throw new IllegalArgumentException(
          "Table and column names must be lower_snake_case, got " + table + "." + dayColumn);
    }
    if (written.contains(table)) {
      throw new IllegalArgumentException("Table " + table + " is written twice in one pipeline");
    }
  }
}
