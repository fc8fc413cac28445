package io.github.analytics.transforms.ingest;

import io.github.analytics.schemas.Event;
import org.joda.time.Instant;

/** Hand-made events for tests. */
public final class TestEvents {
  private TestEvents() {}

  /** A parsed, not yet enriched, event of {@code type} by {@code user} at {@code time}. */
  public static Event event(String eventId, String type, String user, Instant time) {
    return Event.builder()
        .setEventId(eventId)
        .setEventType(type)
        .setUserId(user)
        .setSessionId("s-" + user)
        .setProperties("{}")
        .setClientTimestamp(time)
        .setServerTimestamp(time.plus(500))
        .setEventTimestamp(time)
        .setAppVersion("5.3.1")
        .setPlatform("web")
        .setClientIp(null)
        .setUserAgent(null)
        .setReceivedAt(time.plus(500))
        .build();
  }
}
