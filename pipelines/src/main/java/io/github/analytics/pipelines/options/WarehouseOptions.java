package io.github.analytics.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where the batch layer writes its tables. */
public interface WarehouseOptions extends PipelineOptions {
  /** The warehouses the batch layer can write. */
  enum Warehouse {
    /** An embedded DuckDB file: no server, no account. */
    DUCKDB,
    /** Google BigQuery: one day-partitioned table per output in {@code --bigQueryDataset}. */
    BIGQUERY
  }

  @Description(
      "The warehouse to write: DUCKDB (embedded, the default) or BIGQUERY (needs --bigQueryDataset"
          + " and --bigQueryTempLocation or --tempLocation).")
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

  @Description(
      "With --warehouse=BIGQUERY: the dataset to write, as PROJECT:DATASET (for example"
          + " my-project:analytics). It must exist (bq mk --dataset PROJECT:DATASET); tables are"
          + " created in it when missing, one per output, partitioned by day. Load jobs run in"
          + " --project, which defaults to the dataset's project.")
  String getBigQueryDataset();

  void setBigQueryDataset(String value);

  @Description(
      "With --warehouse=BIGQUERY: a gs:// folder for the files that BigQuery load jobs read"
          + " (for example gs://my-bucket/tmp/bigquery). Defaults to --tempLocation. The files are"
          + " removed when their load job has run.")
  String getBigQueryTempLocation();

  void setBigQueryTempLocation(String value);
}
