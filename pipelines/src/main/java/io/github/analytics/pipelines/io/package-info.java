/**
 * Sources and sinks at the edges of the pipelines: the Parquet archive ({@link
 * io.github.analytics.pipelines.io.ArchiveSource}) and the warehouses ({@link
 * io.github.analytics.pipelines.io.WarehouseSink}, with {@link
 * io.github.analytics.pipelines.io.DuckDbWarehouse} as the embedded default and {@link
 * io.github.analytics.pipelines.io.BigQueryWarehouse} with its table definitions in {@link
 * io.github.analytics.pipelines.io.BigQuerySchemas}), and the S3 client
 * factory that lets Beam's S3 file system use S3-compatible servers ({@link
 * io.github.analytics.pipelines.io.PathStyleS3ClientBuilderFactory}).
 */
package io.github.analytics.pipelines.io;
