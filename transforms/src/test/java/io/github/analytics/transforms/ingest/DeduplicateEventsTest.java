package io.github.analytics.transforms.ingest;

import static io.github.analytics.transforms.ingest.ParseEventsTest.counter;
import static io.github.analytics.transforms.ingest.TestEvents.event;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.analytics.schemas.Event;
import java.util.List;
import io.github.analytics.transforms.PipelineCounters;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class DeduplicateEventsTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  private static PCollection<String> ids(PCollection<Event> events) {
    return events.apply("EventIds", MapElements.into(TypeDescriptors.strings()).via(Event::getEventId));
  }

  @Test
  void keepsOneCopyPerEventIdAndCountsTheRest(TestPipeline pipeline) {
    Event a = event("a", "click", "u1", T0);
    Event retryOfA = a.toBuilder().setReceivedAt(T0.plus(5_000)).build();
    Event b = event("b", "click", "u1", T0.plus(1_000));
    PCollection<Event> unique =
        pipeline
            .apply(Create.timestamped(
                TimestampedValue.of(a, T0),
                TimestampedValue.of(retryOfA, T0),
                TimestampedValue.of(a, T0),
                TimestampedValue.of(b, T0.plus(1_000))))
            .apply(DeduplicateEvents.of());
    PAssert.that(ids(unique)).containsInAnyOrder("a", "b");
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(2, counter(result, PipelineCounters.DUPLICATES_DROPPED));
  }

  @Test
  void batchKeepsTheEarliestCopyWhateverTheOrderItComesIn(TestPipeline pipeline) {
    // A client whose clock runs ahead: event time is capped at the arrival, so the retry, which
    // arrived 20 s later, has a later event time than the original. It comes first here.
    Event original = event("a", "click", "u1", T0).toBuilder()
        .setReceivedAt(T0).setServerTimestamp(T0).build();
    Event retry = original.toBuilder()
        .setEventTimestamp(T0.plus(20_000)).setReceivedAt(T0.plus(20_000))
        .setServerTimestamp(T0.plus(20_000)).build();
    PCollection<Event> unique =
        pipeline
            .apply(Create.timestamped(
                TimestampedValue.of(retry, T0.plus(20_000)),
                TimestampedValue.of(original, T0),
                TimestampedValue.of(retry, T0.plus(20_000))))
            .apply(DeduplicateEvents.of());
    PAssert.that(unique.apply(org.apache.beam.sdk.transforms.Reify.timestamps()))
        .containsInAnyOrder(TimestampedValue.of(original, T0));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(2, counter(result, PipelineCounters.DUPLICATES_DROPPED));
  }

  @Test
  void forgetsAnIdOnceTheHorizonHasPassedInEventTime(TestPipeline pipeline) throws Exception {
    Coder<Event> coder = pipeline.getCoderRegistry().getCoder(Event.class);
    Event first = event("a", "click", "u1", T0);
    Event retryWithinHorizon = event("a", "click", "u1", T0.plus(Duration.standardMinutes(30)));
    Event copyAfterHorizon = event("a", "click", "u1", T0.plus(Duration.standardHours(2)));
    Event b = event("b", "click", "u1", T0.plus(Duration.standardMinutes(50)));
    TestStream<Event> stream =
        TestStream.create(coder)
            .addElements(TimestampedValue.of(first, T0))
            .addElements(TimestampedValue.of(retryWithinHorizon, retryWithinHorizon.getEventTimestamp()))
            .addElements(TimestampedValue.of(b, b.getEventTimestamp()))
            // The watermark passes first + 1 h: "a" is forgotten, "b" (10 minutes younger) is not.
            .advanceWatermarkTo(T0.plus(Duration.standardMinutes(61)))
            .addElements(TimestampedValue.of(copyAfterHorizon, copyAfterHorizon.getEventTimestamp()))
            .addElements(TimestampedValue.of(b, b.getEventTimestamp().plus(Duration.standardMinutes(12))))
            .advanceWatermarkToInfinity();
    PCollection<Event> unique =
        pipeline
            .apply(stream)
            // One user: both ids share a key and its state, so the sweep must tell them apart.
            .apply(DeduplicateEvents.within(Duration.standardHours(1)));
    PAssert.that(
            unique.apply(
                "EventTimes",
                MapElements.into(TypeDescriptors.strings()).via(e -> e.getEventTimestamp().toString())))
        .containsInAnyOrder(
            T0.toString(),
            b.getEventTimestamp().toString(),
            copyAfterHorizon.getEventTimestamp().toString());
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(2, counter(result, PipelineCounters.DUPLICATES_DROPPED));
  }

  @Test
  void aHeavyUsersIdsBeyondTheInlineOnesAreRememberedAndForgottenToo(TestPipeline pipeline)
      throws Exception {
    // 150 events of one user (more than the 64 ids kept in the user's state object), each sent
    // twice: 150 kept, 150 dropped. After the horizon the first 10 come once more: new events.
    Coder<Event> coder = pipeline.getCoderRegistry().getCoder(Event.class);
    TestStream.Builder<Event> stream = TestStream.create(coder);
    List<TimestampedValue<Event>> firsts = new java.util.ArrayList<>();
    for (int i = 0; i < 150; i++) {
      Event e = event("id-" + i, "click", "heavy", T0.plus(Duration.standardSeconds(i)));
      firsts.add(TimestampedValue.of(e, e.getEventTimestamp()));
    }
    stream = stream.addElements(firsts.get(0), firsts.subList(1, firsts.size()).toArray(new TimestampedValue[0]));
    stream = stream.addElements(firsts.get(0), firsts.subList(1, firsts.size()).toArray(new TimestampedValue[0]));
    stream = stream.advanceWatermarkTo(T0.plus(Duration.standardHours(3)));
    List<TimestampedValue<Event>> again = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Event e = event("id-" + i, "click", "heavy", T0.plus(Duration.standardHours(3)).plus(i));
      again.add(TimestampedValue.of(e, e.getEventTimestamp()));
    }
    stream = stream.addElements(again.get(0), again.subList(1, again.size()).toArray(new TimestampedValue[0]));
    PCollection<Event> unique =
        pipeline.apply(stream.advanceWatermarkToInfinity())
            .apply(DeduplicateEvents.within(Duration.standardHours(1)));
    List<String> expected = new java.util.ArrayList<>();
    for (int i = 0; i < 150; i++) {
      expected.add("id-" + i);
    }
    for (int i = 0; i < 10; i++) {
      expected.add("id-" + i);
    }
    PAssert.that(ids(unique)).containsInAnyOrder(expected);
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(150, counter(result, PipelineCounters.DUPLICATES_DROPPED));
  }
}
