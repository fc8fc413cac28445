package io.github.analytics.transforms.ingest;

import static io.github.analytics.transforms.ingest.ParseEventsTest.counter;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.schemas.RawEventCoder;
import io.github.analytics.transforms.PipelineCounters;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole hostile corpus ({@code testdata/hostile}) through the ingest transforms ({@link
 * IngestEvents}: parse, deduplicate, enrich) on the direct runner, once as a bounded input (as the
 * batch layer reads the archive) and once as an unbounded {@link TestStream} timestamped at arrival
 * (as the streaming layer reads Kafka). Every record is accounted for: records in = valid +
 * dead-lettered, by the counters and by the outputs; each dead letter is the record the corpus
 * names, with the corpus's reason and its payload byte for byte; the valid records come out once
 * each (their ids are all different, so nothing is dropped as a duplicate). The expectations come
 * from the corpus file alone.
 */
@ExtendWith(TestPipelineExtension.class)
class HostileCorpusPipelineTest {
  private static List<HostileCorpus.Entry> corpus;

  @BeforeAll
  static void load() throws Exception {
    corpus = HostileCorpus.load();
  }

  @Test
  void aBoundedInputAccountsForEveryRecord(TestPipeline pipeline) throws Exception {
    List<RawEvent> records = new ArrayList<>();
    corpus.forEach(entry -> records.add(entry.raw()));
    PCollection<RawEvent> raw =
        pipeline.apply("Corpus", Create.of(records).withCoder(RawEventCoder.of()));
    ingestAndCheck(pipeline, raw);
  }

  @Test
  void aStreamAccountsForEveryRecord(TestPipeline pipeline) throws Exception {
    // In batches of 50, as a consumer's polls deliver them, each record at its arrival time.
    TestStream.Builder<RawEvent> stream =
        TestStream.create(RawEventCoder.of())
            .advanceWatermarkTo(HostileCorpus.RECEIVED.minus(Duration.standardMinutes(1)));
    for (int from = 0; from < corpus.size(); from += 50) {
      List<TimestampedValue<RawEvent>> batch = new ArrayList<>();
      for (HostileCorpus.Entry entry : corpus.subList(from, Math.min(from + 50, corpus.size()))) {
        batch.add(TimestampedValue.of(entry.raw(), HostileCorpus.RECEIVED));
      }
      @SuppressWarnings("unchecked")
      TimestampedValue<RawEvent>[] rest =
          batch.subList(1, batch.size()).toArray(TimestampedValue[]::new);
      stream = stream.addElements(batch.get(0), rest);
    }
    PCollection<RawEvent> raw = pipeline.apply("Corpus", stream.advanceWatermarkToInfinity());
    ingestAndCheck(pipeline, raw);
  }

  private static void ingestAndCheck(TestPipeline pipeline, PCollection<RawEvent> raw)
      throws Exception {
    WithFailures.Result<PCollection<Event>, DeadLetter> result =
        raw.apply(
            "IngestEvents",
            IngestEvents.of(ParseEvents.of(), DeduplicateEvents.of(), EnrichEvents.of()));

    List<String> deadLetters = new ArrayList<>();
    List<String> eventIds = new ArrayList<>();
    Map<DeadLetterReason, Long> byReason = new EnumMap<>(DeadLetterReason.class);
    ObjectMapper json = new ObjectMapper();
    for (HostileCorpus.Entry entry : corpus) {
      if (entry.valid()) {
        // Stored in lower case; read from the payload with a plain mapper, not the parser.
        eventIds.add(
            json.readTree(entry.payload()).get("event_id").asText().toLowerCase(Locale.ROOT));
      } else {
        deadLetters.add(deadLetterKey(entry.source(), entry.reason().name(), entry.payload()));
        byReason.merge(entry.reason(), 1L, Long::sum);
      }
    }

    PAssert.that(
            result
                .failures()
                .apply(
                    "DeadLetterKeys",
                    MapElements.into(TypeDescriptors.strings())
                        .via(d -> deadLetterKey(d.getSource(), d.getReason(), d.getPayload()))))
        .containsInAnyOrder(deadLetters);
    // Each valid record's id exactly once (containsInAnyOrder compares counts too).
    PAssert.that(
            result
                .output()
                .apply("EventIds", MapElements.into(TypeDescriptors.strings()).via(Event::getEventId)))
        .containsInAnyOrder(eventIds);

    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    long valid = counter(run, PipelineCounters.PARSE_VALID);
    long deadLettered = 0;
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      long counted = counter(run, PipelineCounters.deadLetterCounterName(reason));
      assertEquals(byReason.getOrDefault(reason, 0L), counted, reason.name());
      deadLettered += counted;
    }
    assertEquals(corpus.size(), counter(run, PipelineCounters.PARSE_INPUT), "records in");
    assertEquals(eventIds.size(), valid, "valid");
    assertEquals(deadLetters.size(), deadLettered, "dead-lettered");
    assertEquals(
        counter(run, PipelineCounters.PARSE_INPUT), valid + deadLettered, "in = valid + dead");
    assertEquals(0, counter(run, PipelineCounters.DUPLICATES_DROPPED), "duplicates dropped");
  }

  /** A dead letter as one comparable string: the record it came from, its reason, its bytes. */
  private static String deadLetterKey(String source, String reason, byte[] payload) {
    return source + " " + reason + " " + Base64.getEncoder().encodeToString(payload);
  }
}
