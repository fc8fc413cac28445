package io.github.analytics.pipelines;

import io.github.analytics.pipelines.options.ArchiveStorageOptions;
import io.github.analytics.pipelines.options.ArchiveWriteOptions;
import io.github.analytics.pipelines.options.IngestOptions;
import io.github.analytics.pipelines.options.KafkaOptions;
import io.github.analytics.pipelines.options.LaunchOptions;
import io.github.analytics.pipelines.options.MetricOptions;
import io.github.analytics.pipelines.options.RedisOptions;
import io.github.analytics.pipelines.options.StreamingMetricOptions;
import org.apache.beam.sdk.options.StreamingOptions;

/**
 * The options of {@link StreamingPipeline}: where events come from, how to ingest them (the same as
 * the batch layer), when to fire, and where results go. Runner options ({@code --runner}, {@code
 * --flinkMaster}, {@code --checkpointingInterval}, ...) come from the runner on the classpath.
 */
public interface StreamingPipelineOptions
    extends KafkaOptions,
        RedisOptions,
        ArchiveWriteOptions,
        ArchiveStorageOptions,
        StreamingMetricOptions,
        IngestOptions,
        MetricOptions,
        LaunchOptions,
        StreamingOptions {}
