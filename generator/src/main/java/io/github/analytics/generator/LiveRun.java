package io.github.analytics.generator;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Objects;

/**
 * A window of a generated day replayed as if it were happening now, for a streaming pipeline whose
 * watermark follows the wall clock: the day is shifted so that {@code from} on {@link
 * GeneratorConfig#day()} falls on {@code now} (truncated to the second), only the records arriving in
 * {@code [from, from + length)} are kept, and a {@link LivePacer} releases them as their timestamps come
 * due, {@code speedup} times faster than real time.
 *
 * <pre>{@code
 * LiveRun live = LiveRun.start(GeneratorConfig.forDay(LocalDate.of(2026, 11, 27)),
 *     LocalTime.of(13, 30), Duration.ofHours(1), 60, Instant.now());
 * LivePacer pacer = live.pacer();
 * try (KafkaWriter kafka = KafkaWriter.open("localhost:9092", "events")) {
 *   for (GeneratedRecord record : live.generator()) {
 *     pacer.acquire(record.receivedAtMillis());
 *     kafka.write(record);
 *   }
 * }
 * }</pre>
 *
 * <p>Deterministic given its inputs: the same config, window and {@code now} give the same bytes. With
 * speedup above 1, record times run ahead of the wall clock, never behind it. Immutable.
 */
public final class LiveRun {
  /** Where a live run starts in the day by default: an afternoon with busy traffic. */
  public static final LocalTime DEFAULT_FROM = LocalTime.of(13, 30);
  /** How much of the day a live run replays by default. */
  public static final Duration DEFAULT_LENGTH = Duration.ofHours(1);

  private final EventGenerator generator;
  private final Instant start;
  private final double speedup;

  private LiveRun(EventGenerator generator, Instant start, double speedup) {
    this.generator = generator;
    this.start = start;
    this.speedup = speedup;
  }

  /**
   * Plans a live replay of {@code [from, from + length)} of {@code config}'s day starting at {@code
   * now}. Any shift or window already in {@code config} is replaced.
   *
   * @param speedup simulated time per unit of wall-clock time, at least 1
   * @param now the wall-clock instant that {@code from} maps to; truncated to the second
   * @throws IllegalArgumentException if the config, window or speedup is invalid, with what to change
   */
  public static LiveRun start(
      GeneratorConfig config, LocalTime from, Duration length, double speedup, Instant now) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(length, "length");
    if (!(speedup >= 1) || Double.isInfinite(speedup)) {
      throw new IllegalArgumentException(
          "The speedup is " + speedup + ": use 1 (real time) or more, e.g. 60 for an hour a minute");
    }
    Instant start = now.truncatedTo(ChronoUnit.SECONDS);
    Instant simulatedFrom = config.dayStart().plusNanos(from.toNanoOfDay());
    GeneratorConfig live =
        config.withTimeShift(Duration.between(simulatedFrom, start)).withWindow(from, length);
    return new LiveRun(EventGenerator.of(live), start, speedup);
  }

  /** The shifted, windowed config. */
  public GeneratorConfig config() {
    return generator.config();
  }

  /** The generator of the shifted window; each iteration is an independent run over the same records. */
  public EventGenerator generator() {
    return generator;
  }

  /** A fresh run over the window's records, shifted, in order of arrival. */
  public Iterator<GeneratedRecord> records() {
    return generator.iterator();
  }

  /** The wall-clock instant the window starts at, and the first instant a record may carry. */
  public Instant start() {
    return start;
  }

  /** The end of the window, shifted (exclusive): every record arrives before it. */
  public Instant end() {
    return start.plus(config().windowLength());
  }

  /** How far the day is shifted: {@code start()} minus {@code from} on the day. */
  public Duration timeShift() {
    return config().timeShift();
  }

  /** Simulated time per unit of wall-clock time. */
  public double speedup() {
    return speedup;
  }

  /** When the last record is due on the wall clock: {@code start() + length / speedup}. */
  public Instant wallEnd() {
    return start.plusNanos((long) Math.ceil(config().windowLength().toNanos() / speedup));
  }

  /** A pacer on the system clock releasing each record when its time comes, from {@link #start()}. */
  public LivePacer pacer() {
    return LivePacer.of(start, start, speedup);
  }
}
