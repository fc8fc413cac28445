package io.github.analytics.transforms.ingest;

import static io.github.analytics.transforms.ingest.ParseEventsTest.counter;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.analytics.generator.GeoFixture;
import io.github.analytics.generator.MmdbWriter;
import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.PipelineCounters;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestPipelineExtension.class)
class EnrichEventsTest {
  private static final Instant T = Instant.parse("2026-11-27T10:00:00Z");
  private static final String CHROME_WINDOWS =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
          + " Chrome/120.0.0.0 Safari/537.36";
  private static final String SAFARI_IPHONE =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
          + " Version/17.4 Mobile/15E148 Safari/604.1";

  private static Event event(String id, String ip, String userAgent) {
    return TestEvents.event(id, "page_view", "u-" + id, T).toBuilder()
        .setClientIp(ip)
        .setUserAgent(userAgent)
        .build();
  }

  /** id|country|region|city|device|os|browser: easy to read in a failure. */
  private static PCollection<String> describe(PCollection<Event> events) {
    return events.apply(
        "Describe",
        MapElements.into(TypeDescriptors.strings())
            .via(e -> String.join("|", e.getEventId(), e.getCountry(), e.getRegion(), e.getCity(),
                e.getDeviceType(), e.getOs(), e.getBrowser())));
  }

  @Test
  void addsLocationAndDeviceAndKeepsEveryEvent(@TempDir Path dir, TestPipeline pipeline)
      throws Exception {
    Path database = dir.resolve("city.mmdb");
    MmdbWriter.writeCity(database, GeoFixture.locations());
    List<Event> input = List.of(
        event("london", "81.2.69.142", CHROME_WINDOWS),
        event("berlin", "85.214.12.34", SAFARI_IPHONE),
        event("private", "10.0.0.1", "curl/8.5.0"),
        event("garbage-ip", "not-an-ip", "%%%"),
        event("no-ip", null, null));

    PCollection<Event> enriched =
        pipeline.apply(Create.of(input)).apply(EnrichEvents.of().withGeoDatabase(database.toString()));

    // Locations worked out by hand from the fixture table; devices as YAUAA classifies each string
    // (curl is a robot; an injection-like string is a "Hacker").
    PAssert.that(describe(enriched))
        .containsInAnyOrder(
            "london|GB|ENG|London|desktop|Windows NT|Chrome",
            "berlin|DE|BE|Berlin|phone|iOS|Safari",
            "private|unknown|unknown|unknown|robot|Cloud|Curl",
            "garbage-ip|unknown|unknown|unknown|hacker|Hacker|Hacker",
            "no-ip|unknown|unknown|unknown|unknown|unknown|unknown");
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(2, counter(result, PipelineCounters.GEO_FOUND));
    assertEquals(1, counter(result, PipelineCounters.GEO_NOT_FOUND));
    assertEquals(1, counter(result, PipelineCounters.GEO_INVALID_IP));
    assertEquals(0, counter(result, PipelineCounters.GEO_LOOKUP_FAILED));
  }

  @Test
  void withoutADatabaseTheLocationIsUnknown(TestPipeline pipeline) {
    PCollection<Event> enriched =
        pipeline.apply(Create.of(event("london", "81.2.69.142", CHROME_WINDOWS)))
            .apply(EnrichEvents.of());
    PAssert.that(describe(enriched))
        .containsInAnyOrder("london|unknown|unknown|unknown|desktop|Windows NT|Chrome");
    pipeline.run().waitUntilFinish();
  }
}
