package io.github.analytics.transforms.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.EventCoder;
import io.github.analytics.transforms.metrics.WindowPolicy;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link UserActivityDaily} on hand-written events. */
@ExtendWith(TestPipelineExtension.class)
class UserActivityDailyTest {

  private static TimestampedValue<Event> event(String user, String type, String at, String properties) {
    Instant time = Instant.parse(at);
    Event event = Event.builder()
        .setEventId(java.util.UUID.nameUUIDFromBytes((user + type + at).getBytes()).toString())
        .setEventType(type)
        .setUserId(user)
        .setSessionId("s")
        .setProperties(properties)
        .setClientTimestamp(time)
        .setEventTimestamp(time)
        .setPlatform("web")
        .setReceivedAt(time)
        .build();
    return TimestampedValue.of(event, time);
  }

  @Test
  void oneRowPerUserAndUtcDayWithItsTypesRevenueAndTimes(TestPipeline p) {
    // ada on 2026-01-31: a page view at 23:00 and two purchases (19.5, and one whose revenue is not a
    // number: it adds 0), then a click at 00:30 on 02-01 (the next UTC day). bo: one page view.
    List<TimestampedValue<Event>> events = List.of(
        event("ada", "page_view", "2026-01-31T23:00:00Z", "{}"),
        event("ada", "purchase", "2026-01-31T23:10:00Z", "{\"revenue\": 19.5}"),
        event("ada", "purchase", "2026-01-31T23:20:00Z", "{\"revenue\": \"lots\"}"),
        event("ada", "click", "2026-02-01T00:30:00Z", "{}"),
        event("bo", "page_view", "2026-01-31T08:00:00Z", "{}"));
    PCollection<Row> rows = p.apply(Create.timestamped(events))
        .apply(UserActivityDaily.of(WindowPolicy.batch()));
    PAssert.that(rows).satisfies(all -> {
      assertEquals(List.of(
          "2026-01-31T00:00:00.000Z|ada|3|[page_view, purchase]|19.5|2026-01-31T23:00:00.000Z"
              + "|2026-01-31T23:20:00.000Z",
          "2026-01-31T00:00:00.000Z|bo|1|[page_view]|0.0|2026-01-31T08:00:00.000Z"
              + "|2026-01-31T08:00:00.000Z",
          "2026-02-01T00:00:00.000Z|ada|1|[click]|0.0|2026-02-01T00:30:00.000Z"
              + "|2026-02-01T00:30:00.000Z"), rendered(all));
      return null;
    });
    p.run().waitUntilFinish();
  }

  /** The rows as "day|user|count|types|revenue|first|last", sorted. */
  private static List<String> rendered(Iterable<Row> rows) {
    List<String> rendered = new ArrayList<>();
    rows.forEach(r -> rendered.add(r.getDateTime("day").toInstant() + "|" + r.getString("user_id")
        + "|" + r.getInt64("event_count") + "|" + r.getIterable("event_types") + "|"
        + r.getDouble("revenue") + "|" + r.getDateTime("first_event_at").toInstant() + "|"
        + r.getDateTime("last_event_at").toInstant()));
    rendered.sort(null);
    return rendered;
  }

  @Test
  void aUsersEventsCountOnceWhetherTheyArriveTogetherOrBetweenOthers(TestPipeline p) {
    // The step folds consecutive events of one user and day within a bundle. Here all events come in
    // one bundle, in this order: ada's day is split by bo's events and by a day boundary, and comes
    // back; each (day, user) must still be one row with every event. Worked by hand: ada on 01-31 has
    // 10:00, 10:05, 10:20 and 23:59:59.999 (page_view, click, purchase 5, purchase 2.25); on 02-01
    // 00:00 a click. bo on 01-31: 10:01 and 10:02.
    PCollection<Event> events = inOneBundle(p,
        List.of("ada", "page_view", "2026-01-31T10:00:00Z", "{}"),
        List.of("ada", "click", "2026-01-31T10:05:00Z", "{}"),
        List.of("bo", "page_view", "2026-01-31T10:01:00Z", "{}"),
        List.of("ada", "purchase", "2026-01-31T10:20:00Z", "{\"revenue\": 5}"),
        List.of("ada", "click", "2026-02-01T00:00:00Z", "{}"),
        List.of("ada", "purchase", "2026-01-31T23:59:59.999Z", "{\"revenue\": 2.25}"),
        List.of("bo", "click", "2026-01-31T10:02:00Z", "{}"));
    PCollection<Row> rows = events.apply(UserActivityDaily.of(WindowPolicy.batch()));
    PAssert.that(rows).satisfies(all -> {
      assertEquals(List.of(
          "2026-01-31T00:00:00.000Z|ada|4|[click, page_view, purchase]|7.25|2026-01-31T10:00:00.000Z"
              + "|2026-01-31T23:59:59.999Z",
          "2026-01-31T00:00:00.000Z|bo|2|[click, page_view]|0.0|2026-01-31T10:01:00.000Z"
              + "|2026-01-31T10:02:00.000Z",
          "2026-02-01T00:00:00.000Z|ada|1|[click]|0.0|2026-02-01T00:00:00.000Z"
              + "|2026-02-01T00:00:00.000Z"), rendered(all));
      return null;
    });
    p.run().waitUntilFinish();
  }

  /**
   * Events (user, type, time, properties) that the next step receives in one bundle, in this order:
   * the direct runner hands a step what one element of the step before it output as one bundle.
   */
  @SafeVarargs
  private static PCollection<Event> inOneBundle(TestPipeline p, List<String>... events) {
    List<List<String>> all = List.of(events);
    return p.apply(Create.of(0))
        .apply(ParDo.of(new DoFn<Integer, Event>() {
          @ProcessElement
          public void process(OutputReceiver<Event> out) {
            for (List<String> e : all) {
              TimestampedValue<Event> event = event(e.get(0), e.get(1), e.get(2), e.get(3));
              out.outputWithTimestamp(event.getValue(), event.getTimestamp());
            }
          }
        }))
        .setCoder(EventCoder.of());
  }
}
