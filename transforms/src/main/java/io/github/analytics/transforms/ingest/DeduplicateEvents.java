package io.github.analytics.transforms.ingest;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.PipelineCounters;
import io.github.analytics.transforms.users.UserStage;
import java.util.List;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * Drops repeated events: of the events of a user that share an {@code event_id}, the earliest copy is
 * kept and the others are counted as {@link PipelineCounters#DUPLICATES_DROPPED} and dropped. Client
 * SDKs retry, so repeats are normal; a retry carries the same {@code event_id}, user and client fields
 * and differs only in its arrival time, so it never has an earlier event time than the original (event
 * time is the client's clock capped at the arrival) and may have a later one.
 *
 * <p>It runs in the per-user stage ({@link UserStage}, keyed by {@code user_id}), so when the metric
 * catalog runs with it ({@code AnalyzeEvents}) the events are shuffled once for deduplication and
 * every per-user metric. Both layers keep the same copy:
 *
 * <ul>
 *   <li>Unbounded (streaming): the first copy processed is kept. A user's records sit in one Kafka
 *       partition in order of arrival, so that is the earliest arrival, which has the earliest event
 *       time. An {@code event_id} is remembered until the watermark passes its first copy's event time
 *       plus {@code horizon} (swept in quarter-horizon steps, so at most 1.25 horizons), so state stays
 *       bounded; a copy that arrives after that is kept as a new event.
 *   <li>Bounded (batch): a user's records come in no particular order, so they are gathered and the
 *       copy with the earliest event time is kept (then the earliest arrival, then the smallest server
 *       timestamp). Every copy within the run is caught, as a stream catches every retry within the
 *       horizon. One user's events meet in one worker's memory.
 * </ul>
 *
 * <p>Records that share an id but not a user are different events to this step (a retry never changes
 * its user). Input: events in any windowing; the output is in the global window at the events' times.
 *
 * <pre>{@code
 * PCollection<Event> unique = events.apply("DeduplicateEvents",
 *     DeduplicateEvents.within(Duration.standardHours(24)));
 * }</pre>
 */
public final class DeduplicateEvents extends PTransform<PCollection<Event>, PCollection<Event>> {
  private static final long serialVersionUID = 1L;

  /** Retries arrive within seconds to hours; a day bounds the state per user. */
  public static final Duration DEFAULT_HORIZON = Duration.standardHours(24);

  private final Duration horizon;

  private DeduplicateEvents(Duration horizon) {
    this.horizon = horizon;
  }

  /** Deduplicates within the default 24-hour horizon. */
  public static DeduplicateEvents of() {
    return within(DEFAULT_HORIZON);
  }

  /** Deduplicates within {@code horizon} of event time. */
  public static DeduplicateEvents within(Duration horizon) {
    if (horizon == null || !horizon.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException(
          "DeduplicateEvents needs a positive horizon, got " + horizon + "; the default is 24 h");
    }
    return new DeduplicateEvents(horizon);
  }

  /** How long an id is remembered on a stream. */
  public Duration horizon() {
    return horizon;
  }

  @Override
  public PCollection<Event> expand(PCollection<Event> input) {
    return input
        .apply("PerUser", UserStage.of(List.of()).withDeduplication(horizon))
        .get(UserStage.EVENTS);
  }
}
