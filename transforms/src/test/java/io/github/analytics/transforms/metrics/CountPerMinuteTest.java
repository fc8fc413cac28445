package io.github.analytics.transforms.metrics;

import static io.github.analytics.transforms.ingest.TestEvents.event;

import io.github.analytics.schemas.Event;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Per-minute counts in batch and under the streaming policy, one test per lateness regime: on time,
 * early (speculative), late within the allowed lateness, and too late.
 */
@ExtendWith(TestPipelineExtension.class)
class CountPerMinuteTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  private static final Duration MINUTE = Duration.standardMinutes(1);
  private static final Duration LATENESS = Duration.standardMinutes(10);
  private static final WindowPolicy STREAMING =
      WindowPolicy.streaming(Duration.standardSeconds(5), LATENESS);
  private static final IntervalWindow FIRST_MINUTE = new IntervalWindow(T0, MINUTE);

  private static Event at(String id, String type, String platform, String country, Instant time) {
    return event(id, type, "u-" + id, time).toBuilder().setPlatform(platform).setCountry(country).build();
  }

  private static TimestampedValue<Event> timed(Event event) {
    return TimestampedValue.of(event, event.getEventTimestamp());
  }

  private static Row row(Instant start, String type, String platform, String country, long count) {
    return Row.withSchema(CountPerMinute.SCHEMA)
        .addValues(start, start.plus(MINUTE), type, platform, country, count)
        .build();
  }

  @Test
  void countsEachKeyPerMinuteOfEventTime(TestPipeline pipeline) throws Exception {
    // Worked by hand: minute 10:00 has 2 web/GB clicks and 1 ios/GB click; 10:01 has 1 web/GB click;
    // the page view at 10:00:59.999 is still in the first minute; a null country is "unknown".
    PCollection<Row> counts =
        pipeline
            .apply(Create.timestamped(
                timed(at("a", "click", "web", "GB", T0)),
                timed(at("b", "click", "web", "GB", T0.plus(30_000))),
                timed(at("c", "click", "ios", "GB", T0.plus(45_000))),
                timed(at("d", "click", "web", "GB", T0.plus(60_000))),
                timed(at("e", "page_view", "web", null, T0.plus(59_999)))))
            .apply(CountPerMinute.of(WindowPolicy.batch()));
    PAssert.that(counts)
        .containsInAnyOrder(
            row(T0, "click", "web", "GB", 2),
            row(T0, "click", "ios", "GB", 1),
            row(T0.plus(MINUTE), "click", "web", "GB", 1),
            row(T0, "page_view", "web", "unknown", 1));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void onTimeDataFiresOnceAtTheWatermark(TestPipeline pipeline) throws Exception {
    Coder<Event> coder = pipeline.getCoderRegistry().getCoder(Event.class);
    TestStream<Event> stream =
        TestStream.create(coder)
            .addElements(timed(at("a", "click", "web", "GB", T0)),
                timed(at("b", "click", "web", "GB", T0.plus(10_000))))
            .advanceWatermarkTo(T0.plus(MINUTE))
            .advanceWatermarkToInfinity();
    PCollection<Row> counts = pipeline.apply(stream).apply(CountPerMinute.of(STREAMING));
    PAssert.that(counts).inOnTimePane(FIRST_MINUTE).containsInAnyOrder(row(T0, "click", "web", "GB", 2));
    PAssert.that(counts).inWindow(FIRST_MINUTE).containsInAnyOrder(row(T0, "click", "web", "GB", 2));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void earlyFiringsShowTheCountSoFarAndTheOnTimePaneTheWhole(TestPipeline pipeline) throws Exception {
    Coder<Event> coder = pipeline.getCoderRegistry().getCoder(Event.class);
    TestStream<Event> stream =
        TestStream.create(coder)
            .addElements(timed(at("a", "click", "web", "GB", T0)))
            // 5 s of processing time later the window fires early with what it has: 1.
            .advanceProcessingTime(Duration.standardSeconds(6))
            .addElements(timed(at("b", "click", "web", "GB", T0.plus(20_000))),
                timed(at("c", "click", "web", "GB", T0.plus(40_000))))
            .advanceWatermarkTo(T0.plus(MINUTE))
            .advanceWatermarkToInfinity();
    PCollection<Row> counts = pipeline.apply(stream).apply(CountPerMinute.of(STREAMING));
    // Accumulating panes: the early pane says 1, the on-time pane the whole minute, 3 (not 2).
    PAssert.that(counts).inEarlyPane(FIRST_MINUTE).containsInAnyOrder(row(T0, "click", "web", "GB", 1));
    PAssert.that(counts).inOnTimePane(FIRST_MINUTE).containsInAnyOrder(row(T0, "click", "web", "GB", 3));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void lateDataWithinTheAllowedLatenessCorrectsTheWindow(TestPipeline pipeline) throws Exception {
    Coder<Event> coder = pipeline.getCoderRegistry().getCoder(Event.class);
    TestStream<Event> stream =
        TestStream.create(coder)
            .addElements(timed(at("a", "click", "web", "GB", T0)))
            .advanceWatermarkTo(T0.plus(MINUTE).plus(Duration.standardMinutes(5)))
            // 5 minutes behind the watermark, within the 10 allowed: the window fires again, with 2.
            .addElements(timed(at("late", "click", "web", "GB", T0.plus(30_000))))
            .advanceWatermarkToInfinity();
    PCollection<Row> counts = pipeline.apply(stream).apply(CountPerMinute.of(STREAMING));
    PAssert.that(counts).inOnTimePane(FIRST_MINUTE).containsInAnyOrder(row(T0, "click", "web", "GB", 1));
    PAssert.that(counts).inLatePane(FIRST_MINUTE).containsInAnyOrder(row(T0, "click", "web", "GB", 2));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void dataLaterThanTheAllowedLatenessIsDroppedAndTheWindowKeepsItsValue(TestPipeline pipeline) throws Exception {
    Coder<Event> coder = pipeline.getCoderRegistry().getCoder(Event.class);
    TestStream<Event> stream =
        TestStream.create(coder)
            .addElements(timed(at("a", "click", "web", "GB", T0)))
            .advanceWatermarkTo(T0.plus(MINUTE).plus(LATENESS).plus(MINUTE))
            .addElements(timed(at("too-late", "click", "web", "GB", T0.plus(30_000))))
            .advanceWatermarkToInfinity();
    PCollection<Row> counts = pipeline.apply(stream).apply(CountPerMinute.of(STREAMING));
    // Only one pane, with 1: the too-late event neither fires the window nor zeroes it.
    PAssert.that(counts).inWindow(FIRST_MINUTE).containsInAnyOrder(row(T0, "click", "web", "GB", 1));
    PAssert.that(counts).inLatePane(FIRST_MINUTE).empty();
    pipeline.run().waitUntilFinish();
  }
}
