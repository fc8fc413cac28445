package io.github.analytics.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.RawEvent;
import io.github.analytics.schemas.RawEventCoder;
import io.github.analytics.transforms.ingest.DeduplicateEvents;
import io.github.analytics.transforms.ingest.EnrichEvents;
import io.github.analytics.transforms.ingest.IngestEvents;
import io.github.analytics.transforms.ingest.ParseEvents;
import io.github.analytics.transforms.metrics.MetricCatalog;
import io.github.analytics.transforms.metrics.MetricConfig;
import io.github.analytics.transforms.metrics.MetricDefinition;
import io.github.analytics.transforms.metrics.MetricTransform;
import io.github.analytics.transforms.metrics.PerEventFn;
import io.github.analytics.transforms.metrics.PerUserMetric;
import io.github.analytics.transforms.metrics.WindowPolicy;
import io.github.analytics.transforms.users.UserMetric;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The poison-pill guard: valid events that make a metric throw, once in a metric's per-event step
 * and once in a per-user metric, with the whole catalog around them, as a bounded input and as a
 * stream. The pipeline finishes; each poisoned event is a {@code STEP_FAILED} dead letter per step
 * it broke, whose payload is the event; the broken steps count every other event; every other
 * metric counts the poisoned events too. Expectations are worked out by hand from the records below.
 */
@ExtendWith(TestPipelineExtension.class)
class PoisonPillTest {
  private static final Instant RECEIVED = Instant.parse("2026-11-27T10:00:02.000Z");
  private static final String POISON = "poison";
  private static final Instant DAY = Instant.parse("2026-11-27T00:00:00.000Z");

  /** (event id, user, event type): two poisoned events, one of them sent twice. */
  private static final String[][] RECORDS = {
    {"00000000-0000-4000-8000-000000000001", "u1", "page_view"},
    {"00000000-0000-4000-8000-000000000002", "u1", "click"},
    {"00000000-0000-4000-8000-0000000000a1", "u1", POISON},
    {"00000000-0000-4000-8000-000000000003", "u2", "page_view"},
    {"00000000-0000-4000-8000-0000000000a2", "u2", POISON},
    {"00000000-0000-4000-8000-0000000000a2", "u2", POISON},
    {"00000000-0000-4000-8000-000000000004", "u3", "page_view"},
  };

  @Test
  void aBoundedRunGoesOnAndDeadLettersThePoisonedEvents(TestPipeline pipeline) throws IOException {
    PCollection<RawEvent> raw =
        pipeline.apply("Records", Create.of(records()).withCoder(RawEventCoder.of()));
    analyzeAndCheck(pipeline, raw, MetricConfig.of(WindowPolicy.batch()));
  }

  @Test
  void aStreamGoesOnAndDeadLettersThePoisonedEvents(TestPipeline pipeline) throws IOException {
    TestStream.Builder<RawEvent> stream =
        TestStream.create(RawEventCoder.of()).advanceWatermarkTo(RECEIVED.minus(Duration.standardMinutes(1)));
    for (RawEvent record : records()) {
      stream = stream.addElements(TimestampedValue.of(record, RECEIVED));
    }
    PCollection<RawEvent> raw = pipeline.apply("Records", stream.advanceWatermarkToInfinity());
    analyzeAndCheck(pipeline, raw, MetricConfig.of(
        WindowPolicy.streaming(Duration.standardSeconds(5), Duration.standardMinutes(10))));
  }

  private static void analyzeAndCheck(TestPipeline pipeline, PCollection<RawEvent> raw, MetricConfig config)
      throws IOException {
    List<MetricDefinition> catalog = new ArrayList<>(MetricCatalog.all());
    catalog.add(MetricDefinition.onEvents("poison_counts", "Events per type; throws on poison", "day",
        c -> new PoisonCounts(c.policy())));
    catalog.add(MetricDefinition.onEvents("poison_ids", "Event ids per user; throws on poison", "day",
        c -> new PoisonIds()));
    AnalyzeEvents.Result result = raw.apply("Analyze", AnalyzeEvents.of(
        IngestEvents.of(ParseEvents.of(), DeduplicateEvents.of(), EnrichEvents.of()), catalog, config));

    List<String> unique = new ArrayList<>();
    List<String> clean = new ArrayList<>();
    List<String> deadLetters = new ArrayList<>();
    for (String[] record : RECORDS) {
      if (unique.contains(record[0])) {
        continue;
      }
      unique.add(record[0]);
      if (record[2].equals(POISON)) {
        deadLetters.add("PoisonCounts/Key " + record[0] + " " + record[1] + " " + POISON);
        deadLetters.add("PerUser/poison_ids " + record[0] + " " + record[1] + " " + POISON);
      } else {
        clean.add(record[0]);
      }
    }
    // Each poisoned event once per step it broke; the payload is the event (read with a plain mapper).
    PAssert.that(result.stepFailures().apply("DeadLetterKeys",
            MapElements.into(TypeDescriptors.strings()).via(PoisonPillTest::describe)))
        .containsInAnyOrder(deadLetters);
    // No record was refused.
    PAssert.that(result.deadLetters()).empty();
    // The events and the other metrics are untouched: every unique event, poisoned or not.
    PAssert.that(result.events().apply("EventIds",
            MapElements.into(TypeDescriptors.strings()).via(Event::getEventId)))
        .containsInAnyOrder(unique);
    PAssert.that(result.metrics().get("event_counts_per_minute")
            .apply("PoisonPerMinute", Filter.by((Row row) -> POISON.equals(row.getString("event_type"))))
            .apply("PoisonCount", MapElements.into(TypeDescriptors.longs()).via(row -> row.getInt64("event_count"))))
        .satisfies(counts -> {
          long max = 0;
          for (long count : counts) {
            max = Math.max(max, count);
          }
          assertEquals(2, max, "poisoned events counted per minute");
          return null;
        });
    // The broken steps count everything else.
    // Panes are accumulating: the latest (largest) count per type is its value.
    PAssert.that(result.metrics().get("poison_counts").apply("PoisonCountsTotal",
            MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                .via(row -> KV.of(row.getString("event_type"), row.getInt64("events")))))
        .satisfies(counts -> {
          java.util.Map<String, Long> latest = new java.util.HashMap<>();
          for (KV<String, Long> count : counts) {
            latest.merge(count.getKey(), count.getValue(), Math::max);
          }
          long total = latest.values().stream().mapToLong(Long::longValue).sum();
          assertEquals(clean.size(), total, "events poison_counts counted");
          return null;
        });
    PAssert.that(result.metrics().get("poison_ids").apply("PoisonIds",
            MapElements.into(TypeDescriptors.strings()).via(row -> row.getString("event_id"))))
        .containsInAnyOrder(clean);

    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    assertEquals(deadLetters.size(), counter(run, DeadLetterReason.STEP_FAILED), "step failures");
    assertEquals(RECORDS.length, counterNamed(run, PipelineCounters.PARSE_VALID), "valid records");
    assertEquals(1, counterNamed(run, PipelineCounters.DUPLICATES_DROPPED), "duplicates");
  }

  private static String describe(DeadLetter dead) {
    try {
      JsonNode event = new ObjectMapper().readTree(new String(dead.getPayload(), StandardCharsets.UTF_8));
      assertEquals(DeadLetterReason.STEP_FAILED.name(), dead.getReason(), dead.getMessage());
      assertEquals(RECEIVED, dead.getReceivedAt());
      return dead.getStep() + " " + event.get("event_id").asText() + " " + event.get("user_id").asText()
          + " " + event.get("event_type").asText();
    } catch (IOException e) {
      throw new AssertionError("payload is not JSON: " + dead, e);
    }
  }

  private static List<RawEvent> records() {
    List<RawEvent> records = new ArrayList<>();
    for (String[] record : RECORDS) {
      records.add(RawEvent.ofJson("{\"event_id\":\"" + record[0] + "\",\"event_type\":\"" + record[2]
          + "\",\"user_id\":\"" + record[1] + "\",\"session_id\":\"s-" + record[1]
          + "\",\"properties\":{\"page\":\"/home\"},\"client_timestamp\":\"2026-11-27T10:00:00.500Z\","
          + "\"server_timestamp\":\"2026-11-27T10:00:01.000Z\",\"app_version\":\"5.3.1\",\"platform\":\"web\"}",
          RECEIVED));
    }
    return records;
  }

  private static long counter(PipelineResult run, DeadLetterReason reason) {
    return counterNamed(run, PipelineCounters.deadLetterCounterName(reason));
  }

  private static long counterNamed(PipelineResult run, String name) {
    long total = 0;
    for (MetricResult<Long> counter : run.metrics().queryMetrics(MetricsFilter.builder()
            .addNameFilter(MetricNameFilter.named(PipelineCounters.NAMESPACE, name)).build())
        .getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }

  private static boolean poisoned(Event event) {
    return POISON.equals(event.getEventType());
  }

  /** Events per type; its per-event step throws on a poisoned event. */
  static final class PoisonCounts extends MetricTransform<Event> {
    private static final long serialVersionUID = 1L;
    static final Schema SCHEMA =
        Schema.builder().addDateTimeField("day").addStringField("event_type").addInt64Field("events").build();
    private final WindowPolicy policy;

    PoisonCounts(WindowPolicy policy) {
      this.policy = policy;
    }

    @Override
    public Schema outputSchema() {
      return SCHEMA;
    }

    @Override
    public List<String> keyColumns() {
      return List.of("day", "event_type");
    }

    @Override
    public PCollection<Row> expand(PCollection<Event> events) {
      return perEvent(events, "Key", new KeyFn())
          .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
          .apply("Daily", policy.<KV<String, Long>>window(FixedWindows.of(Duration.standardDays(1))))
          .apply("Sum", Sum.longsPerKey())
          .apply("ToRows", MapElements.into(TypeDescriptors.rows())
              .via((KV<String, Long> kv) -> Row.withSchema(SCHEMA).addValues(DAY, kv.getKey(), kv.getValue()).build()))
          .setRowSchema(SCHEMA);
    }

    static final class KeyFn extends PerEventFn<KV<String, Long>> {
      private static final long serialVersionUID = 1L;

      @Override
      protected void process(Event event, OutputReceiver<KV<String, Long>> out) {
        if (poisoned(event)) {
          throw new IllegalStateException("poisoned event " + event.getEventId());
        }
        out.output(KV.of(event.getEventType(), 1L));
      }
    }
  }

  /** Each user's event ids, from the per-user stage; throws on a poisoned event. */
  static final class PoisonIds extends MetricTransform<Event> implements PerUserMetric<String> {
    private static final long serialVersionUID = 1L;
    static final Schema SCHEMA = Schema.builder().addDateTimeField("day").addStringField("event_id").build();

    @Override
    public Schema outputSchema() {
      return SCHEMA;
    }

    @Override
    public List<String> keyColumns() {
      return List.of("day", "event_id");
    }

    @Override
    public PCollection<Row> expand(PCollection<Event> events) {
      throw new UnsupportedOperationException("runs in the per-user stage");
    }

    @Override
    public UserMetric<?, String> userMetric() {
      return new IdsFn();
    }

    @Override
    public PCollection<Row> rows(PCollection<String> values) {
      return values
          .apply("ToRows", MapElements.into(TypeDescriptors.rows())
              .via((String id) -> Row.withSchema(SCHEMA).addValues(DAY, id).build()))
          .setRowSchema(SCHEMA);
    }
  }

  static final class IdsFn extends UserMetric<Long, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String name() {
      return "poison_ids";
    }

    @Override
    public Coder<Long> stateCoder() {
      return VarLongCoder.of();
    }

    @Override
    public Coder<String> outputCoder() {
      return StringUtf8Coder.of();
    }

    @Override
    public @Nullable Long onEvent(String user, @Nullable Long state, Event event, Output<String> out) {
      if (poisoned(event)) {
        throw new IllegalArgumentException("poisoned event " + event.getEventId());
      }
      out.emit(event.getEventId(), event.getEventTimestamp().getMillis());
      return state == null ? 1L : state + 1;
    }

    @Override
    public long nextWakeUp(Long state) {
      return Long.MAX_VALUE;
    }

    @Override
    public @Nullable Long onTime(String user, Long state, long time, Output<String> out) {
      return null;
    }
  }
}
