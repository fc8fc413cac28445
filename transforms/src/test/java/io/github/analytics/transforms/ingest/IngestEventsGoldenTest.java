package io.github.analytics.transforms.ingest;

import static io.github.analytics.transforms.ingest.ParseEventsTest.counter;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.transforms.PipelineCounters;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The shared golden file ({@code testdata/ingest}) through the whole ingest path. */
@ExtendWith(TestPipelineExtension.class)
class IngestEventsGoldenTest {
  private static final Path GOLDEN = Path.of("..", "testdata", "ingest");
  private static final Instant RECEIVED = Instant.parse("2026-11-27T08:00:01Z");

  /** The file's lines as raw bytes: some are deliberately not UTF-8. */
  private static List<byte[]> lines(Path file) throws Exception {
    List<byte[]> lines = new ArrayList<>();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (byte b : Files.readAllBytes(file)) {
      if (b == '\n') {
        lines.add(line.toByteArray());
        line.reset();
      } else {
        line.write(b);
      }
    }
    return lines;
  }

  @Test
  void everyGoldenLineEndsAsItsHandWorkedOutcome(TestPipeline pipeline) throws Exception {
    List<byte[]> payloads = lines(GOLDEN.resolve("golden.jsonl"));
    List<String> expected = Files.readAllLines(GOLDEN.resolve("golden-expected.csv")).stream()
        .skip(1)
        .map(row -> row.split(",", 3)[1])
        .toList();
    assertEquals(expected.size(), payloads.size(), "one expected outcome per line");
    List<RawEvent> input = new ArrayList<>();
    List<String> expectedReasons = new ArrayList<>();
    for (int i = 0; i < payloads.size(); i++) {
      input.add(RawEvent.of(payloads.get(i), RECEIVED, "golden:" + (i + 1)));
      if (!expected.get(i).equals("VALID")) {
        expectedReasons.add(expected.get(i));
      }
    }

    WithFailures.Result<PCollection<Event>, DeadLetter> result =
        pipeline.apply(Create.of(input))
            .apply(IngestEvents.of(ParseEvents.of(), DeduplicateEvents.of(), EnrichEvents.of()));

    PAssert.that(result.failures().apply("Reasons",
            MapElements.into(TypeDescriptors.strings()).via(DeadLetter::getReason)))
        .containsInAnyOrder(expectedReasons);
    // Five valid lines, one of them a retry of the first: four events, ids in lower case; line 4's
    // fast client clock is capped at the server's 08:00:00.400.
    PAssert.that(result.output().apply("IdsAndTimes",
            MapElements.into(TypeDescriptors.strings())
                .via(e -> e.getEventId() + "@" + e.getEventTimestamp())))
        .containsInAnyOrder(
            "8a3a9f0e-1b2c-4d5e-8f90-a1b2c3d4e5f6@2026-11-27T08:00:00.000Z",
            "8a3a9f0e-1b2c-4d5e-8f90-a1b2c3d4e5f7@2026-11-27T08:00:00.000Z",
            "8a3a9f0e-1b2c-4d5e-8f90-a1b2c3d4e5f8@2026-11-27T08:00:00.000Z",
            "8a3a9f0e-1b2c-4d5e-8f90-a1b2c3d4e5f9@2026-11-27T08:00:00.400Z");
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    assertEquals(1, counter(run, PipelineCounters.DUPLICATES_DROPPED));
  }
}
