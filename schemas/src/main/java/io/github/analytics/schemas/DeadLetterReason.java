package io.github.analytics.schemas;

import java.util.EnumSet;
import java.util.Set;

/**
 * Why a record was dead-lettered. The names are stable: dashboards and alerts group by them.
 *
 * <p>All but the last two are the parser's checks of a record ({@link #RECORD_CHECKS}). The last two
 * are failures of the code: {@link #PARSER_ERROR}, a record the parser threw on (it never became an
 * event), and {@link #STEP_FAILED}, a valid event that a step after the parser threw on (it is an
 * event, counted by every other step).
 */
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
  INVALID_IDENTIFIER,
  /**
   * The parser threw on the record instead of accepting or rejecting it: a bug, which the record
   * exposes. The record is kept byte for byte, so it can be replayed once the parser is fixed.
   */
  PARSER_ERROR,
  /**
   * A valid event made a step after the parser throw: a metric's code for one event, or a per-user
   * metric's. The event is left out of that step only; it is counted as an event and by every other
   * metric. The payload is the event as parsed, in the ingest format (not the original bytes).
   */
  STEP_FAILED;

  /** The parser's checks of a record: the reasons a record is refused for what it holds. */
  public static final Set<DeadLetterReason> RECORD_CHECKS =
      java.util.Collections.unmodifiableSet(EnumSet.range(PAYLOAD_TOO_LARGE, INVALID_IDENTIFIER));

  /**
   * Whether a dead letter of this reason is a record that never became an event: every reason but
   * {@link #STEP_FAILED}. Records in = valid events + dead letters of these reasons.
   */
  public boolean isRecordRefused() {
    return this != STEP_FAILED;
  }
}
