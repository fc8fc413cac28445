package io.github.analytics.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where the Parquet archive is: the streaming layer writes it, the batch layer reads it. */
public interface ArchiveOptions extends PipelineOptions {
  @Description(
      "Root of the Parquet archive, laid out as <root>/dt=YYYY-MM-DD/hour=HH/*.parquet. A local path"
          + " or s3://bucket/prefix (S3 needs --awsRegion, and --endpoint for an S3-compatible server).")
  @Default.String("data/archive")
  String getArchiveRoot();

  void setArchiveRoot(String value);
}
