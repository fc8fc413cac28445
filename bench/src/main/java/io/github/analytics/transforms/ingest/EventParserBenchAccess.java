package io.github.analytics.transforms.ingest;

import io.github.analytics.schemas.RawEvent;
import org.joda.time.Duration;

/**
 * The bench's way in to the package-private {@link EventParser}: this class lives in the bench
 * module but in the parser's package, so that {@code ParserMicroBench} can time the parser itself
 * without the transforms module widening its API for a benchmark.
 */
public final class EventParserBenchAccess {
  private final EventParser parser;

  private EventParserBenchAccess(EventParser parser) {
    this.parser = parser;
  }

  /** A parser with {@link ParseEvents}' limits. */
  public static EventParserBenchAccess withLimits(
      int maxPayloadBytes, int maxPropertiesBytes, Duration maxPast, Duration maxFuture) {
    return new EventParserBenchAccess(
        new EventParser(maxPayloadBytes, maxPropertiesBytes, maxPast, maxFuture));
  }

  /** The record's {@code Event}, or its {@code DeadLetter}. */
  public Object parse(RawEvent raw) {
    EventParser.Outcome outcome = parser.parse(raw);
    return outcome.event != null ? outcome.event : outcome.deadLetter;
  }
}
