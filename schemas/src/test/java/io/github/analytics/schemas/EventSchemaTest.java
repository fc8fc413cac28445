package io.github.analytics.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaRegistry;
import org.junit.jupiter.api.Test;

/**
 * The Beam schemas are the warehouse's column lists: a rename or reorder here changes every table
 * and breaks every query, so the names are pinned by hand.
 */
class EventSchemaTest {
  private static Schema schema(Class<?> type) throws Exception {
    return SchemaRegistry.createDefault().getSchema(type);
  }

  @Test
  void eventColumnsAreTheDocumentedOnes() throws Exception {
    Schema schema = schema(Event.class);
    assertEquals(
        List.of("event_id", "event_type", "user_id", "session_id", "properties", "client_timestamp",
            "server_timestamp", "event_timestamp", "app_version", "platform", "client_ip",
            "user_agent", "received_at", "country", "region", "city", "device_type", "os", "browser"),
        schema.getFieldNames());
    assertEquals(Schema.TypeName.DATETIME, schema.getField("event_timestamp").getType().getTypeName());
    assertEquals(false, schema.getField("event_id").getType().getNullable());
    assertEquals(true, schema.getField("server_timestamp").getType().getNullable());
  }

  @Test
  void deadLetterAndRawEventColumnsAreTheDocumentedOnes() throws Exception {
    assertEquals(
        List.of("payload", "reason", "message", "step", "received_at", "source"),
        schema(DeadLetter.class).getFieldNames());
    assertEquals(List.of("payload", "received_at", "source"), schema(RawEvent.class).getFieldNames());
    assertEquals(Schema.TypeName.BYTES, schema(DeadLetter.class).getField("payload").getType().getTypeName());
  }
}
