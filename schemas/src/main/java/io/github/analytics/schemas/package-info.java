/**
 * The event model: the raw record as it arrives ({@link io.github.analytics.schemas.RawEvent}), the
 * parsed and enriched {@link io.github.analytics.schemas.Event}, the {@link
 * io.github.analytics.schemas.DeadLetter} that keeps what could not be parsed, and the versioned Avro
 * schema of the Parquet archive ({@link io.github.analytics.schemas.ArchiveSchema}).
 *
 * <p>No Beam transforms live here: only records, their Beam schemas (inferred from the AutoValue
 * classes) and their conversions to and from Avro at the edges.
 */
package io.github.analytics.schemas;
