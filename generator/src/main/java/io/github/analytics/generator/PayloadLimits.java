package io.github.analytics.generator;

import java.util.List;

/**
 * The validation rules that the generator's malformed records are built against, so each one fails for
 * exactly one {@link io.github.analytics.schemas.DeadLetterReason}.
 *
 * <p>A parser checks a payload in this order and stops at the first failure: size ({@link
 * #DEFAULT_MAX_PAYLOAD_BYTES}), UTF-8, "is a JSON object", each of {@link #REQUIRED_FIELDS} present,
 * non-empty and a string (then the optional string fields are strings), {@code event_id} is a UUID, the
 * timestamps parse as ISO-8601, {@code client_timestamp} lies between {@link #MAX_CLIENT_DAYS_BEFORE_SERVER}
 * days before and {@link #MAX_CLIENT_DAYS_AFTER_SERVER} day after {@code server_timestamp}, {@code
 * properties} (if present) is an object, and it is at most {@link #DEFAULT_MAX_PROPERTIES_BYTES} long
 * (compact JSON, UTF-8). A whitespace-only string counts as empty, and a timestamp may also be a whole
 * number of epoch milliseconds; the generator always sends ISO-8601 strings and never relies on either.
 * Parsers also limit the identifiers' length and characters ({@code INVALID_IDENTIFIER}, after the
 * fields' presence and type, before {@code event_id}'s format); the generator's identifiers are short
 * and printable, and it makes no record for that reason.
 */
public final class PayloadLimits {
  /** Largest accepted payload, in bytes; larger ones are {@code PAYLOAD_TOO_LARGE}. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 65_536;

  /** Largest accepted {@code properties} object, serialized, in bytes; larger is {@code PROPERTIES_TOO_LARGE}. */
  public static final int DEFAULT_MAX_PROPERTIES_BYTES = 16_384;

  /** How far {@code client_timestamp} may lie before {@code server_timestamp}, in days. */
  public static final int MAX_CLIENT_DAYS_BEFORE_SERVER = 30;

  /** How far {@code client_timestamp} may lie after {@code server_timestamp}, in days. */
  public static final int MAX_CLIENT_DAYS_AFTER_SERVER = 1;

  /** Fields that must be present, non-null, non-empty strings, in the order they are checked. */
  public static final List<String> REQUIRED_FIELDS =
      List.of("event_id", "event_type", "user_id", "session_id", "client_timestamp", "platform");

  /** Fields that are optional but, when present and non-null, must be strings. */
  public static final List<String> OPTIONAL_STRING_FIELDS =
      List.of("server_timestamp", "app_version", "client_ip", "user_agent");

  private PayloadLimits() {}
}
