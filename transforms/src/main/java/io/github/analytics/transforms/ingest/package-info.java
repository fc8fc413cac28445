/**
 * From raw records to clean events, identically in both layers: {@link
 * io.github.analytics.transforms.ingest.ParseEvents} (JSON to {@code Event}, invalid records to dead
 * letters), {@link io.github.analytics.transforms.ingest.DeduplicateEvents} (by {@code event_id} within an
 * event-time horizon), {@link io.github.analytics.transforms.ingest.EnrichEvents} (geolocation and
 * device), {@link io.github.analytics.transforms.ingest.IngestEvents}, which chains the three, and {@link
 * io.github.analytics.transforms.ingest.RecordParser}, the parse step's decision for one record outside
 * a pipeline.
 */
package io.github.analytics.transforms.ingest;
