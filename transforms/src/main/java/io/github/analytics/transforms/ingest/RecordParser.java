package io.github.analytics.transforms.ingest;

import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.RawEvent;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@link ParseEvents}' decision for one record at a time, outside a pipeline: the same parser with the
 * same limits, for a tool that must decide exactly as the pipelines do (the dead-letter replay asks
 * it whether a dead letter parses now). Obtain one from {@link ParseEvents#recordParser()}.
 *
 * <pre>{@code
 * RecordParser parser = ParseEvents.of().withMaxPayloadBytes(32 * 1024).recordParser();
 * RecordParser.Outcome outcome = parser.parse(RawEvent.of(payload, arrival, "kafka:events/0@7"));
 * if (outcome.event() != null) { ... outcome.event().getUserId() ... }
 * }</pre>
 *
 * <p>An instance reuses its buffers between records: use one per thread.
 */
public final class RecordParser {
  private final EventParser parser;

  RecordParser(EventParser parser) {
    this.parser = parser;
  }

  /**
   * What {@link ParseEvents} makes of one record: exactly one of {@code event} and {@code deadLetter}
   * is set.
   */
  public record Outcome(@Nullable Event event, @Nullable DeadLetter deadLetter) {}

  /**
   * The event {@code raw} parses into, or the dead letter the pipelines would write for it. Its
   * {@code received_at} is the arrival the range check of {@code client_timestamp} compares with when
   * the payload has no {@code server_timestamp}.
   */
  public Outcome parse(RawEvent raw) {
    EventParser.Outcome outcome = parser.parseGuarded(raw);
    return new Outcome(outcome.event, outcome.deadLetter);
  }
}
