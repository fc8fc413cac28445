package io.github.analytics.transforms.users;

import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.EventCoder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The stateful step of {@link UserStage} on a bounded input: a user's events come in no order, so
 * they are gathered in a bag and handled when the input ends, deduplicated (earliest copy kept) and in
 * event-time order through every metric.
 *
 * <p>Events arrive as their {@link EventCoder} bytes, decoded here once. Flink's batch execution sorts
 * this step's input by user, and its sorter copies every record through the runner's serializer on
 * each spill and merge, which for a Beam coder is a full decode and encode
 * ({@code CoderTypeSerializer.copy}): with events as objects, their coder was the largest share of a
 * 10M-event day's samples. Bytes are copied as bytes.
 */
final class BoundedUserStageFn extends UserMetricsFn<byte[]> {
  private static final long serialVersionUID = 1L;

  @StateId("buffer")
  private final StateSpec<BagState<Event>> bufferSpec = StateSpecs.bag(EventCoder.of());

  /** The earliest event time gathered, where the timer holds the watermark. */
  @StateId("earliest")
  private final StateSpec<ValueState<Long>> earliestSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId("end")
  private final TimerSpec endSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  BoundedUserStageFn(
      List<UserMetric<?, ?>> metrics, List<TupleTag<?>> outputs, @Nullable Duration dedupeHorizon) {
    super(metrics, outputs, dedupeHorizon);
  }

  @ProcessElement
  public void process(
      @Element KV<String, byte[]> element,
      @StateId("buffer") BagState<Event> buffer,
      @StateId("earliest") ValueState<Long> earliest,
      @TimerId("end") Timer end) {
    // Everything is emitted when the input ends, at the events' own times: hold the watermark at the
    // earliest, or a runner that tracks watermarks in batch (the direct runner) would pass the windows
    // downstream first and drop it all as late.
    Event event = decode(element.getValue());
    buffer.add(event);
    long millis = event.getEventTimestamp().getMillis();
    Long held = earliest.read();
    if (held == null || millis < held) {
      earliest.write(millis);
      end.withOutputTimestamp(new Instant(millis)).set(new Instant(MAX_TIME));
    }
  }

  private static Event decode(byte[] encoded) {
    try {
      return CoderUtils.decodeFromByteArray(EventCoder.of(), encoded);
    } catch (CoderException e) {
      throw new IllegalStateException("An event's bytes did not decode after the shuffle by user", e);
    }
  }

  /** The input has ended: the user's events, deduplicated, in order through every metric. */
  @OnTimer("end")
  public void onEnd(
      @Key String userId,
      @StateId("buffer") BagState<Event> buffer,
      @StateId("earliest") ValueState<Long> earliest,
      MultiOutputReceiver out) {
    earliest.clear();
    List<Event> events = new ArrayList<>();
    buffer.read().forEach(events::add);
    buffer.clear();
    List<Event> unique = events;
    if (dedupeHorizon != null) {
      events.sort(EARLIEST_COPY);
      Set<String> seen = new HashSet<>();
      unique = new ArrayList<>(events.size());
      for (Event event : events) {
        if (seen.add(event.getEventId())) {
          unique.add(event);
        }
      }
      duplicates.inc(events.size() - unique.size());
    }
    unique.sort(EVENT_TIME_ORDER);
    Object[] states = new Object[metrics.size()];
    for (Event event : unique) {
      if (dedupeHorizon != null) {
        out.get(UserStage.EVENTS).outputWithTimestamp(event, event.getEventTimestamp());
      }
      for (int i = 0; i < metrics.size(); i++) {
        states[i] = onEvent(i, userId, states[i], event, out);
      }
    }
    for (int i = 0; i < metrics.size(); i++) {
      if (states[i] != null) {
        onTime(i, userId, states[i], Long.MAX_VALUE, out);
      }
    }
  }
}
