package io.github.analytics.transforms.users;

import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.EventCoder;
import io.github.analytics.transforms.StepFailures;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * The per-user stage: events keyed by {@code user_id} into one stateful step that deduplicates them
 * (when asked to) and runs every {@link UserMetric} given, with one state cell and one event-time
 * timer per user. The events are shuffled once for all of it; each per-user metric would otherwise
 * shuffle them again and keep state and timers of its own. On a bounded input they cross that shuffle
 * as their encoded bytes, decoded once in the stage (see {@code BoundedUserStageFn}).
 *
 * <p><b>Deduplication</b> ({@link #withDeduplication}): of the events of a user that share an {@code
 * event_id}, one is kept and the others are counted as {@code duplicates_dropped}. On an unbounded
 * input the first copy processed is kept (a user's records sit in one Kafka partition in arrival
 * order, so that is the earliest arrival, which has the earliest event time: event time is capped at
 * the arrival), and an id is remembered until the watermark passes its event time plus the horizon.
 * On a bounded input a user's events come in no order, so they are gathered and the earliest copy is
 * kept: earliest event time, then earliest arrival, then smallest server timestamp. Retries carry the
 * user of the original, so keying by user finds every copy; records that share an id but not a user
 * are different events.
 *
 * <p><b>Metrics</b> see each user's unique events: in event-time order on a bounded input, in arrival
 * order on an unbounded one (see {@link UserMetric} for the calls). With {@link #withEarlyFirings} the
 * stage sends each metric's {@link UserMetric#early} values of the users that changed, the latest of
 * each, one period after the first change (one processing-time timer per worker instance, not per
 * user), so dashboards see sessions while they are open. Early values waiting when a job fails are
 * sent again only when their user changes again or closes; they are early results, never final.
 *
 * <p>Output: a tuple with the kept events under {@link #EVENTS} (in the global window, at their event
 * times; only with deduplication) and each metric's values under {@link #output(UserMetric)}. The
 * stage holds no watermark: values a metric emits for the past are late downstream, which is why
 * metrics that window their output downstream extend its allowed lateness (see {@code TrackFunnels}).
 *
 * <pre>{@code
 * PCollectionTuple perUser = events.apply("PerUser",
 *     UserStage.of(List.of(sessions)).withDeduplication(Duration.standardHours(24)));
 * PCollection<Event> unique = perUser.get(UserStage.EVENTS);
 * PCollection<Row> sessionRows = perUser.get(UserStage.output(sessions));
 * }</pre>
 */
public final class UserStage extends PTransform<PCollection<Event>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** The kept events, when the stage deduplicates. */
  public static final TupleTag<Event> EVENTS = new TupleTag<>("events");

  /**
   * The dead letters of events a metric threw on ({@code STEP_FAILED}): each is left out of that
   * metric only (see {@link io.github.analytics.transforms.StepFailures}).
   */
  public static final TupleTag<DeadLetter> FAILURES = new TupleTag<>("stepFailures");

  /** Ids are swept in steps of this share of the horizon, so one is kept at most 1.25 horizons. */
  static final int SWEEPS_PER_HORIZON = 4;

  private final List<UserMetric<?, ?>> metrics;
  private final @Nullable Duration dedupeHorizon;
  private final @Nullable Duration earlyFiringDelay;

  private UserStage(
      List<UserMetric<?, ?>> metrics,
      @Nullable Duration dedupeHorizon,
      @Nullable Duration earlyFiringDelay) {
    this.metrics = List.copyOf(metrics);
    this.dedupeHorizon = dedupeHorizon;
    this.earlyFiringDelay = earlyFiringDelay;
  }

  /** Runs {@code metrics} (unique names), without deduplication or early results. */
  public static UserStage of(List<? extends UserMetric<?, ?>> metrics) {
    return new UserStage(List.copyOf(metrics), null, null);
  }

  /** Also deduplicates, remembering each id for {@code horizon} of event time (streaming). */
  public UserStage withDeduplication(Duration horizon) {
    if (horizon == null || !horizon.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException(
          "The deduplication horizon must be positive, got " + horizon + "; the default is 24 h");
    }
    return new UserStage(metrics, horizon, earlyFiringDelay);
  }

  /**
   * Sends the metrics' early values at most every {@code delay} of processing time (streaming); null
   * for none.
   */
  public UserStage withEarlyFirings(@Nullable Duration delay) {
    if (delay != null && !delay.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException("The early firing delay must be positive, got " + delay);
    }
    return new UserStage(metrics, dedupeHorizon, delay);
  }

  /** The tag of {@code metric}'s values in the output. */
  @SuppressWarnings("unchecked")
  public static <OutputT> TupleTag<OutputT> output(UserMetric<?, OutputT> metric) {
    return new TupleTag<>("metric:" + metric.name());
  }

  @Override
  public PCollectionTuple expand(PCollection<Event> events) {
    Set<String> names = new HashSet<>();
    for (UserMetric<?, ?> metric : metrics) {
      if (!names.add(metric.name())) {
        throw new IllegalArgumentException(
            "UserStage: two per-user metrics are named '" + metric.name() + "'; names must be unique");
      }
    }
    if (metrics.isEmpty() && dedupeHorizon == null) {
      throw new IllegalArgumentException(
          "UserStage with neither deduplication nor metrics has nothing to do");
    }
    boolean bounded = events.isBounded() == PCollection.IsBounded.BOUNDED;
    List<TupleTag<?>> outputs = new ArrayList<>();
    List<TupleTag<?>> tags = new ArrayList<>();
    tags.add(FAILURES);
    List<Coder<?>> stateCoders = new ArrayList<>();
    for (UserMetric<?, ?> metric : metrics) {
      outputs.add(output(metric));
      stateCoders.add(metric.stateCoder());
    }
    TupleTagList others = TupleTagList.of(tags).and(outputs);
    PCollection<Event> global = events.apply("IntoGlobalWindow", Window.<Event>into(new GlobalWindows()));
    PCollectionTuple results;
    if (bounded) {
      // As bytes: see BoundedUserStageFn for why.
      results = global
          .apply("KeyByUser", MapElements
              .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(byte[].class)))
              .via((Event e) -> KV.of(e.getUserId(), encode(e))))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of()))
          .apply("PerUser", ParDo.of(new BoundedUserStageFn(metrics, outputs, dedupeHorizon))
              .withOutputTags(EVENTS, others));
    } else {
      results = global
          .apply("KeyByUser", MapElements
              .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(Event.class)))
              .via((Event e) -> KV.of(e.getUserId(), e)))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), EventCoder.of()))
          .apply("PerUser", ParDo.of(new UserStageFn(
                  metrics, outputs, new UserStateCoder(stateCoders), dedupeHorizon, earlyFiringDelay))
              .withOutputTags(EVENTS, others));
    }
    results.get(EVENTS).setCoder(EventCoder.of());
    results.get(FAILURES).setCoder(StepFailures.coder(events.getPipeline()));
    for (UserMetric<?, ?> metric : metrics) {
      setCoder(results, metric);
    }
    return results;
  }

  private static byte[] encode(Event event) {
    try {
      return CoderUtils.encodeToByteArray(EventCoder.of(), event);
    } catch (CoderException e) {
      throw new IllegalStateException("Cannot encode event " + event.getEventId() + " for the shuffle by user", e);
    }
  }

  private static <OutputT> void setCoder(PCollectionTuple results, UserMetric<?, OutputT> metric) {
    results.get(output(metric)).setCoder(metric.outputCoder());
  }
}
