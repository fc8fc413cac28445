package io.github.analytics.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.analytics.pipelines.io.DuckDbWarehouse;
import io.github.analytics.pipelines.options.DateRange;
import io.github.analytics.schemas.Event;
import io.github.analytics.transforms.ingest.TestEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbWarehouseTest {
  private static final DateRange DAY = new DateRange(LocalDate.parse("2026-11-27"), LocalDate.parse("2026-11-27"));

  private static void writeEvents(Path db, String runId, List<Event> events) throws Exception {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    DuckDbWarehouse warehouse = DuckDbWarehouse.at(db.toString(), null, runId);
    warehouse.write("events", "received_at", pipeline.apply(Create.of(events)));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    warehouse.commit(DAY, result);
  }

  private static long count(Path db, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void reRunningADayReplacesItsRowsAndKeepsOtherDays(@TempDir Path dir) throws Exception {
    Path db = dir.resolve("w.duckdb");
    Instant day = Instant.parse("2026-11-27T12:00:00Z");
    Instant nextDay = Instant.parse("2026-11-28T12:00:00Z");
    Event a = TestEvents.event("a", "click", "u1", day);
    Event b = TestEvents.event("b", "page_view", "u2", day);
    Event other = TestEvents.event("c", "click", "u3", nextDay);
    writeEvents(db, "r1", Arrays.asList(a, b, other));
    assertEquals(3, count(db, "SELECT count(*) FROM events"));

    writeEvents(db, "r2", Arrays.asList(a, b));
    // The 27th was replaced (not doubled); the 28th, outside the range, kept its row.
    assertEquals(3, count(db, "SELECT count(*) FROM events"));
    assertEquals(1, count(db, "SELECT count(*) FROM events WHERE event_id = 'c'"));
    assertEquals(1, count(db, "SELECT count(*) FROM events WHERE event_id = 'a'"));
    // Timestamps keep their instant; the staging files are gone after the load.
    assertEquals(
        day.getMillis(),
        count(db, "SELECT epoch_ms(event_timestamp) FROM events WHERE event_id = 'a'"));
    assertEquals(0, Files.list(dir.resolve("w.duckdb.staging")).count());
  }

  @Test
  void anEmptyOutputReplacesTheDaysRowsWithNothing(@TempDir Path dir) throws Exception {
    Path db = dir.resolve("w.duckdb");
    Event a = TestEvents.event("a", "click", "u1", Instant.parse("2026-11-27T12:00:00Z"));
    for (List<Event> alerts : List.of(List.of(a), List.<Event>of())) {
      Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
      DuckDbWarehouse warehouse = DuckDbWarehouse.at(db.toString(), null, "run-" + alerts.size());
      warehouse.write("events", "received_at", pipeline.apply("Events", Create.of(a)));
      warehouse.write("alerts", "received_at", pipeline.apply("Alerts",
          Create.of(alerts).withCoder(pipeline.getSchemaRegistry().getSchemaCoder(Event.class))));
      PipelineResult result = pipeline.run();
      result.waitUntilFinish();
      warehouse.commit(DAY, result);
      assertEquals(alerts.size(), count(db, "SELECT count(*) FROM alerts"));
    }
    assertEquals(1, count(db, "SELECT count(*) FROM events"));
  }

  @Test
  void refusesNamesThatAreNotSnakeCase(@TempDir Path dir) {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    DuckDbWarehouse warehouse = DuckDbWarehouse.at(dir.resolve("w.duckdb").toString(), null, "r");
    assertThrows(
        IllegalArgumentException.class,
        () ->
            warehouse.write(
                "events; DROP TABLE x",
                "received_at",
                pipeline.apply(Create.of(TestEvents.event("a", "click", "u", Instant.now())))));
  }
}
