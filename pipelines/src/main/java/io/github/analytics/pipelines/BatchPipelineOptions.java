package io.github.analytics.pipelines;

import io.github.analytics.pipelines.options.AnalyticsOptions;
import io.github.analytics.pipelines.options.ArchiveReadOptions;
import io.github.analytics.pipelines.options.ArchiveStorageOptions;
import io.github.analytics.pipelines.options.IngestOptions;
import io.github.analytics.pipelines.options.MetricOptions;
import io.github.analytics.pipelines.options.WarehouseOptions;

/**
 * The options of {@link BatchPipeline}: what to read, how to ingest, where to write. Runner options
 * ({@code --runner}, {@code --flinkMaster}, ...) come from the runner on the classpath; {@code
 * --help=BatchPipelineOptions} lists these.
 */
public interface BatchPipelineOptions
    extends ArchiveReadOptions, ArchiveStorageOptions, IngestOptions, MetricOptions, WarehouseOptions,
        AnalyticsOptions {}
