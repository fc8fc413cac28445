package io.github.analytics.transforms.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.PipelineCounters;
import io.github.analytics.transforms.ingest.TestEvents;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class SessionizeEventsTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  private static final Duration GAP = MetricConfig.DEFAULT_SESSION_GAP;
  private static final WindowPolicy STREAMING =
      WindowPolicy.streaming(Duration.standardSeconds(5), Duration.standardMinutes(10));

  private static Instant at(Duration offset) {
    return T0.plus(offset);
  }

  private static Duration minutes(long n) {
    return Duration.standardMinutes(n);
  }

  private static Event event(String id, String type, String user, Instant time) {
    return TestEvents.event(id, type, user, time);
  }

  private static Event event(
      String id, String type, String user, Instant time, String clientSession) {
    return TestEvents.event(id, type, user, time).toBuilder().setSessionId(clientSession).build();
  }

  private static Event purchase(String id, String user, Instant time, String properties) {
    return TestEvents.event(id, "purchase", user, time).toBuilder().setProperties(properties).build();
  }

  private static PCollection<Row> sessionize(
      TestPipeline pipeline, WindowPolicy policy, Event... events) {
    TimestampedValue<Event>[] timestamped = timestamped(events);
    return pipeline
        .apply(Create.timestamped(Arrays.asList(timestamped))
            .withCoder(eventCoder(pipeline)))
        .apply(SessionizeEvents.of(policy, GAP));
  }

  private static TimestampedValue<Event> stamped(Event event) {
    return TimestampedValue.of(event, event.getEventTimestamp());
  }

  @SuppressWarnings("unchecked")
  private static TimestampedValue<Event>[] timestamped(Event... events) {
    TimestampedValue<Event>[] out = new TimestampedValue[events.length];
    for (int i = 0; i < events.length; i++) {
      out[i] = stamped(events[i]);
    }
    return out;
  }

  private static Coder<Event> eventCoder(TestPipeline pipeline) {
    try {
      return pipeline.getCoderRegistry().getCoder(Event.class);
    } catch (org.apache.beam.sdk.coders.CannotProvideCoderException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The expected row; session_id and duration follow the documented rule from start and end. */
  private static Row session(
      String user, Instant start, Instant end, long events, long pageViews, String firstType,
      String lastType, double revenue, String clientSession, long clientSessions) {
    return Row.withSchema(SessionizeEvents.SCHEMA)
        .addValues(
            user, user + "-" + start.getMillis(), start, end,
            (end.getMillis() - start.getMillis()) / 1000, events, pageViews, firstType, lastType,
            revenue, clientSession, clientSessions)
        .build();
  }

  /** A row as a readable line: user, span in minutes from T0, counts, client ids. */
  private static PCollection<String> describe(PCollection<Row> rows) {
    return rows.apply("Describe", ParDo.of(new DescribeFn()));
  }

  static final class DescribeFn extends DoFn<Row, String> {
    @ProcessElement
    public void process(@Element Row row, OutputReceiver<String> out) {
      out.output(
          row.getString("user_id")
              + " " + offset(row.getDateTime("session_start").toInstant())
              + ".." + offset(row.getDateTime("session_end").toInstant())
              + " events=" + row.getInt64("event_count")
              + " client=" + row.getString("client_session_id")
              + "/" + row.getInt64("client_session_ids"));
    }

    private static String offset(Instant time) {
      long millis = time.getMillis() - T0.getMillis();
      return millis % 60_000 == 0 ? (millis / 60_000) + "m" : (millis / 1000.0) + "s";
    }
  }

  static final class IdAndDurationFn extends DoFn<Row, String> {
    @ProcessElement
    public void process(@Element Row row, OutputReceiver<String> out) {
      out.output(row.getString("session_id") + " " + row.getInt64("duration_seconds"));
    }
  }

  private static long counter(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> c :
        result.metrics().queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(PipelineCounters.NAMESPACE, name))
                    .build())
            .getCounters()) {
      total += c.getAttempted();
    }
    return total;
  }

  @Test
  void eventsExactlyOneGapApartAreTwoSessionsAndOneMillisecondCloserAreOne(TestPipeline pipeline) {
    // "apart": windows [T0, T0+30m) and [T0+30m, T0+60m) touch but do not overlap: two sessions.
    // "close": [T0, T0+30m) and [T0+29m59.999s, ...) overlap by 1 ms: one session of 1799.999 s,
    // reported as 1799 whole seconds.
    Instant justInside = at(GAP.minus(1));
    PCollection<Row> sessions =
        sessionize(
            pipeline, WindowPolicy.batch(),
            event("a1", "page_view", "apart", T0),
            event("a2", "click", "apart", at(GAP)),
            event("c1", "page_view", "close", T0),
            event("c2", "click", "close", justInside));
    PAssert.that(sessions)
        .containsInAnyOrder(
            session("apart", T0, T0, 1, 1, "page_view", "page_view", 0.0, "s-apart", 1),
            session("apart", at(GAP), at(GAP), 1, 0, "click", "click", 0.0, "s-apart", 1),
            session("close", T0, justInside, 2, 1, "page_view", "click", 0.0, "s-close", 1));
    // The id format, pinned literally: user, "-", start in epoch millis (T0 = 1795773600000).
    PAssert.that(sessions.apply("IdsAndDurations", ParDo.of(new IdAndDurationFn())))
        .containsInAnyOrder(
            "apart-1795773600000 0", "apart-1795775400000 0", "close-1795773600000 1799");
    pipeline.run().waitUntilFinish();
  }

  @Test
  void eventsArrivingInReverseTimeOrderMakeTheSameSession(TestPipeline pipeline) {
    Event first = event("e1", "page_view", "u1", T0);
    Event second = event("e2", "click", "u1", at(minutes(5)));
    Event third = event("e3", "page_view", "u1", at(minutes(10)));
    Event last = purchase("e4", "u1", at(minutes(20)), "{\"revenue\":10}");
    TestStream<Event> stream =
        TestStream.create(eventCoder(pipeline))
            .addElements(TimestampedValue.of(last, last.getEventTimestamp()))
            .addElements(TimestampedValue.of(third, third.getEventTimestamp()))
            .addElements(TimestampedValue.of(second, second.getEventTimestamp()))
            .addElements(TimestampedValue.of(first, first.getEventTimestamp()))
            .advanceWatermarkToInfinity();
    PCollection<Row> sessions =
        pipeline.apply(stream).apply(SessionizeEvents.of(WindowPolicy.batch(), GAP));
    // Gaps of 5, 5 and 10 minutes: one session T0..T0+20m, 1200 s; 2 page views; the first event by
    // time is the page view that arrived last, the last by time the purchase that arrived first.
    PAssert.that(sessions)
        .containsInAnyOrder(
            session("u1", T0, at(minutes(20)), 4, 2, "page_view", "purchase", 10.0, "s-u1", 1));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aLateEventBetweenTwoSessionsMergesThemAndTheirCount(TestPipeline pipeline) {
    // Session A: T0 (c1), T0+1m (c2). Session B: T0+40m (c3), T0+41m (c4): 39 minutes apart. The
    // watermark passes both ends (31m, 71m): each goes out on time. The bridge at T0+20m (c1) then
    // arrives late, within the hour of lateness, and is within 30 minutes of both: A, bridge and B
    // become one session T0..T0+41m of 5 events with ids c1 x2, c2, c3, c4: c1 carries most, 4
    // distinct. Its row supersedes both; the counter counts the one final session: 1.
    WindowPolicy policy = WindowPolicy.streaming(Duration.standardSeconds(5), minutes(60));
    TestStream<Event> stream =
        TestStream.create(eventCoder(pipeline))
            .addElements(
                stamped(event("a1", "click", "u1", T0, "c1")),
                stamped(event("a2", "click", "u1", at(minutes(1)), "c2")),
                stamped(event("b1", "click", "u1", at(minutes(40)), "c3")),
                stamped(event("b2", "click", "u1", at(minutes(41)), "c4")))
            .advanceWatermarkTo(at(minutes(75)))
            .addElements(stamped(event("bridge", "click", "u1", at(minutes(20)), "c1")))
            .advanceWatermarkToInfinity();
    PCollection<Row> sessions = pipeline.apply(stream).apply(SessionizeEvents.of(policy, GAP));
    PAssert.that(describe(sessions))
        .containsInAnyOrder(
            "u1 0m..1m events=2 client=c1/2",
            "u1 40m..41m events=2 client=c3/2",
            "u1 0m..41m events=5 client=c1/4");
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(1, counter(result, PipelineCounters.SESSIONS_WITH_SEVERAL_CLIENT_IDS));
  }

  @Test
  void sumsPurchaseRevenueAndCountsPurchasesWithoutANumericOne(TestPipeline pipeline) {
    PCollection<Row> sessions =
        sessionize(
            pipeline, WindowPolicy.batch(),
            purchase("p1", "u1", T0, "{\"revenue\":12.5,\"currency\":\"EUR\"}"),
            purchase("p2", "u1", at(minutes(1)), "{\"revenue\":7.25}"),
            purchase("p3", "u1", at(minutes(2)), "{\"revenue\":\"9.99\"}"),
            purchase("p4", "u1", at(minutes(3)), "{}"),
            purchase("p5", "u1", at(minutes(4)), "{\"revenue\":null}"),
            // Not a purchase: its revenue property is not revenue, and it is not a bad purchase.
            TestEvents.event("v1", "page_view", "u1", at(minutes(5))).toBuilder()
                .setProperties("{\"revenue\":100}").build());
    // 12.5 + 7.25 = 19.75; the string, the missing and the null revenue add 0 and are counted: 3.
    PAssert.that(sessions)
        .containsInAnyOrder(
            session("u1", T0, at(minutes(5)), 6, 1, "purchase", "page_view", 19.75, "s-u1", 1));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(3, counter(result, PipelineCounters.PURCHASE_REVENUE_INVALID));
  }

  @Test
  void revenueIsAFiniteJsonNumberOnly() {
    assertEquals(OptionalDouble.of(3.0), SessionizeEvents.revenue("{\"revenue\":3}"));
    assertEquals(OptionalDouble.of(-4.5), SessionizeEvents.revenue("{\"revenue\":-4.5}"));
    assertEquals(OptionalDouble.empty(), SessionizeEvents.revenue("{\"revenue\":\"3\"}"));
    assertEquals(OptionalDouble.empty(), SessionizeEvents.revenue("{\"revenue\":1e400}"));
    assertEquals(OptionalDouble.empty(), SessionizeEvents.revenue("[1,2]"));
    assertEquals(OptionalDouble.empty(), SessionizeEvents.revenue("{\"revenue\":"));
    assertEquals(OptionalDouble.empty(), SessionizeEvents.revenue(""));
    assertEquals(OptionalDouble.empty(), SessionizeEvents.revenue("{\"cart\":{\"revenue\":5}}"), "nested");
    assertEquals(OptionalDouble.of(2.0), SessionizeEvents.revenue("{\"revenue\":1,\"revenue\":2}"), "last");
    assertEquals(OptionalDouble.of(7.25),
        SessionizeEvents.revenue("{\"items\":[{\"revenue\":1}],\"revenue\":7.25,\"x\":[[]]}"));
  }

  /** The streaming read gives what the tree gave (the rule before it), case by case. */
  @Test
  void revenueReadsAsTheJsonTreeDoes() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper tree = new com.fasterxml.jackson.databind.ObjectMapper();
    for (String properties : List.of("{\"revenue\":3}", "{\"revenue\":null}", "{\"revenue\":true}",
        "{\"revenue\":{\"amount\":3}}", "{\"revenue\":[3]}", "{\"revenue\":12345678901234567890}",
        "{\"revenue\":-0.0}", "{\"revenue\":1E-3}", "{\"revenue\":3,\"revenue\":\"3\"}",
        "{\"revenue\":\"3\",\"revenue\":3}", "{}", "{\"a\":1} trailing", "{\"revenue\":2}{\"revenue\":3}")) {
      com.fasterxml.jackson.databind.JsonNode value = tree.readTree(properties).get("revenue");
      OptionalDouble expected = value != null && value.isNumber() && Double.isFinite(value.doubleValue())
          ? OptionalDouble.of(value.doubleValue()) : OptionalDouble.empty();
      assertEquals(expected, SessionizeEvents.revenue(properties), properties);
    }
  }

  @Test
  void countsEachSessionWithSeveralClientIdsOnce(TestPipeline pipeline) {
    PCollection<Row> sessions =
        sessionize(
            pipeline, WindowPolicy.batch(),
            // u1: one session, ids s-a x2 and s-b: main s-a, 2 ids, counted.
            event("1", "click", "u1", T0, "s-b"),
            event("2", "click", "u1", at(minutes(1)), "s-a"),
            event("3", "click", "u1", at(minutes(2)), "s-a"),
            // u2: one client id spanning two computed sessions (50 minutes apart): not counted.
            event("4", "click", "u2", T0, "s-x"),
            event("5", "click", "u2", at(minutes(50)), "s-x"),
            // u3: a tie, s-q and s-p once each: main s-p, the smaller; 2 ids, counted.
            event("6", "click", "u3", T0, "s-q"),
            event("7", "click", "u3", at(minutes(1)), "s-p"));
    PAssert.that(sessions)
        .containsInAnyOrder(
            session("u1", T0, at(minutes(2)), 3, 0, "click", "click", 0.0, "s-a", 2),
            session("u2", T0, T0, 1, 0, "click", "click", 0.0, "s-x", 1),
            session("u2", at(minutes(50)), at(minutes(50)), 1, 0, "click", "click", 0.0, "s-x", 1),
            session("u3", T0, at(minutes(1)), 2, 0, "click", "click", 0.0, "s-p", 2));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(2, counter(result, PipelineCounters.SESSIONS_WITH_SEVERAL_CLIENT_IDS));
  }

  @Test
  void firstAndLastEventTypesFollowEventTimeWithTiesBrokenByEventId(TestPipeline pipeline) {
    // At T0, ids "b" (click) and "a" (page_view): the first is "a". At T0+10m, "y" (purchase) and
    // "z" (add_to_cart): the last is "z". A click at T0+5m is neither.
    PCollection<Row> sessions =
        sessionize(
            pipeline, WindowPolicy.batch(),
            event("z", "add_to_cart", "u1", at(minutes(10))),
            event("b", "click", "u1", T0),
            event("m", "click", "u1", at(minutes(5))),
            purchase("y", "u1", at(minutes(10)), "{\"revenue\":1}"),
            event("a", "page_view", "u1", T0));
    PAssert.that(sessions)
        .containsInAnyOrder(
            session("u1", T0, at(minutes(10)), 5, 1, "page_view", "add_to_cart", 1.0, "s-u1", 1));
    pipeline.run().waitUntilFinish();
  }

  @Test
  void streamingEmitsOnTimeAndLateRowsAndDropsTooLateEvents(TestPipeline pipeline) {
    // on time: e1 at T0, e2 at T0+1m; the watermark passes T0+31m (the last event + the gap): the
    //          row goes out, 2 events, client ids c1 and c2 (tie: c1).
    // late:    e3 at T0+30s, behind the watermark but within 10 minutes: the row again, 3 events,
    //          c1 x2.
    // dropped: the watermark passes T0+42m, the end + 10 minutes: the session is let go of. e4 at
    //          T0+45s falls before that end: too late, counted, no row.
    // The session showed two ids: counted once, when it was let go of.
    Event e1 = event("e1", "page_view", "u1", T0, "c1");
    Event e2 = event("e2", "click", "u1", at(minutes(1)), "c2");
    Event e3 = event("e3", "click", "u1", at(Duration.standardSeconds(30)), "c1");
    Event e4 = event("e4", "purchase", "u1", at(Duration.standardSeconds(45)), "c9");
    TestStream<Event> stream =
        TestStream.create(eventCoder(pipeline))
            .advanceWatermarkTo(T0)
            .addElements(TimestampedValue.of(e1, e1.getEventTimestamp()))
            .addElements(TimestampedValue.of(e2, e2.getEventTimestamp()))
            .advanceWatermarkTo(at(minutes(31)))
            .addElements(TimestampedValue.of(e3, e3.getEventTimestamp()))
            .advanceWatermarkTo(at(minutes(42)))
            .addElements(TimestampedValue.of(e4, e4.getEventTimestamp()))
            .advanceWatermarkToInfinity();
    PCollection<Row> sessions = pipeline.apply(stream).apply(SessionizeEvents.of(STREAMING, GAP));
    PAssert.that(describe(sessions))
        .containsInAnyOrder(
            "u1 0m..1m events=2 client=c1/2",
            "u1 0m..1m events=3 client=c1/2");
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(1, counter(result, PipelineCounters.SESSIONS_WITH_SEVERAL_CLIENT_IDS));
    assertEquals(1, counter(result, PipelineCounters.SESSION_EVENTS_TOO_LATE));
  }

  @Test
  void rejectsANonPositiveGapWithTheDefaultInTheMessage() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SessionizeEvents.of(WindowPolicy.batch(), Duration.ZERO));
    assertTrue(e.getMessage().contains("PT1800S"), e.getMessage());
  }

  @Test
  void summaryCoderRoundTrips() throws Exception {
    SessionSummary summary =
        SessionSummary.ofEvent("a", "page_view", T0.getMillis(), "c1", 0)
            .add(SessionSummary.ofEvent("b", "purchase", T0.getMillis() + 1, "c2", 2.5));
    CoderProperties.coderDecodeEncodeEqual(SessionSummary.CODER, summary);
    CoderProperties.coderDecodeEncodeEqual(SessionSummary.CODER, new SessionSummary());
  }

  /** The in-place path a session takes for each event agrees with merging one-event summaries. */
  @Test
  void addingEventsInPlaceEqualsMergingTheirSummaries() {
    java.util.Random random = new java.util.Random(11);
    String[] types = {"page_view", "click", "purchase"};
    for (int trial = 0; trial < 200; trial++) {
      SessionSummary inPlace = new SessionSummary();
      SessionSummary merged = new SessionSummary();
      for (int i = 0; i < 1 + random.nextInt(12); i++) {
        String id = "e" + random.nextInt(20); // repeated ids and times: the ties
        String type = types[random.nextInt(types.length)];
        long millis = T0.getMillis() + random.nextInt(5);
        String client = "c" + random.nextInt(3);
        double revenue = random.nextInt(4);
        inPlace.addEvent(id, type, millis, client, revenue);
        merged.add(SessionSummary.ofEvent(id, type, millis, client, revenue));
      }
      assertEquals(merged, inPlace);
      assertEquals(merged.toString(), inPlace.toString());
      assertEquals(merged.mainClientSessionId(), inPlace.mainClientSessionId());
    }
  }
}
