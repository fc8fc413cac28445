package io.github.analytics.collector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.analytics.common.IsoTimestamps;
import java.time.Instant;
import java.util.List;

/**
 * The native path's events ({@code POST /v1/native}): each checked (size, a JSON object, a user),
 * stamped and turned into a Kafka record, or into a dead letter with its reason. Segment's messages
 * go through {@link SegmentTranslator} instead.
 */
final class NativeEvents {
  private final CollectorSettings settings;
  private final ObjectMapper mapper;

  NativeEvents(CollectorSettings settings, ObjectMapper mapper) {
    this.settings = settings;
    this.mapper = mapper;
  }

  /**
   * Adds a record per event to {@code records}, an event or a dead letter; returns the events. Stamped with the server's time (a replay key's events keep their own, which also
   * stamps their Kafka record), and the peer and user agent where they have none.
   */
  int collect(ArrayNode events, String peer, String agent, Instant receivedAt, String source,
      boolean replay, List<KafkaPublisher.Outgoing> records) {
    int accepted = 0;
    long now = receivedAt.toEpochMilli();
    for (JsonNode node : events) {
      byte[] raw = bytes(mapper, node);
      SegmentTranslator.Reason reason = null;
      String why = null;
      if (raw.length > settings.maxEventBytes()) {
        reason = SegmentTranslator.Reason.PAYLOAD_TOO_LARGE;
        why = "the event is " + raw.length + " bytes, over the " + settings.maxEventBytes() + " allowed";
      } else if (!(node instanceof ObjectNode)) {
        reason = SegmentTranslator.Reason.WRONG_TYPE;
        why = "an event is not a JSON object";
      } else if (!node.path("user_id").isTextual() || node.path("user_id").asText().isBlank()) {
        reason = SegmentTranslator.Reason.MISSING_FIELD;
        why = "the event has no user_id string";
      }
      long arrival = now;
      if (reason == null && replay) {
        try {
          arrival = IsoTimestamps.epochMillis(node.path("server_timestamp").asText(""));
        } catch (java.time.format.DateTimeParseException | ArithmeticException e) {
          reason = SegmentTranslator.Reason.INVALID_TIMESTAMP;
          why = "a replay key's event needs its own server_timestamp, an ISO-8601 time with an offset";
        }
      }
      if (reason != null) {
        records.add(KafkaPublisher.Outgoing.deadLetter(settings.deadLetterTopic(), raw, now, source,
            reason, why));
        continue;
      }
      ObjectNode event = (ObjectNode) node;
      if (!replay) {
        event.put("server_timestamp", IsoTimestamps.format(now));
      }
      if (!event.path("client_ip").isTextual()) {
        event.put("client_ip", peer);
      }
      if (!event.path("user_agent").isTextual() && agent != null) {
        event.put("user_agent", agent);
      }
      records.add(KafkaPublisher.Outgoing.event(settings.topic(), event.path("user_id").asText(), bytes(mapper, event),
          arrival, source));
      accepted++;
    }
    return accepted;
  }


  /** {@code node} as JSON bytes. */
  static byte[] bytes(ObjectMapper mapper, JsonNode node) {
    try {
      return mapper.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A parsed JSON value did not serialize", e);
    }
  }
}
