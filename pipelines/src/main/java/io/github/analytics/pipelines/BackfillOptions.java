package io.github.analytics.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * The options of a backfill ({@link io.github.analytics.pipelines.backfill.Backfill}): the batch
 * layer's, run one day at a time over {@code --fromDate}..{@code --toDate}, plus these.
 */
public interface BackfillOptions extends BatchPipelineOptions {
  @Description(
      "Re-run every day of the range, even days whose completion marker says they are done and whose"
          + " archive has not changed since.")
  @Default.Boolean(false)
  boolean getForce();

  void setForce(boolean value);

  @Description(
      "Directory of the per-day completion markers (<day>.json), on any file system the pipeline can"
          + " write (a local path, s3://, gs://). Defaults to <duckDbPath>.markers for the DuckDB"
          + " warehouse; required for other warehouses, since the launcher may run anywhere.")
  String getMarkerRoot();

  void setMarkerRoot(String value);
}
