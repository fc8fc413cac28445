/**
 * Sources and sinks at the edges of the pipelines: the Parquet archive ({@link
 * io.github.analytics.pipelines.io.ArchiveSource}) and the warehouses ({@link
 * io.github.analytics.pipelines.io.WarehouseSink}, with {@link
 * io.github.analytics.pipelines.io.DuckDbWarehouse} as the embedded default).
 */
package io.github.analytics.pipelines.io;
