package io.github.analytics.transforms.metrics;

import java.io.Serializable;
import java.util.Objects;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.WindowingStrategy.AccumulationMode;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * When a windowed metric emits its results: the one thing that differs between the layers, injected
 * into every metric by the pipeline that runs it. A metric never chooses its own trigger.
 *
 * <ul>
 *   <li>{@link #batch()}: one result per window, when the input is complete.
 *   <li>{@link #streaming(Duration, Duration)}: early results every {@code earlyFiringDelay} of
 *       processing time while a window is open, the on-time result when the watermark passes its end,
 *       and corrected results for late elements within {@code allowedLateness}, at most one per {@code
 *       earlyFiringDelay} (and a last one when the window expires); panes accumulate, so every result
 *       is the window's whole value so far and sinks write it as an absolute value.
 * </ul>
 *
 * <p>Empty on-time panes are never emitted ({@code FIRE_IF_NON_EMPTY}): with the default, one
 * watermark jump past a window's end and its lateness made an empty pane follow the correct one, and an
 * absolute-value sink wrote 0.
 *
 * <pre>{@code
 * events.apply(WindowPolicy.streaming(Duration.standardSeconds(5), Duration.standardMinutes(10))
 *     .window(FixedWindows.of(Duration.standardMinutes(1))));
 * }</pre>
 */
public final class WindowPolicy implements Serializable {
  private static final long serialVersionUID = 1L;

  private final @Nullable Duration earlyFiringDelay;
  private final Duration allowedLateness;

  private WindowPolicy(@Nullable Duration earlyFiringDelay, Duration allowedLateness) {
    this.earlyFiringDelay = earlyFiringDelay;
    this.allowedLateness = allowedLateness;
  }

  /** One result per window once its input is complete; nothing is late in a bounded input. */
  public static WindowPolicy batch() {
    return new WindowPolicy(null, Duration.ZERO);
  }

  /**
   * Early results every {@code earlyFiringDelay} of processing time after a window's first element,
   * the on-time result at the watermark, and late corrections for {@code allowedLateness} after it,
   * batched over the same delay.
   */
  public static WindowPolicy streaming(Duration earlyFiringDelay, Duration allowedLateness) {
    if (earlyFiringDelay == null || !earlyFiringDelay.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException(
          "The early firing delay must be positive, got " + earlyFiringDelay
              + "; use WindowPolicy.batch() for results only at the end.");
    }
    if (allowedLateness == null || allowedLateness.isShorterThan(Duration.ZERO)) {
      throw new IllegalArgumentException(
          "The allowed lateness must be zero or positive, got " + allowedLateness);
    }
    return new WindowPolicy(earlyFiringDelay, allowedLateness);
  }

  /** How long after a window's end late data still corrects it. */
  public Duration allowedLateness() {
    return allowedLateness;
  }

  /** The early-firing period, or null when results come only at the watermark. */
  public @Nullable Duration earlyFiringDelay() {
    return earlyFiringDelay;
  }

  /** {@code Window.into(windowFn)} with this policy's trigger, lateness and accumulation. */
  public <T> Window<T> window(WindowFn<? super T, ?> windowFn) {
    Window<T> window = Window.into(windowFn);
    AfterWatermark.FromEndOfWindow onTime = AfterWatermark.pastEndOfWindow();
    Window<T> triggered =
        earlyFiringDelay == null
            ? window.triggering(onTime.withLateFirings(AfterPane.elementCountAtLeast(1)))
            : window.triggering(
                onTime
                    .withEarlyFirings(
                        AfterProcessingTime.pastFirstElementInPane().plusDelayOf(earlyFiringDelay))
                    // Late data is batched like early data (as Beam's LeaderBoard does): one pane
                    // per period, not one per late element, each carrying the window's whole value.
                    .withLateFirings(
                        AfterProcessingTime.pastFirstElementInPane().plusDelayOf(earlyFiringDelay)));
    return triggered
        .withAllowedLateness(allowedLateness)
        .accumulatingFiredPanes()
        .withOnTimeBehavior(Window.OnTimeBehavior.FIRE_IF_NON_EMPTY);
  }

  /**
   * The same policy with {@code extra} more allowed lateness: for windows whose input is emitted a
   * known time after its timestamp (a funnel attempt's steps, a window after the attempt starts).
   */
  public WindowPolicy withExtraLateness(Duration extra) {
    if (extra == null || extra.isShorterThan(Duration.ZERO)) {
      throw new IllegalArgumentException("Extra lateness must be zero or positive, got " + extra);
    }
    return new WindowPolicy(earlyFiringDelay, allowedLateness.plus(extra));
  }

  /** The same policy without early firings: for steps that must see only complete windows. */
  public WindowPolicy withoutEarlyFirings() {
    return new WindowPolicy(null, allowedLateness);
  }

  /** The mode every window of this policy uses. */
  public AccumulationMode accumulationMode() {
    return AccumulationMode.ACCUMULATING_FIRED_PANES;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof WindowPolicy other
        && Objects.equals(earlyFiringDelay, other.earlyFiringDelay)
        && allowedLateness.equals(other.allowedLateness);
  }

  @Override
  public int hashCode() {
    return Objects.hash(earlyFiringDelay, allowedLateness);
  }

  @Override
  public String toString() {
    return earlyFiringDelay == null
        ? "WindowPolicy{at the watermark, lateness " + allowedLateness + "}"
        : "WindowPolicy{early every " + earlyFiringDelay + ", lateness " + allowedLateness + "}";
  }
}
