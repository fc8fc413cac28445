package io.github.analytics.transforms.metrics;

import static io.github.analytics.transforms.ingest.TestEvents.event;

import io.github.analytics.schemas.Event;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionRowTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole catalog under the streaming policy, as the streaming layer will apply it: early panes,
 * on-time panes and a late element within the allowed lateness. Every output is a sequence of panes
 * carrying the value so far, so the largest value emitted per key must be the final, true value.
 */
@ExtendWith(TestPipelineExtension.class)
class ApplyMetricCatalogTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  private static final WindowPolicy STREAMING =
      WindowPolicy.streaming(Duration.standardSeconds(5), Duration.standardMinutes(10));

  private static TimestampedValue<Event> at(String id, String type, String user, long seconds) {
    Event e = event(id, type, user, T0.plus(Duration.standardSeconds(seconds)))
        .toBuilder().setCountry("GB").build();
    if ("checkout".equals(id)) {
      e = e.toBuilder().setProperties("{\"page\":\"/checkout\"}").build();
    }
    return TimestampedValue.of(e, e.getEventTimestamp());
  }

  /** The largest value of {@code value} per {@code key} over every pane of every window. */
  private static PCollection<KV<String, Long>> largest(
      PCollection<Row> rows, String name,
      SerializableFunction<Row, String> key, SerializableFunction<Row, Long> value) {
    return rows
        .apply(name + "Values", MapElements
            .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
            .via(r -> KV.of(key.apply(r), value.apply(r))))
        // One pane at the end: the rows of windowed metrics and of the per-user stage alike.
        .apply(name + "Global", Window.<KV<String, Long>>into(new GlobalWindows())
            .triggering(Repeatedly.forever(AfterWatermark.pastEndOfWindow()))
            .withAllowedLateness(Duration.ZERO)
            .discardingFiredPanes())
        .apply(name + "Max", Max.longsPerKey());
  }

  @Test
  void theCatalogUnderTheStreamingPolicyEndsAtTheTrueValues(TestPipeline pipeline) throws Exception {
    Coder<Event> coder = pipeline.getCoderRegistry().getCoder(Event.class);
    TestStream<Event> stream =
        TestStream.create(coder)
            // u1 goes through the checkout funnel, one step a minute; u2 views a page.
            .addElements(at("v1", "page_view", "u1", 0), at("v2", "page_view", "u2", 30))
            .advanceProcessingTime(Duration.standardSeconds(6)) // early panes fire here
            .addElements(at("cart", "add_to_cart", "u1", 60), at("checkout", "page_view", "u1", 120),
                at("buy", "purchase", "u1", 180), at("c1", "click", "u2", 300))
            .advanceWatermarkTo(T0.plus(Duration.standardMinutes(8)))
            // Two minutes behind the watermark, within the 10 allowed: corrects 10:05 and u2's session.
            .addElements(at("c2", "click", "u2", 330))
            .advanceWatermarkToInfinity();
    PCollectionRowTuple metrics =
        pipeline.apply(stream)
            .apply(ApplyMetricCatalog.of(MetricCatalog.all(), MetricConfig.of(STREAMING)));

    PAssert.that(largest(metrics.get("event_counts_per_minute"), "PerMinute",
            r -> r.getString("event_type") + "@" + r.getDateTime("window_start").getMinuteOfHour(),
            r -> r.getInt64("event_count")))
        .containsInAnyOrder(KV.of("page_view@0", 2L), KV.of("add_to_cart@1", 1L),
            KV.of("page_view@2", 1L), KV.of("purchase@3", 1L), KV.of("click@5", 2L));
    PAssert.that(largest(metrics.get("distinct_users_daily"), "Daily",
            r -> r.getString("event_type"), r -> r.getInt64("distinct_users")))
        .containsInAnyOrder(KV.of("all", 2L), KV.of("page_view", 2L), KV.of("add_to_cart", 1L),
            KV.of("purchase", 1L), KV.of("click", 1L));
    PAssert.that(largest(metrics.get("active_users"), "Active",
            r -> "days" + r.getInt32("window_days"), r -> r.getInt64("active_users")))
        .containsInAnyOrder(KV.of("days1", 2L), KV.of("days7", 2L), KV.of("days28", 2L),
            KV.of("days30", 2L));
    // u1: 4 events from 10:00 to 10:03; u2: 3 events from 10:00:30 to 10:05:30 (one late).
    PAssert.that(largest(metrics.get("sessions"), "Sessions",
            r -> r.getString("user_id"), r -> r.getInt64("event_count")))
        .containsInAnyOrder(KV.of("u1", 4L), KV.of("u2", 3L));
    PAssert.that(largest(metrics.get("funnel_conversion"), "Funnel",
            r -> r.getString("funnel") + r.getInt32("step"), r -> r.getInt64("users")))
        .containsInAnyOrder(KV.of("checkout1", 2L), KV.of("checkout2", 1L), KV.of("checkout3", 1L),
            KV.of("checkout4", 1L));
    // Too little history for any alert.
    PAssert.that(metrics.get("anomalies")).empty();
    pipeline.run().waitUntilFinish();
  }
}
