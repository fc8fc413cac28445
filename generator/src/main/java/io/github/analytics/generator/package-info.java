/**
 * A deterministic generator of synthetic product events, and the files it writes.
 *
 * <p>{@link io.github.analytics.generator.EventGenerator} turns a {@link
 * io.github.analytics.generator.GeneratorConfig} into one UTC day of {@link
 * io.github.analytics.schemas.RawEvent}s: users in sessions going through a shop funnel, some arriving
 * through a campaign (UTM tags or a referrer on the first page view), with clock skew, late arrivals,
 * client retries (duplicates), malformed records of every {@link
 * io.github.analytics.schemas.DeadLetterReason} but {@code INVALID_IDENTIFIER}, and an optional error
 * burst. The same seed and config give byte-identical output. Records stream out in order of arrival,
 * minute by minute, so a day of ten million events never sits in memory.
 *
 * <p>Sinks: {@link io.github.analytics.generator.ArchiveWriter} (the Parquet archive partitioned by
 * {@code dt}/{@code hour} of arrival), {@link io.github.analytics.generator.JsonLinesWriter} (one payload a
 * line) and {@link io.github.analytics.generator.MmdbWriter} (a MaxMind DB that geolocates the generated
 * IPs, built from {@link io.github.analytics.generator.GeoFixture}). {@link
 * io.github.analytics.generator.GenerateCommand} is the command line over all of them.
 *
 * <p>Live replay: {@link io.github.analytics.generator.LiveRun} shifts a window of a day so it happens
 * now, and {@link io.github.analytics.generator.LivePacer} releases its records as their timestamps come
 * due, for sources and pipelines whose watermark follows the wall clock.
 */
package io.github.analytics.generator;
