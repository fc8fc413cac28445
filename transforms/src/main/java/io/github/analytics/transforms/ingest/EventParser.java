package io.github.analytics.transforms.ingest;

import static io.github.analytics.transforms.ingest.ParsedFields.APP_VERSION;
import static io.github.analytics.transforms.ingest.ParsedFields.CLIENT_IP;
import static io.github.analytics.transforms.ingest.ParsedFields.CLIENT_TIMESTAMP;
import static io.github.analytics.transforms.ingest.ParsedFields.EVENT_ID;
import static io.github.analytics.transforms.ingest.ParsedFields.EVENT_TYPE;
import static io.github.analytics.transforms.ingest.ParsedFields.NAMES;
import static io.github.analytics.transforms.ingest.ParsedFields.NOT_UUID;
import static io.github.analytics.transforms.ingest.ParsedFields.PLATFORM;
import static io.github.analytics.transforms.ingest.ParsedFields.PROPERTIES;
import static io.github.analytics.transforms.ingest.ParsedFields.SERVER_TIMESTAMP;
import static io.github.analytics.transforms.ingest.ParsedFields.SESSION_ID;
import static io.github.analytics.transforms.ingest.ParsedFields.USER_AGENT;
import static io.github.analytics.transforms.ingest.ParsedFields.USER_ID;
import static io.github.analytics.transforms.ingest.ParsedFields.UUID_WITH_UPPER_CASE;

import com.fasterxml.jackson.core.JsonToken;
import io.github.analytics.common.IsoTimestamps;
import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.RawEvent;
import java.io.Serializable;
import java.nio.charset.MalformedInputException;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Turns one {@link RawEvent} into an {@link Event} or a {@link DeadLetter}: the validation rules of
 * {@link ParseEvents}, as plain Java so the collector can apply the same rules later.
 *
 * <p>Checks run in this order and the first failure decides the reason: payload size, UTF-8, JSON
 * object, presence and type of each field, the identifiers' length and characters ({@link
 * #checkIdentifier}), {@code event_id} format, timestamp syntax, timestamp range, {@code
 * properties} type, {@code properties} size.
 *
 * <p>It runs on every record of both layers, so the payload bytes are read once, into {@link
 * ParsedFields}, without a String or a tree: by {@link FastEventReader} when the payload has the
 * common shape, else by {@link Utf8Validator} (UTF-8) and {@link StreamingEventReader} (Jackson's
 * streaming parser, which decides what is valid JSON and words the errors). The whole document is
 * read before any field is judged, so a syntax error anywhere wins over a field error, as the order
 * above says. The outcome is that of the tree-based parser this replaced, for every input
 * (EventParserDifferentialTest).
 *
 * <p>An instance is used by one thread at a time (one per DoFn instance) and reuses its buffers
 * between records.
 */
final class EventParser implements Serializable {
  private static final long serialVersionUID = 1L;

  static final String STEP = "ParseEvents";

  private final int maxPayloadBytes;
  private final int maxPropertiesBytes;
  private final Duration maxPast;
  private final Duration maxFuture;

  /**
   * Per-record state and the fast reader's buffers, reused; rebuilt lazily after deserialization.
   */
  private transient @Nullable ParsedFields fields;

  private transient @Nullable FastEventReader fastReader;

  EventParser(int maxPayloadBytes, int maxPropertiesBytes, Duration maxPast, Duration maxFuture) {
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

  /**
   * {@link #parse}, with an exception of the parser's own (a bug the record exposes) turned into a
   * {@code PARSER_ERROR} dead letter that keeps the record whole, to replay once the parser is fixed.
   */
  Outcome parseGuarded(RawEvent raw) {
    try {
      return parse(raw);
    } catch (RuntimeException e) {
      return new Outcome(null, DeadLetter.of(raw, DeadLetterReason.PARSER_ERROR,
          "The parser threw " + Identifiers.printable(e) + "; the record is kept as received, to replay once the parser is fixed",
          STEP));
    }
  }

  Outcome parse(RawEvent raw) {
    try {
      return new Outcome(parseOrReject(raw), null);
    } catch (Rejection r) {
      return new Outcome(null, DeadLetter.of(raw, r.reason, r.getMessage(), STEP));
    }
  }

  /** Reads the payload into the reused {@link ParsedFields}, or rejects it as not UTF-8 or JSON. */
  private ParsedFields read(byte[] payload) throws Rejection {
    ParsedFields f = fields;
    FastEventReader fast = fastReader;
    if (f == null || fast == null) {
      f = new ParsedFields(StreamingEventReader.FACTORY);
      fast = new FastEventReader();
      fields = f;
      fastReader = fast;
    }
    f.reset();
    // The fast reader takes only ASCII and valid JSON: neither check below could fail for it.
    if (fast.read(payload, f)) {
      return f;
    }
    f.reset();
    int malformed = Utf8Validator.firstMalformedLength(payload);
    if (malformed != 0) {
      // The decoder's exception, as the message always showed it ("...: Input length = 1").
      throw new Rejection(
          DeadLetterReason.INVALID_UTF8,
          "payload is not valid UTF-8: " + new MalformedInputException(malformed));
    }
    String notJson = StreamingEventReader.read(payload, f);
    if (notJson != null) {
      // Jackson's message may quote a token or a character of the payload.
      throw new Rejection(DeadLetterReason.MALFORMED_JSON, Identifiers.printable(notJson));
    }
    return f;
  }

  private Event parseOrReject(RawEvent raw) throws Rejection {
    byte[] payload = raw.getPayload();
    if (payload.length > maxPayloadBytes) {
      throw new Rejection(
          DeadLetterReason.PAYLOAD_TOO_LARGE,
          "payload is " + payload.length + " bytes; the limit is " + maxPayloadBytes);
    }
    ParsedFields f = read(payload);

    // Presence and type of every field, before any value is interpreted.
    String eventId = requiredString(f, EVENT_ID);
    String eventType = requiredString(f, EVENT_TYPE);
    String userId = requiredString(f, USER_ID);
    String sessionId = requiredString(f, SESSION_ID);
    String platform = requiredString(f, PLATFORM);
    checkTimestamp(f, CLIENT_TIMESTAMP, true);
    boolean hasServerTimestamp = checkTimestamp(f, SERVER_TIMESTAMP, false);
    String appVersion = optionalString(f, APP_VERSION);
    String clientIp = optionalString(f, CLIENT_IP);
    String userAgent = optionalString(f, USER_AGENT);

    checkIdentifier(EVENT_TYPE, eventType, MAX_EVENT_TYPE_LENGTH);
    checkIdentifier(USER_ID, userId, MAX_USER_ID_LENGTH);
    checkIdentifier(SESSION_ID, sessionId, MAX_SESSION_ID_LENGTH);
    checkIdentifier(PLATFORM, platform, MAX_PLATFORM_LENGTH);
    if (appVersion != null) {
      checkIdentifier(APP_VERSION, appVersion, MAX_APP_VERSION_LENGTH);
    }

    if (f.eventIdForm == NOT_UUID) {
      throw new Rejection(
          DeadLetterReason.INVALID_EVENT_ID,
          "event_id '" + Identifiers.printable(abbreviate(eventId)) + "' is not a UUID");
    }

    Instant clientTimestamp = timestamp(f, CLIENT_TIMESTAMP);
    Instant serverTimestamp = hasServerTimestamp ? timestamp(f, SERVER_TIMESTAMP) : null;

    // The collector's clock is the reference: its own timestamp if it set one, else the arrival
    // time.
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

    String properties = properties(f);

    return Event.builder()
        .setEventId(
            f.eventIdForm == UUID_WITH_UPPER_CASE ? eventId.toLowerCase(Locale.ROOT) : eventId)
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

  private static String requiredString(ParsedFields f, int field) throws Rejection {
    JsonToken token = f.tokens[field];
    if (token == null) {
      throw new Rejection(
          DeadLetterReason.MISSING_FIELD, "required field '" + NAMES[field] + "' is missing");
    }
    if (token != JsonToken.VALUE_STRING) {
      throw new Rejection(
          DeadLetterReason.WRONG_TYPE,
          "field '" + NAMES[field] + "' must be a string, got " + typeName(token));
    }
    String value = f.texts[field];
    if (value.isBlank()) {
      throw new Rejection(
          DeadLetterReason.MISSING_FIELD, "required field '" + NAMES[field] + "' is empty");
    }
    return value;
  }

  private static @Nullable String optionalString(ParsedFields f, int field) throws Rejection {
    JsonToken token = f.tokens[field];
    if (token == null) {
      return null;
    }
    if (token != JsonToken.VALUE_STRING) {
      throw new Rejection(
          DeadLetterReason.WRONG_TYPE,
          "field '" + NAMES[field] + "' must be a string, got " + typeName(token));
    }
    String value = f.texts[field];
    return value.isEmpty() ? null : value;
  }

  // The identifiers' limits, in Unicode code points (README, "Parsing and dead letters").
  static final int MAX_EVENT_TYPE_LENGTH = 128;
  static final int MAX_USER_ID_LENGTH = 256;
  static final int MAX_SESSION_ID_LENGTH = 256;
  static final int MAX_PLATFORM_LENGTH = 64;
  static final int MAX_APP_VERSION_LENGTH = 64;

  /** Rejects an identifier that breaks {@link Identifiers}' rule. */
  private static void checkIdentifier(int field, String value, int maxLength) throws Rejection {
    String violation = Identifiers.violation(NAMES[field], value, maxLength);
    if (violation != null) {
      throw new Rejection(DeadLetterReason.INVALID_IDENTIFIER, violation);
    }
  }

  /**
   * A timestamp is an ISO-8601 string with an offset, or a whole number of epoch milliseconds;
   * false when an optional one is absent, null or blank.
   */
  private static boolean checkTimestamp(ParsedFields f, int field, boolean required)
      throws Rejection {
    JsonToken token = f.tokens[field];
    boolean blank =
        token == JsonToken.VALUE_STRING && !f.hasMillis[field] && f.texts[field].isBlank();
    if (token == null || blank) {
      if (required) {
        throw new Rejection(
            DeadLetterReason.MISSING_FIELD,
            "required field '" + NAMES[field] + "' is missing or empty");
      }
      return false;
    }
    if (token != JsonToken.VALUE_STRING && token != JsonToken.VALUE_NUMBER_INT) {
      throw new Rejection(
          DeadLetterReason.WRONG_TYPE,
          "field '"
              + NAMES[field]
              + "' must be an ISO-8601 string or epoch milliseconds, got "
              + typeName(token));
    }
    return true;
  }

  /** 0001-01-01T00:00:00Z: the first instant a timestamp may name (BigQuery's and ISO-8601's range). */
  static final long EARLIEST_MILLIS = -62_135_596_800_000L;
  /** 10000-01-01T00:00:00Z: the first instant past the range. */
  static final long END_MILLIS = 253_402_300_800_000L;

  /**
   * The instant of a timestamp that passed {@link #checkTimestamp}, within the years 0001 to 9999:
   * outside them no warehouse can store it, and an instant near the ends of the {@code long} range
   * would overflow the range check below (a record that made the parse step throw, and a streaming
   * job fail over and over on it).
   */
  private static Instant timestamp(ParsedFields f, int field) throws Rejection {
    if (f.hasMillis[field]) {
      return inYears(field, f.millis[field]);
    }
    if (f.tokens[field] == JsonToken.VALUE_NUMBER_INT) {
      throw new Rejection(
          DeadLetterReason.INVALID_TIMESTAMP,
          "field '" + NAMES[field] + "' is out of the long range");
    }
    String text = f.texts[field];
    long millis;
    try {
      millis = IsoTimestamps.jdkEpochMillis(text);
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new Rejection(
          DeadLetterReason.INVALID_TIMESTAMP,
          "field '"
              + NAMES[field]
              + "' is '"
              + Identifiers.printable(abbreviate(text))
              + "', not an ISO-8601 timestamp with an offset such as 2026-11-27T10:15:30.123Z");
    }
    return inYears(field, millis);
  }

  private static Instant inYears(int field, long millis) throws Rejection {
    if (millis < EARLIEST_MILLIS || millis >= END_MILLIS) {
      throw new Rejection(
          DeadLetterReason.INVALID_TIMESTAMP,
          "field '" + NAMES[field] + "' is " + java.time.Instant.ofEpochMilli(millis)
              + ", outside the years 0001 to 9999");
    }
    return new Instant(millis);
  }

  private String properties(ParsedFields f) throws Rejection {
    JsonToken token = f.tokens[PROPERTIES];
    if (token == null) {
      return "{}";
    }
    if (token != JsonToken.START_OBJECT) {
      throw new Rejection(
          DeadLetterReason.INVALID_PROPERTIES,
          "field 'properties' must be a JSON object, got " + typeName(token));
    }
    CompactJsonCopier copy = f.properties;
    // UTF-8 takes at most 3 bytes per Java char: only a long object needs its bytes counted.
    if (copy.length() > maxPropertiesBytes / 3) {
      int bytes = copy.utf8Length();
      if (bytes > maxPropertiesBytes) {
        throw new Rejection(
            DeadLetterReason.PROPERTIES_TOO_LARGE,
            "field 'properties' is " + bytes + " bytes; the limit is " + maxPropertiesBytes);
      }
    }
    return copy.text();
  }

  /** The name the tree's JsonNodeType gave a value starting with {@code token}, in lower case. */
  private static String typeName(JsonToken token) {
    switch (token) {
      case START_OBJECT:
        return "object";
      case START_ARRAY:
        return "array";
      case VALUE_STRING:
        return "string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "boolean";
      case VALUE_NULL:
        return "null";
      default:
        return token.name().toLowerCase(Locale.ROOT);
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 64 ? text : text.substring(0, 61) + "...";
  }
}
