/**
 * The transforms that both the streaming and the batch layer apply. Nothing here reads a source,
 * writes a sink or looks at {@code PipelineOptions}: windows, horizons and limits are typed parameters.
 *
 * <ul>
 *   <li>{@code ingest}: raw records to clean events (parse, deduplicate, enrich).
 *   <li>{@link io.github.analytics.transforms.PipelineCounters}: the names of the Beam counters that
 *       account for every record.
 * </ul>
 */
package io.github.analytics.transforms;
