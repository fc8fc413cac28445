package io.github.analytics.transforms.users;

import io.github.analytics.schemas.Event;
import java.io.Serializable;
import org.apache.beam.sdk.coders.Coder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The per-user part of a metric: what it keeps about one user, what it does with each of the user's
 * events, and what it emits as event time passes. {@link UserStage} runs any number of them in one
 * stateful step keyed by {@code user_id}, after deduplication, with one timer per user: the earliest
 * {@link #nextWakeUp} of its metrics.
 *
 * <p>Order of calls, per user:
 *
 * <ul>
 *   <li>bounded input (batch): {@link #onEvent} for each of the user's unique events in event-time
 *       order (ties broken by {@code event_id}), then {@link #onTime} once with {@link
 *       Long#MAX_VALUE}: everything is final and the state is dropped;
 *   <li>unbounded input (streaming): {@link #onEvent} in arrival order, late events included, and
 *       {@link #onTime}{@code (t)} once the watermark has passed {@code t >= nextWakeUp(state)} (is
 *       later than it, as for Beam's event-time timers: a window's end-of-window time is its last
 *       millisecond).
 * </ul>
 *
 * <p>State objects are the metric's own: it may change the one it is given and return it (the stage
 * writes it back), or return null when it keeps nothing for the user. It must not keep references to
 * a state after returning it, nor to emitted values. Implementations are stateless and serializable;
 * everything per user lives in the state, encoded with {@link #stateCoder()}.
 *
 * @param <StateT> what the metric keeps per user
 * @param <OutputT> what it emits (rows, or records a later step aggregates)
 */
public abstract class UserMetric<StateT, OutputT> implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Receives what a metric emits, with the event-time timestamp each value should carry. */
  public interface Output<T> {
    void emit(T value, long timestampMillis);
  }

  /** A short name, unique in one stage: it names the output and the step. */
  public abstract String name();

  public abstract Coder<StateT> stateCoder();

  public abstract Coder<OutputT> outputCoder();

  /**
   * One unique event of {@code user}. {@code state} is null when the metric keeps nothing for the
   * user yet.
   *
   * @return the new state, or null to keep nothing
   */
  public abstract @Nullable StateT onEvent(
      String user, @Nullable StateT state, Event event, Output<OutputT> out);

  /** The earliest event time at which {@link #onTime} must run, or {@link Long#MAX_VALUE}. */
  public abstract long nextWakeUp(StateT state);

  /**
   * The watermark has passed {@code time} ({@link Long#MAX_VALUE} at the end of a bounded input):
   * emit what is due and drop what can no longer change.
   *
   * @return the new state, or null to keep nothing
   */
  public abstract @Nullable StateT onTime(
      String user, StateT state, long time, Output<OutputT> out);

  /**
   * How long after the user's latest event (in event time) the stage keeps this metric's state once
   * {@link #nextWakeUp} says nothing is due: what a metric keeps then is a tombstone against events so
   * late that they must be dropped (a session already let go of). A stage that deduplicates keeps
   * every user's state for its horizon anyway. Default: no retention.
   */
  public org.joda.time.Duration retention() {
    return org.joda.time.Duration.ZERO;
  }

  /**
   * Whether the metric has {@link #early} results: the stage keeps track of changed users only for
   * the metrics that do. Default: no.
   */
  public boolean hasEarlyResults() {
    return false;
  }

  /**
   * Streaming only, when the stage fires early results and {@link #hasEarlyResults}: the current
   * values that {@code state} has not emitted as final. The stage calls it once per early-firing
   * period for each user whose state changed in it, with the latest state; it must only read that
   * state. By default a metric has no early results.
   */
  public void early(String user, StateT state, Output<OutputT> out) {}
}
