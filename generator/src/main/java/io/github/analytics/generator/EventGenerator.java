package io.github.analytics.generator;

import io.github.analytics.schemas.RawEvent;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Generates one UTC day of synthetic product events as {@link RawEvent}s, deterministically: the same
 * {@link GeneratorConfig} always yields the same records, byte for byte.
 *
 * <pre>{@code
 * EventGenerator generator = EventGenerator.of(GeneratorConfig.forDay(LocalDate.of(2026, 11, 27)));
 * try (JsonLinesWriter out = JsonLinesWriter.to(Path.of("events.jsonl"))) {
 *   GenerationSummary summary = generator.generate(record -> out.write(record.raw()));
 *   System.out.print(summary.format());
 * }
 * }</pre>
 *
 * <p>What a day contains:
 *
 * <ul>
 *   <li>Users with a fixed platform ({@code web}, {@code ios}, {@code android}), app version, user agent,
 *       country and IP (drawn from {@link GeoFixture}); about 3% have a client clock off by up to ten
 *       minutes either way.
 *   <li>Sessions of page views and clicks, with events seconds to minutes apart and more than 30 minutes
 *       between two sessions of a user. About 25% of sessions add to cart and about 30% of those buy.
 *       Traffic follows a daily curve peaking around 18:00 UTC.
 *   <li>Campaign touchpoints: in {@link GeneratorConfig#touchpointShare()} of the sessions (35% by
 *       default) the first page view's {@code properties} gain {@code utm_source}, {@code utm_medium}
 *       and {@code utm_campaign} (from a small fixed set, matching the session's referrer), or, for a
 *       session that would arrive direct, sometimes only a {@code referrer} URL; sessions that buy are
 *       touched somewhat more often. No other event carries them, and they change nothing else in the
 *       day (see {@link Touchpoints}).
 *   <li>Arrival ({@code server_timestamp} = {@link RawEvent#getReceivedAt()}) 50 ms to 2 s after the event,
 *       except late events (from app users) that arrive 1 to 6 hours later, possibly after midnight.
 *   <li>Duplicates (client retries) 1 to 30 s after the original; malformed records of every {@link
 *       io.github.analytics.schemas.DeadLetterReason} but {@code INVALID_IDENTIFIER} (which came
 *       later; the output stays as it was), each at least once a day; an optional 10-minute
 *       burst of errors at about 20 times the normal rate.
 * </ul>
 *
 * <p>{@link GeneratorConfig#withTimeShift} moves every timestamp of the output (to replay a day as if it
 * were now, see {@link LiveRun}) and {@link GeneratorConfig#withWindow} keeps only the records arriving
 * in part of the day; both leave the rest of each record as it is in the full, unshifted day.
 *
 * <p>Records come out in order of arrival (ties in generation order). The generator never sleeps and
 * keeps only the sessions in flight and the late records in memory, so a day of ten million events
 * streams in constant memory. An instance is immutable; each iteration is an independent run.
 */
public final class EventGenerator implements Iterable<GeneratedRecord> {
  /** The {@link RawEvent#getSource()} of every generated record. */
  public static final String SOURCE = "generator";

  private final GeneratorConfig config;

  private EventGenerator(GeneratorConfig config) {
    this.config = config;
  }

  /**
   * A generator for {@code config}.
   *
   * @throws IllegalArgumentException if {@link GeneratorConfig#validate()} fails
   */
  public static EventGenerator of(GeneratorConfig config) {
    return new EventGenerator(Objects.requireNonNull(config, "config").validate());
  }

  /** The validated config. */
  public GeneratorConfig config() {
    return config;
  }

  /** A fresh run over the day: the records in order of arrival, with what each is meant to be. */
  @Override
  public Iterator<GeneratedRecord> iterator() {
    return new DayRun(config);
  }

  /** A fresh run over the day, as the platform would see it: just the {@link RawEvent}s. */
  public Iterator<RawEvent> rawEvents() {
    Iterator<GeneratedRecord> records = iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return records.hasNext();
      }

      @Override
      public RawEvent next() {
        return records.next().raw();
      }
    };
  }

  /** Runs the day, handing every record to {@code sink}, and returns what was generated. */
  public GenerationSummary generate(Consumer<? super GeneratedRecord> sink) {
    SummaryAccumulator summary = new SummaryAccumulator();
    Iterator<GeneratedRecord> records = iterator();
    while (records.hasNext()) {
      GeneratedRecord record = records.next();
      summary.add(record);
      sink.accept(record);
    }
    return summary.build();
  }
}
