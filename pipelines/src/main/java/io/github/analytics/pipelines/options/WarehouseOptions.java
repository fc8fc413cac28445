package io.github.analytics.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where the batch layer writes its tables. */
public interface WarehouseOptions extends PipelineOptions {
  /** The warehouses the batch layer can write. */
  enum Warehouse {
    /** An embedded DuckDB file: no server, no account. */
    DUCKDB
  }

  @Description("The warehouse to write: DUCKDB (embedded, the default).")
  @Default.Enum("DUCKDB")
  Warehouse getWarehouse();

  void setWarehouse(Warehouse value);

  @Description("The DuckDB database file (created if absent).")
  @Default.String("data/warehouse.duckdb")
  String getDuckDbPath();

  void setDuckDbPath(String value);

  @Description(
      "Directory for the Parquet files that workers write before they are loaded into DuckDB."
          + " Defaults to <duckDbPath>.staging. Must be reachable by the workers and the launcher.")
  String getStagingDirectory();

  void setStagingDirectory(String value);
}
