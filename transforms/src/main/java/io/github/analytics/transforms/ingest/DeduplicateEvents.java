package io.github.analytics.transforms.ingest;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.PipelineCounters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Drops repeated events: of the events that share an {@code event_id}, the earliest copy is kept and
 * the others are counted as {@link PipelineCounters#DUPLICATES_DROPPED} and dropped. Client SDKs
 * retry, so repeats are normal; a retry carries the same {@code event_id} and client fields and
 * differs only in its arrival time, so it never has an earlier event time than the original (event
 * time is the client's clock capped at the arrival) and may have a later one.
 *
 * <p>Both layers keep the same copy:
 *
 * <ul>
 *   <li>Unbounded (streaming): the first copy processed is kept. A user's records sit in one Kafka
 *       partition in order of arrival, so that is the earliest arrival, which has the earliest event
 *       time. An {@code event_id} is remembered until the watermark passes its first copy's event time
 *       plus {@code horizon}, so state stays bounded; a copy that arrives after that is kept as a new
 *       event.
 *   <li>Bounded (batch): records come in no particular order, so the copies of an id are combined and
 *       the one with the earliest event time is kept (then the earliest arrival, then the smallest
 *       server timestamp), whichever the runner processes first. Every copy within the run is caught,
 *       as a stream catches every retry within the horizon. The combine runs per bucket (with
 *       combiner lifting), and a bucket's unique events meet in one map at the end: for very large
 *       batch runs, raise the bucket count so that a bucket's share fits a worker's memory.
 * </ul>
 *
 * <p>Ids are spread over {@link #withBuckets buckets} (keys) by hash; each bucket holds a map from id
 * to expiry and one event-time timer that sweeps expired ids in steps of a quarter of the horizon (so
 * an id is remembered for at most 1.25 horizons). There is one timer per bucket, not one per event,
 * which keeps the timer service small on every runner.
 *
 * <p>Input: events in any windowing; they are re-windowed into the global window for the state, and the
 * output is in the global window with the input timestamps.
 *
 * <pre>{@code
 * PCollection<Event> unique = events.apply("DeduplicateEvents",
 *     DeduplicateEvents.within(Duration.standardHours(24)));
 * }</pre>
 */
public final class DeduplicateEvents extends PTransform<PCollection<Event>, PCollection<Event>> {
  private static final long serialVersionUID = 1L;

  /** Retries arrive within seconds to hours; a day bounds the state per key. */
  public static final Duration DEFAULT_HORIZON = Duration.standardHours(24);

  /** Enough keys to spread over a large parallelism, few enough to keep timers cheap. */
  public static final int DEFAULT_BUCKETS = 256;

  /** Ids are swept in steps of this share of the horizon, so one is kept at most 1.25 horizons. */
  private static final int SWEEPS_PER_HORIZON = 4;

  private final Duration horizon;
  private final int buckets;

  private DeduplicateEvents(Duration horizon, int buckets) {
    this.horizon = horizon;
    this.buckets = buckets;
  }

  /** Deduplicates within the default 24-hour horizon. */
  public static DeduplicateEvents of() {
    return within(DEFAULT_HORIZON);
  }

  /** Deduplicates within {@code horizon} of event time. */
  public static DeduplicateEvents within(Duration horizon) {
    return new DeduplicateEvents(horizon, DEFAULT_BUCKETS);
  }

  /** Spreads ids over {@code buckets} keys (the upper bound of this step's parallelism). */
  public DeduplicateEvents withBuckets(int buckets) {
    return new DeduplicateEvents(horizon, buckets);
  }

  @Override
  public PCollection<Event> expand(PCollection<Event> input) {
    if (!horizon.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException(
          "DeduplicateEvents needs a positive horizon, got " + horizon + "; the default is 24 h");
    }
    if (buckets < 1) {
      throw new IllegalArgumentException(
          "DeduplicateEvents needs at least one bucket, got " + buckets + "; the default is "
              + DEFAULT_BUCKETS);
    }
    int bucketCount = buckets;
    if (input.isBounded() == PCollection.IsBounded.BOUNDED) {
      return input
          .apply(
              "IntoGlobalWindow",
              Window.<Event>into(new GlobalWindows())
                  // Each kept copy is re-stamped with its event time, which is never earlier.
                  .withTimestampCombiner(TimestampCombiner.EARLIEST))
          .apply(
              "KeyByIdBucket",
              WithKeys.of((Event e) -> Math.floorMod(e.getEventId().hashCode(), bucketCount))
                  .withKeyType(TypeDescriptors.integers()))
          .setCoder(KvCoder.of(VarIntCoder.of(), input.getCoder()))
          .apply("KeepEarliestCopies", Combine.perKey(new EarliestCopiesFn(input.getCoder())))
          .apply("EmitKeptCopies", ParDo.of(new EmitKeptFn()))
          .setCoder(input.getCoder());
    }
    return input
        .apply("IntoGlobalWindow", Window.<Event>into(new GlobalWindows()))
        .apply(
            "KeyByIdBucket",
            WithKeys.of((Event e) -> Math.floorMod(e.getEventId().hashCode(), bucketCount))
                .withKeyType(TypeDescriptors.integers()))
        .setCoder(KvCoder.of(VarIntCoder.of(), input.getCoder()))
        .apply("KeepFirstCopy", ParDo.of(new KeepFirstFn(horizon)))
        .setCoder(input.getCoder());
  }

  /** Orders copies: earliest event time, then earliest arrival, then smallest server timestamp. */
  static final Comparator<Event> EARLIEST =
      Comparator.comparing(Event::getEventTimestamp)
          .thenComparing(Event::getReceivedAt)
          .thenComparing(
              Event::getServerTimestamp, Comparator.nullsLast(Comparator.naturalOrder()));

  /**
   * Per bucket: event id to (earliest copy, copies seen). Partial maps from different workers merge
   * by keeping the earlier copy and adding the counts, so the result does not depend on order.
   */
  static final class EarliestCopiesFn
      extends Combine.CombineFn<Event, Map<String, KV<Event, Long>>, Map<String, KV<Event, Long>>> {
    private static final long serialVersionUID = 1L;
    private final Coder<Event> eventCoder;

    EarliestCopiesFn(Coder<Event> eventCoder) {
      this.eventCoder = eventCoder;
    }

    @Override
    public Map<String, KV<Event, Long>> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<String, KV<Event, Long>> addInput(Map<String, KV<Event, Long>> copies, Event event) {
      copies.merge(event.getEventId(), KV.of(event, 1L), EarliestCopiesFn::earlier);
      return copies;
    }

    @Override
    public Map<String, KV<Event, Long>> mergeAccumulators(
        Iterable<Map<String, KV<Event, Long>>> accumulators) {
      Map<String, KV<Event, Long>> merged = new HashMap<>();
      for (Map<String, KV<Event, Long>> copies : accumulators) {
        copies.forEach((id, copy) -> merged.merge(id, copy, EarliestCopiesFn::earlier));
      }
      return merged;
    }

    @Override
    public Map<String, KV<Event, Long>> extractOutput(Map<String, KV<Event, Long>> copies) {
      return copies;
    }

    @Override
    public Coder<Map<String, KV<Event, Long>>> getAccumulatorCoder(
        CoderRegistry registry, Coder<Event> inputCoder) {
      return MapCoder.of(StringUtf8Coder.of(), KvCoder.of(eventCoder, VarLongCoder.of()));
    }

    @Override
    public Coder<Map<String, KV<Event, Long>>> getDefaultOutputCoder(
        CoderRegistry registry, Coder<Event> inputCoder) {
      return getAccumulatorCoder(registry, inputCoder);
    }

    private static KV<Event, Long> earlier(KV<Event, Long> a, KV<Event, Long> b) {
      Event earliest = EARLIEST.compare(a.getKey(), b.getKey()) <= 0 ? a.getKey() : b.getKey();
      return KV.of(earliest, a.getValue() + b.getValue());
    }
  }

  /** Emits each kept copy at its event time and counts the dropped ones. */
  static final class EmitKeptFn extends DoFn<KV<Integer, Map<String, KV<Event, Long>>>, Event> {
    private static final long serialVersionUID = 1L;
    private final Counter duplicates = PipelineCounters.counter(PipelineCounters.DUPLICATES_DROPPED);

    @ProcessElement
    public void processElement(
        @Element KV<Integer, Map<String, KV<Event, Long>>> bucket, OutputReceiver<Event> out) {
      for (KV<Event, Long> copy : bucket.getValue().values()) {
        duplicates.inc(copy.getValue() - 1);
        out.outputWithTimestamp(copy.getKey(), copy.getKey().getEventTimestamp());
      }
    }
  }

  /** Keeps the first event per id; remembers each id until its expiry, swept by one timer per key. */
  static final class KeepFirstFn extends DoFn<KV<Integer, Event>, Event> {
    private static final long serialVersionUID = 1L;

    private final Duration horizon;
    private final long sweepMillis;
    private final Counter duplicates = PipelineCounters.counter(PipelineCounters.DUPLICATES_DROPPED);

    @StateId("expiryById")
    private final StateSpec<MapState<String, Long>> expiryByIdSpec =
        StateSpecs.map(StringUtf8Coder.of(), VarLongCoder.of());

    @StateId("nextSweep")
    private final StateSpec<ValueState<Long>> nextSweepSpec = StateSpecs.value(VarLongCoder.of());

    @TimerId("sweep")
    private final TimerSpec sweepSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    KeepFirstFn(Duration horizon) {
      this.horizon = horizon;
      this.sweepMillis = Math.max(1, horizon.getMillis() / SWEEPS_PER_HORIZON);
    }

    @ProcessElement
    public void processElement(
        @Element KV<Integer, Event> element,
        @Timestamp Instant timestamp,
        @StateId("expiryById") MapState<String, Long> expiryById,
        @StateId("nextSweep") ValueState<Long> nextSweep,
        @TimerId("sweep") Timer sweep,
        OutputReceiver<Event> out) {
      String id = element.getValue().getEventId();
      if (expiryById.get(id).read() != null) {
        duplicates.inc();
        return;
      }
      long expiry = timestamp.plus(horizon).getMillis();
      expiryById.put(id, expiry);
      schedule(roundUp(expiry), nextSweep, sweep);
      out.output(element.getValue());
    }

    @OnTimer("sweep")
    public void onSweep(
        OnTimerContext context,
        @StateId("expiryById") MapState<String, Long> expiryById,
        @StateId("nextSweep") ValueState<Long> nextSweep,
        @TimerId("sweep") Timer sweep) {
      long now = context.timestamp().getMillis();
      List<String> expired = new ArrayList<>();
      long earliestLeft = Long.MAX_VALUE;
      for (Map.Entry<String, Long> entry : expiryById.entries().read()) {
        if (entry.getValue() <= now) {
          expired.add(entry.getKey());
        } else {
          earliestLeft = Math.min(earliestLeft, entry.getValue());
        }
      }
      expired.forEach(expiryById::remove);
      nextSweep.clear();
      if (earliestLeft != Long.MAX_VALUE) {
        schedule(roundUp(earliestLeft), nextSweep, sweep);
      }
    }

    /** Keeps the one timer at the earliest sweep any id needs. */
    private static void schedule(long at, ValueState<Long> nextSweep, Timer sweep) {
      Long current = nextSweep.read();
      if (current == null || at < current) {
        sweep.set(new Instant(at));
        nextSweep.write(at);
      }
    }

    private long roundUp(long millis) {
      long rem = Math.floorMod(millis, sweepMillis);
      return rem == 0 ? millis : millis - rem + sweepMillis;
    }
  }
}
