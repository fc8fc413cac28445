package io.github.analytics.transforms.metrics;

import static io.github.analytics.transforms.ingest.TestEvents.event;

import io.github.analytics.schemas.Event;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class CountErrorsPerVersionTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  private static final Duration MINUTE = Duration.standardMinutes(1);

  private static TimestampedValue<Event> error(String id, String version, String platform, Instant t) {
    Event e = event(id, "error", "u-" + id, t).toBuilder().setAppVersion(version).setPlatform(platform).build();
    return TimestampedValue.of(e, t);
  }

  private static Row row(Instant start, String version, String platform, long count) {
    return Row.withSchema(CountErrorsPerVersion.SCHEMA)
        .addValues(start, start.plus(MINUTE), version, platform, count)
        .build();
  }

  @Test
  void countsOnlyErrorsPerVersionPlatformAndMinute(TestPipeline pipeline) {
    // By hand: 10:00 has two 5.4.1/ios errors and one 5.4.0/ios; 10:01 one 5.4.1/ios; the click is
    // not an error; a missing version counts as "unknown".
    Event click = event("c", "click", "u-c", T0).toBuilder().setAppVersion("5.4.1").setPlatform("ios").build();
    PCollection<Row> errors =
        pipeline
            .apply(Create.timestamped(
                error("a", "5.4.1", "ios", T0),
                error("b", "5.4.1", "ios", T0.plus(59_000)),
                error("c", "5.4.0", "ios", T0.plus(1_000)),
                error("d", "5.4.1", "ios", T0.plus(60_000)),
                error("e", null, "web", T0.plus(2_000)),
                TimestampedValue.of(click, T0)))
            .apply(CountErrorsPerVersion.of(WindowPolicy.batch()));
    PAssert.that(errors)
        .containsInAnyOrder(
            row(T0, "5.4.1", "ios", 2),
            row(T0, "5.4.0", "ios", 1),
            row(T0.plus(MINUTE), "5.4.1", "ios", 1),
            row(T0, "unknown", "web", 1));
    pipeline.run().waitUntilFinish();
  }
}
