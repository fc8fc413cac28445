package io.github.analytics.schemas;

/** Why a record was dead-lettered. The names are stable: dashboards and alerts group by them. */
public enum DeadLetterReason {
  /** The payload is larger than the configured maximum. */
  PAYLOAD_TOO_LARGE,
  /** The payload is not valid UTF-8. */
  INVALID_UTF8,
  /** The payload is not a JSON object (syntax error, truncated, or a JSON array/string/number). */
  MALFORMED_JSON,
  /** A required field is absent, null or empty. */
  MISSING_FIELD,
  /** A field has the wrong JSON type, for example a number where a string is required. */
  WRONG_TYPE,
  /** {@code event_id} is not a UUID. */
  INVALID_EVENT_ID,
  /** A timestamp could not be parsed. */
  INVALID_TIMESTAMP,
  /** A timestamp is absurdly far in the past or future of the time the event was received. */
  TIMESTAMP_OUT_OF_RANGE,
  /** {@code properties} is present but not a JSON object. */
  INVALID_PROPERTIES,
  /** {@code properties} is larger than the configured maximum. */
  PROPERTIES_TOO_LARGE,
  /**
   * An identifier ({@code event_type}, {@code user_id}, {@code session_id}, {@code platform},
   * {@code app_version}) is longer than its limit or holds a control character. Checked after the
   * presence and type of every field and before {@code event_id}'s format.
   */
  INVALID_IDENTIFIER
}
