package io.github.analytics.transforms.users;

import static io.github.analytics.transforms.ingest.TestEvents.event;

import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.EventCoder;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stage's contract with its metrics, through a toy metric that counts a user's events and emits
 * the count when the watermark passes the user's latest event plus 10 minutes: the order of calls,
 * early values, and when a user's state is dropped (a fresh state restarts the count at 1).
 */
@ExtendWith(TestPipelineExtension.class)
class UserStageTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  private static final long TEN_MINUTES = Duration.standardMinutes(10).getMillis();

  /**
   * State: {count, latest event time, 1 while a result is due}. Emits "user count" at latest + 10
   * minutes, "~user count" early; after that the state is a tombstone with nothing due.
   */
  static final class CountEvents extends UserMetric<long[], String> {
    private final Duration retention;

    CountEvents(Duration retention) {
      this.retention = retention;
    }

    @Override
    public String name() {
      return "count";
    }

    @Override
    public Coder<long[]> stateCoder() {
      return org.apache.beam.sdk.coders.SerializableCoder.of(long[].class);
    }

    @Override
    public Coder<String> outputCoder() {
      return StringUtf8Coder.of();
    }

    @Override
    public long @Nullable [] onEvent(String user, long @Nullable [] state, Event event, Output<String> out) {
      long t = event.getEventTimestamp().getMillis();
      return state == null ? new long[] {1, t, 1} : new long[] {state[0] + 1, Math.max(state[1], t), 1};
    }

    @Override
    public long nextWakeUp(long[] state) {
      return state[2] == 0 ? Long.MAX_VALUE : state[1] + TEN_MINUTES;
    }

    @Override
    public long @Nullable [] onTime(String user, long[] state, long time, Output<String> out) {
      out.emit(user + " " + state[0], state[1]);
      // Keep the count as a tombstone, with nothing due: only the retention keeps it.
      return time == Long.MAX_VALUE ? null : new long[] {state[0], state[1], 0};
    }

    @Override
    public boolean hasEarlyResults() {
      return true;
    }

    @Override
    public void early(String user, long[] state, Output<String> out) {
      if (state[2] == 1) {
        out.emit("~" + user + " " + state[0], state[1]);
      }
    }

    @Override
    public Duration retention() {
      return retention;
    }
  }

  /** Order-sensitive: the ids of a user's events in the order the metric sees them. */
  static final class SeenOrder extends UserMetric<String, String> {
    @Override
    public String name() {
      return "order";
    }

    @Override
    public Coder<String> stateCoder() {
      return StringUtf8Coder.of();
    }

    @Override
    public Coder<String> outputCoder() {
      return StringUtf8Coder.of();
    }

    @Override
    public String onEvent(String user, @Nullable String state, Event event, Output<String> out) {
      return (state == null ? user + ":" : state) + event.getEventId();
    }

    @Override
    public long nextWakeUp(String state) {
      return Long.MAX_VALUE;
    }

    @Override
    public @Nullable String onTime(String user, String state, long time, Output<String> out) {
      out.emit(state, 0);
      return null;
    }
  }

  private static TimestampedValue<Event> at(String id, String user, long minutes) {
    Event e = event(id, "click", user, T0.plus(Duration.standardMinutes(minutes)));
    return TimestampedValue.of(e, e.getEventTimestamp());
  }

  @Test
  void earlyValuesGoOutAPeriodAfterTheFirstChangeAndFinalOnesAtTheWatermark(TestPipeline pipeline) {
    // Early values wait in the worker's DoFn instance for its flush timer: the direct runner keeps an
    // instance per thread and may fire a timer on another, so this test gives it one thread (Flink
    // has one instance per parallel task, which its timers fire on).
    pipeline.getOptions().as(DirectOptions.class).setTargetParallelism(1);
    CountEvents metric = new CountEvents(Duration.ZERO);
    TestStream<Event> stream =
        TestStream.create(EventCoder.of())
            .addElements(at("a", "u1", 0), at("b", "u1", 1))
            // A period after the first change: the latest value, 2 (not 1, which it replaced).
            .advanceProcessingTime(Duration.standardSeconds(6))
            .addElements(at("c", "u1", 2))
            // Not yet a period after c: nothing goes out for it.
            .advanceProcessingTime(Duration.standardSeconds(2))
            .addElements(at("d", "u2", 2))
            .advanceProcessingTime(Duration.standardSeconds(4))
            .advanceWatermarkTo(T0.plus(Duration.standardMinutes(13)))
            .advanceWatermarkToInfinity();
    PCollection<String> out =
        pipeline.apply(stream)
            .apply(UserStage.of(List.of(metric)).withEarlyFirings(Duration.standardSeconds(5)))
            .get(UserStage.output(metric));
    PAssert.that(out).containsInAnyOrder("~u1 2", "~u1 3", "~u2 1", "u1 3", "u2 1");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void anIdleUserIsKeptForTheRetentionThenForgotten(TestPipeline pipeline) {
    // Retention 30 minutes after the latest event. u1's tombstone lives until 10:32: an event at
    // 10:20, arriving while it lives, continues the count (2). u2's lives until 10:30 and is gone
    // once the watermark is at 11:00: u2's next event starts again from 1.
    CountEvents metric = new CountEvents(Duration.standardMinutes(30));
    TestStream<Event> stream =
        TestStream.create(EventCoder.of())
            .addElements(at("a", "u1", 2), at("b", "u2", 0))
            .advanceWatermarkTo(T0.plus(Duration.standardMinutes(15)))
            .addElements(at("c", "u1", 20))
            .advanceWatermarkTo(T0.plus(Duration.standardMinutes(60)))
            .addElements(at("d", "u2", 61))
            .advanceWatermarkToInfinity();
    PCollection<String> out =
        pipeline.apply(stream).apply(UserStage.of(List.of(metric))).get(UserStage.output(metric));
    PAssert.that(out).containsInAnyOrder("u1 1", "u2 1", "u1 2", "u2 1");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void boundedInputIsDeduplicatedAndSeenInEventTimeOrder(TestPipeline pipeline) {
    UserMetric<String, String> order = new SeenOrder();
    PCollection<Event> events =
        pipeline.apply(Create.timestamped(
                at("c", "u1", 3), at("a", "u1", 1), at("b", "u1", 2), at("a", "u1", 1),
                at("z", "u2", 0))
            .withCoder(EventCoder.of()));
    var results = events.apply(
        UserStage.of(List.of(order)).withDeduplication(Duration.standardHours(24)));
    PAssert.that(results.get(UserStage.output(order))).containsInAnyOrder("u1:abc", "u2:z");
    PAssert.that(results.get(UserStage.EVENTS)
            .apply(org.apache.beam.sdk.transforms.MapElements
                .into(org.apache.beam.sdk.values.TypeDescriptors.strings())
                .via(Event::getEventId)))
        .containsInAnyOrder("a", "b", "c", "z");
    pipeline.run().waitUntilFinish();
  }
}
