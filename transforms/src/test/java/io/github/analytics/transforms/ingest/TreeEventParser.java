package io.github.analytics.transforms.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.RawEvent;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The test oracle: {@link EventParser} as it was before it read payloads with the streaming parser
 * (decode to a String, build a Jackson tree, check it), copied unchanged but for its name. {@link
 * EventParserDifferentialTest} requires the new parser to give the same outcome for every input.
 *
 * <p>Original description: turns one {@link RawEvent} into an {@link Event} or a {@link DeadLetter}:
 * the validation rules of {@link ParseEvents}, as plain Java so the collector can apply the same rules
 * later.
 *
 * <p>Checks run in this order and the first failure decides the reason: payload size, UTF-8, JSON
 * object, presence and type of each field, {@code event_id} format, timestamp syntax, timestamp range,
 * {@code properties} type, {@code properties} size.
 *
 * <p>Since then, the identifier rule (length and characters of {@code event_type}, {@code user_id},
 * {@code session_id}, {@code platform}, {@code app_version}, after presence and type) was added here
 * too, written from the README rather than from the new parser: in Unicode's general categories and
 * bidirectional classes, where {@code EventParser} compares char ranges. Later still, a value a
 * message quotes (a bad event_id or timestamp, a token of Jackson's) has each code point that rule
 * refuses written as an escape, so that no message carries a control character.
 */
final class TreeEventParser implements Serializable {
  private static final long serialVersionUID = 1L;

  static final String STEP = "ParseEvents";

  /** Jackson's mapper is thread-safe once configured; duplicate keys and trailing data are errors. */
  private static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static final Pattern UUID_PATTERN =
      Pattern.compile(
          "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

  private final int maxPayloadBytes;
  private final int maxPropertiesBytes;
  private final Duration maxPast;
  private final Duration maxFuture;

  TreeEventParser(int maxPayloadBytes, int maxPropertiesBytes, Duration maxPast, Duration maxFuture) {
    this.maxPayloadBytes = maxPayloadBytes;
    this.maxPropertiesBytes = maxPropertiesBytes;
    this.maxPast = maxPast;
    this.maxFuture = maxFuture;
  }

  /** The result of parsing one record: exactly one of the two is set. */
  static final class Outcome {
    final @Nullable Event event;
    final @Nullable DeadLetter deadLetter;

    private Outcome(@Nullable Event event, @Nullable DeadLetter deadLetter) {
      this.event = event;
      this.deadLetter = deadLetter;
    }
  }

  /** Thrown inside the parser to stop at the first failed check; never escapes {@link #parse}. */
  private static final class Rejection extends Exception {
    private static final long serialVersionUID = 1L;
    final DeadLetterReason reason;

    Rejection(DeadLetterReason reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }

  Outcome parse(RawEvent raw) {
    try {
      return new Outcome(parseOrReject(raw), null);
    } catch (Rejection r) {
      return new Outcome(null, DeadLetter.of(raw, r.reason, r.getMessage(), STEP));
    }
  }

  private Event parseOrReject(RawEvent raw) throws Rejection {
    byte[] payload = raw.getPayload();
    if (payload.length > maxPayloadBytes) {
      throw new Rejection(
          DeadLetterReason.PAYLOAD_TOO_LARGE,
          "payload is " + payload.length + " bytes; the limit is " + maxPayloadBytes);
    }
    String text = decodeUtf8(payload);
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new Rejection(
          DeadLetterReason.MALFORMED_JSON,
          "not valid JSON: " + printable(e.getOriginalMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new Rejection(
          DeadLetterReason.MALFORMED_JSON,
          "expected a JSON object, got " + (root == null ? "nothing" : nodeType(root)));
    }

    // Presence and type of every field, before any value is interpreted.
    String eventId = requiredString(root, "event_id");
    String eventType = requiredString(root, "event_type");
    String userId = requiredString(root, "user_id");
    String sessionId = requiredString(root, "session_id");
    String platform = requiredString(root, "platform");
    JsonNode clientTimestampNode = timestampNode(root, "client_timestamp", true);
    JsonNode serverTimestampNode = timestampNode(root, "server_timestamp", false);
    String appVersion = optionalString(root, "app_version");
    String clientIp = optionalString(root, "client_ip");
    String userAgent = optionalString(root, "user_agent");

    // Identifiers: length in code points, then no control characters; field by field.
    checkIdentifier("event_type", eventType, 128);
    checkIdentifier("user_id", userId, 256);
    checkIdentifier("session_id", sessionId, 256);
    checkIdentifier("platform", platform, 64);
    checkIdentifier("app_version", appVersion, 64);

    if (!UUID_PATTERN.matcher(eventId).matches()) {
      throw new Rejection(
          DeadLetterReason.INVALID_EVENT_ID,
          "event_id '" + printable(abbreviate(eventId)) + "' is not a UUID");
    }

    Instant clientTimestamp = parseTimestamp("client_timestamp", clientTimestampNode);
    Instant serverTimestamp =
        serverTimestampNode == null ? null : parseTimestamp("server_timestamp", serverTimestampNode);

    // The collector's clock is the reference: its own timestamp if it set one, else the arrival time.
    Instant reference = serverTimestamp != null ? serverTimestamp : raw.getReceivedAt();
    if (clientTimestamp.isBefore(reference.minus(maxPast))
        || clientTimestamp.isAfter(reference.plus(maxFuture))) {
      throw new Rejection(
          DeadLetterReason.TIMESTAMP_OUT_OF_RANGE,
          "client_timestamp "
              + clientTimestamp
              + " is more than "
              + maxPast.getStandardHours()
              + " h before or "
              + maxFuture.getStandardHours()
              + " h after the time it was received ("
              + reference
              + ")");
    }

    String properties = properties(root);

    return Event.builder()
        .setEventId(eventId.toLowerCase(Locale.ROOT))
        .setEventType(eventType)
        .setUserId(userId)
        .setSessionId(sessionId)
        .setProperties(properties)
        .setClientTimestamp(clientTimestamp)
        .setServerTimestamp(serverTimestamp)
        .setEventTimestamp(clientTimestamp.isAfter(reference) ? reference : clientTimestamp)
        .setAppVersion(appVersion)
        .setPlatform(platform)
        .setClientIp(clientIp)
        .setUserAgent(userAgent)
        .setReceivedAt(raw.getReceivedAt())
        .build();
  }

  private static String decodeUtf8(byte[] payload) throws Rejection {
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(payload));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new Rejection(DeadLetterReason.INVALID_UTF8, "payload is not valid UTF-8: " + e);
    }
  }

  private static String requiredString(JsonNode root, String field) throws Rejection {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw new Rejection(DeadLetterReason.MISSING_FIELD, "required field '" + field + "' is missing");
    }
    if (!node.isTextual()) {
      throw new Rejection(
          DeadLetterReason.WRONG_TYPE,
          "field '" + field + "' must be a string, got " + nodeType(node));
    }
    String value = node.textValue();
    if (value.isBlank()) {
      throw new Rejection(DeadLetterReason.MISSING_FIELD, "required field '" + field + "' is empty");
    }
    return value;
  }

  private static @Nullable String optionalString(JsonNode root, String field) throws Rejection {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new Rejection(
          DeadLetterReason.WRONG_TYPE,
          "field '" + field + "' must be a string, got " + nodeType(node));
    }
    return node.textValue().isEmpty() ? null : node.textValue();
  }

  /**
   * The identifier rule, in Unicode's terms: general category Cc (C0, DEL, C1), Zl and Zp (U+2028,
   * U+2029), Cs (a surrogate code point, which {@code String.codePoints()} yields only for a
   * surrogate that is not half of a pair), and the embedding, override and isolate bidirectional
   * classes are refused.
   */
  private static void checkIdentifier(String field, @Nullable String value, int limit)
      throws Rejection {
    if (value == null) {
      return;
    }
    int[] codePoints = value.codePoints().toArray();
    if (codePoints.length > limit) {
      throw new Rejection(
          DeadLetterReason.INVALID_IDENTIFIER,
          "field '" + field + "' is " + codePoints.length + " characters long; the limit is " + limit);
    }
    for (int i = 0; i < codePoints.length; i++) {
      String kind = forbiddenKind(codePoints[i]);
      if (kind != null) {
        throw new Rejection(
            DeadLetterReason.INVALID_IDENTIFIER,
            String.format(
                Locale.ROOT,
                "field '%s' holds the %s U+%04X at character %d; identifiers must be printable",
                field,
                kind,
                codePoints[i],
                i + 1));
      }
    }
  }

  static @Nullable String forbiddenKind(int codePoint) {
    switch (Character.getType(codePoint)) {
      case Character.CONTROL:
        return "control character";
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
        return "line or paragraph separator";
      case Character.SURROGATE:
        return "unpaired surrogate";
      default:
        break;
    }
    switch (Character.getDirectionality(codePoint)) {
      case Character.DIRECTIONALITY_LEFT_TO_RIGHT_EMBEDDING:
      case Character.DIRECTIONALITY_RIGHT_TO_LEFT_EMBEDDING:
      case Character.DIRECTIONALITY_POP_DIRECTIONAL_FORMAT:
      case Character.DIRECTIONALITY_LEFT_TO_RIGHT_OVERRIDE:
      case Character.DIRECTIONALITY_RIGHT_TO_LEFT_OVERRIDE:
      case Character.DIRECTIONALITY_LEFT_TO_RIGHT_ISOLATE:
      case Character.DIRECTIONALITY_RIGHT_TO_LEFT_ISOLATE:
      case Character.DIRECTIONALITY_FIRST_STRONG_ISOLATE:
      case Character.DIRECTIONALITY_POP_DIRECTIONAL_ISOLATE:
        return "bidirectional control";
      default:
        return null;
    }
  }

  /** A timestamp is an ISO-8601 string with an offset, or a whole number of epoch milliseconds. */
  private static @Nullable JsonNode timestampNode(JsonNode root, String field, boolean required)
      throws Rejection {
    JsonNode node = root.get(field);
    if (node == null || node.isNull() || (node.isTextual() && node.textValue().isBlank())) {
      if (required) {
        throw new Rejection(
            DeadLetterReason.MISSING_FIELD, "required field '" + field + "' is missing or empty");
      }
      return null;
    }
    if (!node.isTextual() && !node.isIntegralNumber()) {
      throw new Rejection(
          DeadLetterReason.WRONG_TYPE,
          "field '"
              + field
              + "' must be an ISO-8601 string or epoch milliseconds, got "
              + nodeType(node));
    }
    return node;
  }

  /** Years 0001 to 9999, as java.time counts them. */
  private static final java.time.Instant EARLIEST = java.time.Instant.parse("0001-01-01T00:00:00Z");

  private static final java.time.Instant END = java.time.Instant.parse("+10000-01-01T00:00:00Z");

  private static Instant parseTimestamp(String field, JsonNode node) throws Rejection {
    Instant instant;
    if (node.isIntegralNumber()) {
      if (!node.canConvertToLong()) {
        throw new Rejection(
            DeadLetterReason.INVALID_TIMESTAMP, "field '" + field + "' is out of the long range");
      }
      instant = new Instant(node.longValue());
    } else {
      String text = node.textValue();
      try {
        instant = new Instant(
            OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli());
      } catch (DateTimeParseException | ArithmeticException e) {
        throw new Rejection(
            DeadLetterReason.INVALID_TIMESTAMP,
            "field '"
                + field
                + "' is '"
                + printable(abbreviate(text))
                + "', not an ISO-8601 timestamp with an offset such as 2026-11-27T10:15:30.123Z");
      }
    }
    if (instant.getMillis() < EARLIEST.toEpochMilli() || instant.getMillis() >= END.toEpochMilli()) {
      throw new Rejection(
          DeadLetterReason.INVALID_TIMESTAMP,
          "field '" + field + "' is " + instant.toDate().toInstant() + ", outside the years 0001 to 9999");
    }
    return instant;
  }

  private String properties(JsonNode root) throws Rejection {
    JsonNode node = root.get("properties");
    if (node == null || node.isNull()) {
      return "{}";
    }
    if (!node.isObject()) {
      throw new Rejection(
          DeadLetterReason.INVALID_PROPERTIES,
          "field 'properties' must be a JSON object, got " + nodeType(node));
    }
    String compact;
    try {
      compact = JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new Rejection(
          DeadLetterReason.INVALID_PROPERTIES, "field 'properties' cannot be written back: " + e);
    }
    // UTF-8 takes at most 3 bytes per Java char: only a long object needs its bytes counted.
    if (compact.length() <= maxPropertiesBytes / 3) {
      return compact;
    }
    int bytes = compact.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxPropertiesBytes) {
      throw new Rejection(
          DeadLetterReason.PROPERTIES_TOO_LARGE,
          "field 'properties' is " + bytes + " bytes; the limit is " + maxPropertiesBytes);
    }
    return compact;
  }

  private static String nodeType(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  private static String abbreviate(String text) {
    return text.length() <= 64 ? text : text.substring(0, 61) + "...";
  }

  /**
   * A value as a message quotes it: each code point the identifier rule refuses (an unpaired
   * surrogate is one) written as a backslash, u and four upper-case hex digits.
   */
  private static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            cp -> {
              if (forbiddenKind(cp) == null) {
                out.appendCodePoint(cp);
              } else {
                out.append(String.format(Locale.ROOT, "\\u%04X", cp));
              }
            });
    return out.toString();
  }
}
