package io.github.analytics.pipelines.options;

import io.github.analytics.transforms.ingest.DeduplicateEvents;
import io.github.analytics.transforms.ingest.EnrichEvents;
import io.github.analytics.transforms.ingest.IngestEvents;
import io.github.analytics.transforms.ingest.ParseEvents;
import org.joda.time.Duration;

/** Turns {@link IngestOptions} into the shared ingest path; both layers build it here. */
public final class IngestSettings {
  private IngestSettings() {}

  /** Parse, deduplicate and enrich, as the options configure them. */
  public static IngestEvents configure(IngestOptions options) {
    return IngestEvents.of(
        parseEvents(options),
        DeduplicateEvents.within(Duration.standardHours(options.getDedupeHorizonHours())),
        EnrichEvents.of()
            .withGeoDatabase(options.getGeoDatabase())
            .withUserAgentCacheSize(options.getUserAgentCacheSize()));
  }

  /**
   * The parse step as the options configure it; also what the dead-letter replay asks, through
   * {@link ParseEvents#recordParser()}, whether a record parses now.
   */
  public static ParseEvents parseEvents(IngestOptions options) {
    return ParseEvents.of()
        .withMaxPayloadBytes(options.getMaxPayloadBytes())
        .withMaxPropertiesBytes(options.getMaxPropertiesBytes())
        .withMaxPast(Duration.standardHours(options.getMaxClientClockPastHours()))
        .withMaxFuture(Duration.standardHours(options.getMaxClientClockFutureHours()));
  }
}
