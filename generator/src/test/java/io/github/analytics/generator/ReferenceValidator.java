package io.github.analytics.generator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An independent implementation of the validation order documented in {@link PayloadLimits} (the
 * identifier rule's limits and characters as the README's "Parsing and dead letters" gives them),
 * written from the spec rather than from the generator, used as the oracle for what the generator
 * intends. It is as lenient as the pipeline's parser where that is more lenient than the spec (blank
 * strings are missing, timestamps may be epoch milliseconds), so a record it rejects is rejected
 * there too.
 */
final class ReferenceValidator {
  private static final Pattern UUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** The identifiers and their length limits in code points, in the order they are checked. */
  private static final Map<String, Integer> IDENTIFIER_LIMITS = identifierLimits();

  /**
   * C0 and C1 controls, DEL, the line and paragraph separators, the bidirectional controls, and an
   * unpaired surrogate: a regex reads a String by code points, so {@code \p{Cs}} matches a surrogate
   * only where it is not half of a pair.
   */
  private static final Pattern FORBIDDEN_IN_IDENTIFIERS =
      Pattern.compile(
          "[\\x{00}-\\x{1F}\\x{7F}-\\x{9F}\\x{2028}-\\x{202E}\\x{2066}-\\x{2069}\\p{Cs}]");

  private final ObjectMapper mapper =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** The first reason {@code payload} fails for, or empty if it is a valid event. */
  Optional<DeadLetterReason> check(byte[] payload, long receivedAtMillis) {
    if (payload.length > PayloadLimits.DEFAULT_MAX_PAYLOAD_BYTES) {
      return Optional.of(DeadLetterReason.PAYLOAD_TOO_LARGE);
    }
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(payload));
    } catch (CharacterCodingException e) {
      return Optional.of(DeadLetterReason.INVALID_UTF8);
    }
    JsonNode root;
    try {
      root = mapper.readTree(payload);
    } catch (Exception e) {
      return Optional.of(DeadLetterReason.MALFORMED_JSON);
    }
    if (root == null || !root.isObject()) {
      return Optional.of(DeadLetterReason.MALFORMED_JSON);
    }
    return checkObject(root, receivedAtMillis);
  }

  /** The checks after parsing, for a payload already known to be a small, UTF-8 JSON object. */
  Optional<DeadLetterReason> checkObject(JsonNode root, long receivedAtMillis) {
    for (String field : PayloadLimits.REQUIRED_FIELDS) {
      JsonNode value = root.get(field);
      if (value == null || value.isNull() || (value.isTextual() && value.asText().isBlank())) {
        return Optional.of(DeadLetterReason.MISSING_FIELD);
      }
      if (!value.isTextual() && !(isTimestamp(field) && value.isIntegralNumber())) {
        return Optional.of(DeadLetterReason.WRONG_TYPE);
      }
    }
    for (String field : PayloadLimits.OPTIONAL_STRING_FIELDS) {
      JsonNode value = root.get(field);
      if (value != null
          && !value.isNull()
          && !value.isTextual()
          && !(isTimestamp(field) && value.isIntegralNumber())) {
        return Optional.of(DeadLetterReason.WRONG_TYPE);
      }
    }
    for (Map.Entry<String, Integer> identifier : IDENTIFIER_LIMITS.entrySet()) {
      JsonNode value = root.get(identifier.getKey());
      if (value != null && value.isTextual()) {
        String text = value.asText();
        if (text.codePointCount(0, text.length()) > identifier.getValue()
            || FORBIDDEN_IN_IDENTIFIERS.matcher(text).find()) {
          return Optional.of(DeadLetterReason.INVALID_IDENTIFIER);
        }
      }
    }
    if (!UUID.matcher(root.get("event_id").asText()).matches()) {
      return Optional.of(DeadLetterReason.INVALID_EVENT_ID);
    }
    Instant client;
    Instant server;
    try {
      client = timestamp(root.get("client_timestamp"));
      JsonNode serverNode = root.get("server_timestamp");
      server =
          serverNode == null || serverNode.isNull() || serverNode.asText().isBlank()
              ? Instant.ofEpochMilli(receivedAtMillis)
              : timestamp(serverNode);
    } catch (DateTimeParseException e) {
      return Optional.of(DeadLetterReason.INVALID_TIMESTAMP);
    }
    if (client.isBefore(server.minus(Duration.ofDays(PayloadLimits.MAX_CLIENT_DAYS_BEFORE_SERVER)))
        || client.isAfter(server.plus(Duration.ofDays(PayloadLimits.MAX_CLIENT_DAYS_AFTER_SERVER)))) {
      return Optional.of(DeadLetterReason.TIMESTAMP_OUT_OF_RANGE);
    }
    JsonNode properties = root.get("properties");
    if (properties != null && !properties.isNull()) {
      if (!properties.isObject()) {
        return Optional.of(DeadLetterReason.INVALID_PROPERTIES);
      }
      try {
        if (mapper.writeValueAsBytes(properties).length > PayloadLimits.DEFAULT_MAX_PROPERTIES_BYTES) {
          return Optional.of(DeadLetterReason.PROPERTIES_TOO_LARGE);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return Optional.empty();
  }

  private static Map<String, Integer> identifierLimits() {
    Map<String, Integer> limits = new LinkedHashMap<>();
    limits.put("event_type", 128);
    limits.put("user_id", 256);
    limits.put("session_id", 256);
    limits.put("platform", 64);
    limits.put("app_version", 64);
    return limits;
  }

  private static boolean isTimestamp(String field) {
    return field.equals("client_timestamp") || field.equals("server_timestamp");
  }

  /** An ISO-8601 timestamp with an offset, or whole epoch milliseconds. */
  private static Instant timestamp(JsonNode node) {
    if (node.isIntegralNumber()) {
      return Instant.ofEpochMilli(node.longValue());
    }
    return java.time.OffsetDateTime.parse(node.asText()).toInstant();
  }
}
