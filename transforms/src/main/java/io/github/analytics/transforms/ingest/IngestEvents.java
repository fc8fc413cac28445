package io.github.analytics.transforms.ingest;

import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.RawEvent;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;

/**
 * Raw records to clean events, the one ingest path of both layers: {@link ParseEvents}, then {@link
 * DeduplicateEvents}, then {@link EnrichEvents}. The output events carry event-time timestamps and sit
 * in the global window; the failures are the parser's dead letters.
 *
 * <pre>{@code
 * WithFailures.Result<PCollection<Event>, DeadLetter> ingested = raw.apply("IngestEvents",
 *     IngestEvents.of(ParseEvents.of(), DeduplicateEvents.of(), EnrichEvents.of()));
 * }</pre>
 */
public final class IngestEvents
    extends PTransform<PCollection<RawEvent>, WithFailures.Result<PCollection<Event>, DeadLetter>> {
  private static final long serialVersionUID = 1L;

  private final ParseEvents parse;
  private final DeduplicateEvents deduplicate;
  private final EnrichEvents enrich;

  private IngestEvents(ParseEvents parse, DeduplicateEvents deduplicate, EnrichEvents enrich) {
    this.parse = parse;
    this.deduplicate = deduplicate;
    this.enrich = enrich;
  }

  public static IngestEvents of(
      ParseEvents parse, DeduplicateEvents deduplicate, EnrichEvents enrich) {
    return new IngestEvents(parse, deduplicate, enrich);
  }

  public ParseEvents parse() {
    return parse;
  }

  public DeduplicateEvents deduplicate() {
    return deduplicate;
  }

  public EnrichEvents enrich() {
    return enrich;
  }

  @Override
  public WithFailures.Result<PCollection<Event>, DeadLetter> expand(PCollection<RawEvent> input) {
    WithFailures.Result<PCollection<Event>, DeadLetter> parsed = input.apply("ParseEvents", parse);
    PCollection<Event> events =
        parsed
            .output()
            .apply("DeduplicateEvents", deduplicate)
            .apply("EnrichEvents", enrich);
    return WithFailures.Result.of(events, parsed.failures());
  }
}
