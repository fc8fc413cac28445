/**
 * The pipelines: each one small class that wires sources and sinks around the shared transforms.
 * {@link io.github.analytics.pipelines.BatchPipeline} reads the Parquet archive for a date range and
 * writes the warehouse. Options are composed from the mix-ins in {@code options}; sources and sinks live
 * in {@code io}.
 */
package io.github.analytics.pipelines;
