package io.github.analytics.collector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.analytics.common.IsoTimestamps;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One message of Segment's HTTP tracking API ({@code track}, {@code page}, {@code screen}, {@code
 * identify}, {@code group}, {@code alias}) as an event of the project's native format:
 *
 * <ul>
 *   <li>{@code event_id}: {@code messageId} when it is a UUID (lower-cased); any other id becomes a
 *       name-based UUID of the source and the id, so a retried message keeps its event id (and is
 *       deduplicated downstream); no id at all gets a random UUID.
 *   <li>{@code user_id}: {@code userId}, else {@code anonymousId}; neither is an error.
 *   <li>{@code event_type}: the {@code event} of a {@code track}; {@code page_view} and {@code
 *       screen_view} for pages and screens (the page's {@code name} goes into the properties as {@code
 *       name}), which the sessions and funnels count; {@code identify}, {@code group} and {@code alias}
 *       for the others.
 *   <li>{@code client_timestamp}: corrected for the client's clock as Segment defines it, {@code
 *       receivedAt - (sentAt - originalTimestamp)}, when the message (or its batch) has {@code sentAt};
 *       otherwise the message's own time, or the arrival when it has none. {@code server_timestamp} is
 *       the arrival; the raw times are kept under {@code segment}.
 *   <li>{@code client_ip}: {@code context.ip}, else the peer's address; {@code user_agent}: {@code
 *       context.userAgent}, else the request's header; {@code app_version}: {@code context.app.version};
 *       {@code platform}: {@code context.platform}, else {@code ios}/{@code android} from {@code
 *       context.os.name}, {@code web} for a browser library or a page call, {@code server} for a
 *       server-side library, else {@code unknown}; {@code session_id}: {@code context.sessionId}, else
 *       {@code properties.session_id}, else {@code unknown} (the pipeline finds sessions from gaps).
 *   <li>{@code properties}: the message's {@code properties} ({@code traits} for identify and group,
 *       with {@code group_id}; {@code previous_id} for alias).
 *   <li>{@code segment}: what the native fields leave out: the call type, the raw ids and times, and the
 *       whole {@code context} (campaign, device, library...).
 * </ul>
 *
 * <p>The batch's own {@code context} is merged under each message's (the message's keys win).
 */
final class SegmentTranslator {
  /** Why a message is not an event: the dead-letter reason codes the pipeline uses, where they fit. */
  enum Reason {
    MISSING_FIELD,
    WRONG_TYPE,
    UNSUPPORTED_TYPE,
    INVALID_TIMESTAMP,
    PAYLOAD_TOO_LARGE
  }

  /** A message translated, or why not. */
  sealed interface Result permits Accepted, Rejected {}

  /** An event: the Kafka key and the native JSON. */
  record Accepted(String userId, byte[] json) implements Result {}

  /** A message that is not an event. */
  record Rejected(Reason reason, String message) implements Result {}

  /** Where a request came from, and when. */
  record RequestContext(
      String source,
      Instant receivedAt,
      String peerAddress,
      String userAgentHeader,
      ObjectNode batchContext,
      String batchSentAt) {}

  static final String UNKNOWN = "unknown";
  private static final Pattern UUID_PATTERN =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Map<String, String> TYPES = Map.of(
      "page", "page_view", "screen", "screen_view", "identify", "identify", "group", "group",
      "alias", "alias");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final java.time.format.DateTimeFormatter COMPACT_OFFSET =
      java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss[.SSSSSSSSS][.SSSSSS][.SSS]XX");

  private final ObjectMapper mapper;

  SegmentTranslator(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  Result translate(JsonNode node, RequestContext request) {
    if (!(node instanceof ObjectNode message)) {
      return new Rejected(Reason.WRONG_TYPE, "a message is not a JSON object");
    }
    String type = text(message, "type");
    if (type == null) {
      return new Rejected(Reason.MISSING_FIELD, "the message has no type");
    }
    type = type.toLowerCase(Locale.ROOT);
    String eventType;
    if (type.equals("track")) {
      eventType = text(message, "event");
      if (eventType == null || eventType.isBlank()) {
        return new Rejected(Reason.MISSING_FIELD, "a track message has no event name");
      }
    } else {
      eventType = TYPES.get(type);
      if (eventType == null) {
        return new Rejected(Reason.UNSUPPORTED_TYPE, "unknown message type '" + clip(type) + "'");
      }
    }
    String userId = nonBlank(id(message, "userId"));
    String anonymousId = nonBlank(id(message, "anonymousId"));
    if (userId == null && anonymousId == null) {
      return new Rejected(Reason.MISSING_FIELD, "the message has neither userId nor anonymousId");
    }
    String user = userId != null ? userId : anonymousId;

    ObjectNode context = mergedContext(request.batchContext(), message.get("context"));
    Instant original;
    Instant sentAt;
    try {
      original = time(message, "originalTimestamp");
      if (original == null) {
        original = time(message, "timestamp");
      }
      sentAt = time(message, "sentAt");
      if (sentAt == null && request.batchSentAt() != null) {
        sentAt = parseTime(request.batchSentAt(), "sentAt");
      }
    } catch (IllegalArgumentException e) {
      return new Rejected(Reason.INVALID_TIMESTAMP, e.getMessage());
    }
    Instant received = request.receivedAt();
    Instant eventTime;
    if (original == null) {
      eventTime = received;
    } else if (sentAt == null) {
      eventTime = original;
    } else {
      eventTime = received.minusMillis(sentAt.toEpochMilli() - original.toEpochMilli());
    }

    ObjectNode properties = properties(type, message);
    if (properties == null) {
      return new Rejected(Reason.WRONG_TYPE, "properties (or traits) is not a JSON object");
    }
    ObjectNode event = NODES.objectNode();
    event.put("event_id", eventId(id(message, "messageId"), request.source()));
    event.put("event_type", eventType);
    event.put("user_id", user);
    event.put("session_id", sessionId(context, properties));
    event.put("platform", platform(type, context));
    event.put("client_timestamp", IsoTimestamps.format(eventTime.toEpochMilli()));
    event.put("server_timestamp", IsoTimestamps.format(received.toEpochMilli()));
    String appVersion = text(context.path("app"), "version");
    if (appVersion != null) {
      event.put("app_version", appVersion);
    }
    String ip = nonBlank(text(context, "ip"));
    event.put("client_ip", ip != null ? ip : request.peerAddress());
    String agent = nonBlank(text(context, "userAgent"));
    if (agent != null || request.userAgentHeader() != null) {
      event.put("user_agent", agent != null ? agent : request.userAgentHeader());
    }
    event.set("properties", properties);
    ObjectNode segment = event.putObject("segment");
    segment.put("type", type);
    putIfPresent(segment, "message_id", id(message, "messageId"));
    putIfPresent(segment, "user_id", userId);
    putIfPresent(segment, "anonymous_id", anonymousId);
    putIfPresent(segment, "original_timestamp", original == null ? null : IsoTimestamps.format(original.toEpochMilli()));
    putIfPresent(segment, "sent_at", sentAt == null ? null : IsoTimestamps.format(sentAt.toEpochMilli()));
    segment.put("received_at", IsoTimestamps.format(received.toEpochMilli()));
    segment.set("context", context);
    try {
      return new Accepted(user, mapper.writeValueAsBytes(event));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("A parsed message did not serialize", e);
    }
  }

  /** {@code messageId} as an event id: a UUID kept (lower case), any other id hashed with the source. */
  static String eventId(String messageId, String source) {
    if (messageId == null || messageId.isBlank()) {
      return UUID.randomUUID().toString();
    }
    if (UUID_PATTERN.matcher(messageId).matches()) {
      return messageId.toLowerCase(Locale.ROOT);
    }
    return UUID.nameUUIDFromBytes((source + "\n" + messageId).getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static ObjectNode mergedContext(ObjectNode batchContext, JsonNode messageContext) {
    ObjectNode merged = batchContext == null ? NODES.objectNode() : batchContext.deepCopy();
    if (messageContext instanceof ObjectNode own) {
      for (Iterator<Map.Entry<String, JsonNode>> it = own.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        merged.set(field.getKey(), field.getValue());
      }
    }
    return merged;
  }

  private static ObjectNode properties(String type, ObjectNode message) {
    ObjectNode properties;
    JsonNode given = switch (type) {
      case "identify", "group" -> message.get("traits");
      default -> message.get("properties");
    };
    if (given == null || given.isNull()) {
      properties = NODES.objectNode();
    } else if (given instanceof ObjectNode object) {
      properties = object;
    } else {
      return null;
    }
    if ((type.equals("page") || type.equals("screen")) && text(message, "name") != null
        && !properties.has("name")) {
      properties.put("name", text(message, "name"));
    }
    if (type.equals("group") && text(message, "groupId") != null) {
      properties.put("group_id", text(message, "groupId"));
    }
    if (type.equals("alias") && text(message, "previousId") != null) {
      properties.put("previous_id", text(message, "previousId"));
    }
    return properties;
  }

  private static String sessionId(ObjectNode context, ObjectNode properties) {
    String id = nonBlank(text(context, "sessionId"));
    if (id == null) {
      id = nonBlank(text(properties, "session_id"));
    }
    return id == null ? UNKNOWN : id;
  }

  private static String platform(String type, ObjectNode context) {
    String given = nonBlank(text(context, "platform"));
    if (given != null) {
      return given.toLowerCase(Locale.ROOT);
    }
    String os = text(context.path("os"), "name");
    if (os != null) {
      String name = os.toLowerCase(Locale.ROOT);
      if (name.contains("ios") || name.contains("ipados")) {
        return "ios";
      }
      if (name.contains("android")) {
        return "android";
      }
    }
    String library = text(context.path("library"), "name");
    if (library != null) {
      String name = library.toLowerCase(Locale.ROOT);
      if (name.contains("analytics.js") || name.contains("analytics-next") || name.contains("browser")) {
        return "web";
      }
      if (name.contains("ios") || name.contains("swift")) {
        return "ios";
      }
      if (name.contains("android") || name.contains("kotlin")) {
        return "android";
      }
      if (name.contains("java") || name.contains("node") || name.contains("python") || name.contains("go")
          || name.contains("ruby") || name.contains("php") || name.contains("net")) {
        return "server";
      }
    }
    return type.equals("page") ? "web" : UNKNOWN;
  }

  private static Instant time(JsonNode message, String field) {
    JsonNode value = message.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new IllegalArgumentException(field + " is not an ISO-8601 string");
    }
    return parseTime(value.asText(), field);
  }

  private static Instant parseTime(String text, String field) {
    try {
      return Instant.ofEpochMilli(IsoTimestamps.epochMillis(text));
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(field + " '" + clip(text) + "' is beyond the years a timestamp may hold");
    } catch (DateTimeParseException e) {
      try {
        // Offsets without a colon (+0000), as some SDKs' date formats write them.
        return OffsetDateTime.parse(text, COMPACT_OFFSET).toInstant();
      } catch (DateTimeParseException again) {
        throw new IllegalArgumentException(field + " '" + clip(text) + "' is not an ISO-8601 time with an offset");
      }
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }

  /** An id field: a string, or a number as some SDKs send user ids. */
  private static String id(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && (value.isTextual() || value.isIntegralNumber()) ? value.asText() : null;
  }

  private static String nonBlank(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static void putIfPresent(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }

  /** At most 64 characters of client text, control characters replaced, for error messages. */
  static String clip(String text) {
    String cut = text.length() > 64 ? text.substring(0, 64) + "..." : text;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
