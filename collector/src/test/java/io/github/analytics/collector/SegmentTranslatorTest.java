package io.github.analytics.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Hand-worked Segment messages through {@link SegmentTranslator}. */
class SegmentTranslatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant RECEIVED = Instant.parse("2026-12-06T12:00:10Z");
  private final SegmentTranslator translator = new SegmentTranslator(JSON);

  private static SegmentTranslator.RequestContext request(String batchContext, String batchSentAt) throws Exception {
    return new SegmentTranslator.RequestContext("web-prod", RECEIVED, "203.0.113.9", "curl/8.5",
        batchContext == null ? null : (ObjectNode) JSON.readTree(batchContext), batchSentAt);
  }

  private JsonNode accepted(String message, SegmentTranslator.RequestContext request) throws Exception {
    SegmentTranslator.Result result = translator.translate(JSON.readTree(message), request);
    SegmentTranslator.Accepted event = assertInstanceOf(SegmentTranslator.Accepted.class, result, result.toString());
    JsonNode json = JSON.readTree(event.json());
    assertEquals(json.path("user_id").asText(), event.userId(), "the Kafka key is the user_id");
    return json;
  }

  private SegmentTranslator.Reason rejected(String message) throws Exception {
    SegmentTranslator.Result result = translator.translate(JSON.readTree(message), request(null, null));
    return assertInstanceOf(SegmentTranslator.Rejected.class, result, result.toString()).reason();
  }

  @Test
  void clockSkewIsCorrectedAsSegmentDefinesIt() throws Exception {
    // The client's clock is 2 h 5 s behind: it stamped the call at 10:00:00 and sent it at 10:00:05
    // by its clock; the collector received it at 12:00:10, so the call happened at 12:00:05.
    JsonNode event = accepted("""
        {"type":"track","event":"signup","userId":"u1","messageId":"m1",
         "timestamp":"2026-12-06T10:00:00.000Z","sentAt":"2026-12-06T10:00:05.000Z"}""", request(null, null));
    assertEquals("2026-12-06T12:00:05.000Z", event.path("client_timestamp").asText());
    assertEquals("2026-12-06T12:00:10.000Z", event.path("server_timestamp").asText());
    assertEquals("2026-12-06T10:00:00.000Z", event.path("segment").path("original_timestamp").asText());
    assertEquals("2026-12-06T10:00:05.000Z", event.path("segment").path("sent_at").asText());
    // The batch's sentAt counts when the message has none; an offset is honoured.
    JsonNode batched = accepted("""
        {"type":"track","event":"signup","userId":"u1","originalTimestamp":"2026-12-06T11:00:00+01:00"}""",
        request(null, "2026-12-06T11:00:08+01:00"));
    assertEquals("2026-12-06T12:00:02.000Z", batched.path("client_timestamp").asText());
  }

  @Test
  void withoutSentAtTheClientTimeIsKeptAndWithoutAnyTimeTheArrivalIsUsed() throws Exception {
    assertEquals("2026-12-06T09:30:00.000Z", accepted("""
        {"type":"track","event":"x","userId":"u1","timestamp":"2026-12-06T09:30:00Z"}""", request(null, null))
        .path("client_timestamp").asText());
    assertEquals(RECEIVED, java.time.Instant.parse(accepted("""
        {"type":"track","event":"x","userId":"u1"}""", request(null, null)).path("client_timestamp").asText()));
    assertEquals(SegmentTranslator.Reason.INVALID_TIMESTAMP,
        rejected("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u1\",\"timestamp\":\"yesterday\"}"));
    assertEquals(SegmentTranslator.Reason.INVALID_TIMESTAMP,
        rejected("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u1\",\"timestamp\":\"2026-12-06T09:30:00\"}"));
  }

  @Test
  void messageIdsBecomeEventIds() throws Exception {
    String upper = "5F0C8A3E-9B1D-4C2E-8F7A-0123456789AB";
    assertEquals(upper.toLowerCase(), accepted("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"messageId\":\""
        + upper + "\"}", request(null, null)).path("event_id").asText());
    // Not a UUID: a name-based (version 3) UUID of the source and the id, the same on a retry.
    String id = accepted("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"messageId\":\"ajs-42\"}",
        request(null, null)).path("event_id").asText();
    assertEquals(UUID.nameUUIDFromBytes("web-prod\najs-42".getBytes(StandardCharsets.UTF_8)).toString(), id);
    assertEquals(3, UUID.fromString(id).version());
    assertNotEquals(id, SegmentTranslator.eventId("ajs-42", "ios-prod"), "another source's id is another event");
    assertEquals("ajs-42", accepted("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"messageId\":\"ajs-42\"}",
        request(null, null)).path("segment").path("message_id").asText());
  }

  @Test
  void usersTypesAndProperties() throws Exception {
    JsonNode anonymous = accepted("""
        {"type":"page","name":"Pricing","anonymousId":"anon-7","properties":{"path":"/pricing"}}""",
        request(null, null));
    assertEquals("anon-7", anonymous.path("user_id").asText());
    assertEquals("page_view", anonymous.path("event_type").asText());
    assertEquals("Pricing", anonymous.path("properties").path("name").asText());
    assertEquals("/pricing", anonymous.path("properties").path("path").asText());
    assertEquals("web", anonymous.path("platform").asText(), "a page call comes from the web");

    JsonNode identified = accepted("""
        {"type":"identify","userId":42,"anonymousId":"anon-7","traits":{"plan":"pro"}}""", request(null, null));
    assertEquals("42", identified.path("user_id").asText(), "userId wins, numbers as text");
    assertEquals("identify", identified.path("event_type").asText());
    assertEquals("pro", identified.path("properties").path("plan").asText());
    assertEquals("anon-7", identified.path("segment").path("anonymous_id").asText());

    JsonNode screen = accepted("{\"type\":\"screen\",\"name\":\"Home\",\"userId\":\"u\"}", request(null, null));
    assertEquals("screen_view", screen.path("event_type").asText());
    JsonNode group = accepted("{\"type\":\"group\",\"groupId\":\"g1\",\"userId\":\"u\",\"traits\":{\"n\":1}}",
        request(null, null));
    assertEquals("g1", group.path("properties").path("group_id").asText());
    JsonNode alias = accepted("{\"type\":\"alias\",\"previousId\":\"anon-7\",\"userId\":\"u\"}", request(null, null));
    assertEquals("anon-7", alias.path("properties").path("previous_id").asText());

    assertEquals(SegmentTranslator.Reason.MISSING_FIELD, rejected("{\"type\":\"track\",\"event\":\"x\"}"));
    assertEquals(SegmentTranslator.Reason.MISSING_FIELD, rejected("{\"type\":\"track\",\"userId\":\"u\"}"));
    assertEquals(SegmentTranslator.Reason.MISSING_FIELD, rejected("{\"event\":\"x\",\"userId\":\"u\"}"));
    assertEquals(SegmentTranslator.Reason.UNSUPPORTED_TYPE, rejected("{\"type\":\"purchase\",\"userId\":\"u\"}"));
    assertEquals(SegmentTranslator.Reason.WRONG_TYPE,
        rejected("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"properties\":[1]}"));
    assertEquals(SegmentTranslator.Reason.WRONG_TYPE, rejected("[1,2]"));
  }

  @Test
  void contextGivesAddressAgentVersionPlatformAndSession() throws Exception {
    JsonNode fromContext = accepted("""
        {"type":"track","event":"x","userId":"u","context":{"ip":"198.51.100.4","userAgent":"Mozilla/5.0 (iPhone)",
         "app":{"version":"3.2.1"},"os":{"name":"iOS"},"sessionId":"s-9"}}""", request(null, null));
    assertEquals("198.51.100.4", fromContext.path("client_ip").asText());
    assertEquals("Mozilla/5.0 (iPhone)", fromContext.path("user_agent").asText());
    assertEquals("3.2.1", fromContext.path("app_version").asText());
    assertEquals("ios", fromContext.path("platform").asText());
    assertEquals("s-9", fromContext.path("session_id").asText());

    JsonNode fromRequest = accepted("{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\"}", request(null, null));
    assertEquals("203.0.113.9", fromRequest.path("client_ip").asText(), "the peer's address");
    assertEquals("curl/8.5", fromRequest.path("user_agent").asText(), "the request's header");
    assertFalse(fromRequest.has("app_version"));
    assertEquals("unknown", fromRequest.path("platform").asText());
    assertEquals("unknown", fromRequest.path("session_id").asText());

    // The batch's context under the message's: the message's library wins, the batch's ip stays.
    JsonNode merged = accepted("""
        {"type":"track","event":"x","userId":"u","context":{"library":{"name":"analytics-java"}}}""",
        request("{\"ip\":\"192.0.2.1\",\"library\":{\"name\":\"analytics.js\"}}", null));
    assertEquals("192.0.2.1", merged.path("client_ip").asText());
    assertEquals("server", merged.path("platform").asText());
    assertEquals("analytics-java", merged.path("segment").path("context").path("library").path("name").asText());
  }
}
