package io.github.analytics.transforms.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.analytics.schemas.DeadLetter;
import io.github.analytics.schemas.DeadLetterReason;
import io.github.analytics.schemas.Event;
import io.github.analytics.schemas.RawEvent;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Turns one {@link RawEvent} into an {@link Event} or a {@link DeadLetter}: the validation rules of
 * {@link ParseEvents}, as plain Java so the collector can apply the same rules later.
 *
 * <p>Checks run in this order and the first failure decides the reason: payload size, UTF-8, JSON
 * object, presence and type of each field, {@code event_id} format, timestamp syntax, timestamp
 * range, {@code properties} type, {@code properties} size.
 *
 * <p>It runs on every record of both layers, so it reads the payload bytes once with Jackson's
 * streaming parser, keeping the top-level fields it knows and skipping the others, instead of
 * decoding them into a String and building a tree. The whole document is still read before any
 * field is judged, so a syntax error anywhere wins over a field error, as the order above says. The
 * parts a tree (or Jackson's own options) gave for free are done by hand, each with the same
 * result: {@link Utf8Validator} (the JDK decoder's verdict), {@link DuplicateKeys} (a repeated key
 * in any object), {@link CompactJsonCopier} ({@code properties} as the mapper would write it back)
 * and {@link IsoTimestamps} (the JDK's ISO parser, with a fast path). Only a record that is not
 * valid JSON is read a second time, into a tree, so that its message is the one the tree parser
 * gives.
 *
 * <p>An instance is used by one thread at a time (one per DoFn instance) and reuses its buffers
 * between records.
 */
final class EventParser implements Serializable {
  private static final long serialVersionUID = 1L;

  static final String STEP = "ParseEvents";

  /**
   * The streaming parser's settings: non-numeric numbers refused, as for the mapper below.
   * Duplicate keys are found by {@link DuplicateKeys}, at less cost than Jackson's detection.
   * Charset detection is off: the payload must be UTF-8 (it has been validated as such), and
   * detection would otherwise read a payload starting with zero bytes as UTF-16 or UTF-32 and skip
   * a byte-order mark, which the String-based tree parser never did.
   */
  private static final JsonFactory FACTORY =
      new JsonFactoryBuilder()
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .disable(JsonFactory.Feature.CHARSET_DETECTION)
          .build();

  /**
   * Only for the message of a record that is not valid JSON: the tree parser's words, as before the
   * streaming parser. Thread-safe once configured; duplicate keys and trailing data are errors.
   */
  private static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  // The top-level fields read, by index into Scratch's arrays.
  private static final int EVENT_ID = 0;
  private static final int EVENT_TYPE = 1;
  private static final int USER_ID = 2;
  private static final int SESSION_ID = 3;
  private static final int PLATFORM = 4;
  private static final int APP_VERSION = 5;
  private static final int CLIENT_IP = 6;
  private static final int USER_AGENT = 7;
  private static final int CLIENT_TIMESTAMP = 8;
  private static final int SERVER_TIMESTAMP = 9;
  private static final int PROPERTIES = 10;
  private static final int FIELD_COUNT = 11;
  private static final String[] NAMES = {
    "event_id",
    "event_type",
    "user_id",
    "session_id",
    "platform",
    "app_version",
    "client_ip",
    "user_agent",
    "client_timestamp",
    "server_timestamp",
    "properties"
  };

  /**
   * The order in which collectors (and the generator) write the fields, tried first for each key:
   * Jackson then compares the key's bytes with the expected name instead of decoding and looking it
   * up. Any other order still works, a little slower.
   */
  private static final int[] ORDER = {
    EVENT_ID,
    EVENT_TYPE,
    USER_ID,
    SESSION_ID,
    PROPERTIES,
    CLIENT_TIMESTAMP,
    SERVER_TIMESTAMP,
    APP_VERSION,
    PLATFORM,
    CLIENT_IP,
    USER_AGENT
  };

  /** {@link #NAMES} in {@link #ORDER}, pre-encoded for {@code JsonParser.nextFieldName}. */
  private static final SerializedString[] EXPECTED_NAMES = new SerializedString[ORDER.length];

  /** Where each field is in {@link #ORDER}. */
  private static final int[] POSITION = new int[FIELD_COUNT];

  static {
    for (int i = 0; i < ORDER.length; i++) {
      EXPECTED_NAMES[i] = new SerializedString(NAMES[ORDER[i]]);
      POSITION[ORDER[i]] = i;
    }
  }

  // What uuidForm finds in an event_id.
  private static final int NOT_UUID = 0;
  private static final int UUID_IN_LOWER_CASE = 1;
  private static final int UUID_WITH_UPPER_CASE = 2;

  private final int maxPayloadBytes;
  private final int maxPropertiesBytes;
  private final Duration maxPast;
  private final Duration maxFuture;

  /** Per-record state, reused; rebuilt lazily after deserialization. */
  private transient @Nullable Scratch scratch;

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
   * What the streaming read kept of one record's known top-level fields. A field that is absent or
   * JSON {@code null} has no token: the rules treat both alike.
   */
  private static final class Scratch {
    /** The value's first token per field, or null. */
    final JsonToken[] tokens = new JsonToken[FIELD_COUNT];

    /** The text of a string value; for a timestamp only when the fast ISO path did not read it. */
    final @Nullable String[] texts = new String[FIELD_COUNT];

    /** For a timestamp: whether {@link #millis} holds its value (fast ISO path or a long). */
    final boolean[] hasMillis = new boolean[FIELD_COUNT];

    final long[] millis = new long[FIELD_COUNT];

    /** For an {@code event_id} string: {@link #NOT_UUID} or the UUID's case. */
    int eventIdForm;

    /** Holds the compact text of {@code properties} when its token is {@code START_OBJECT}. */
    final CompactJsonCopier properties = new CompactJsonCopier(FACTORY);

    /** The keys of the objects being read, to refuse a duplicate. */
    final DuplicateKeys keys = new DuplicateKeys();

    void reset() {
      Arrays.fill(tokens, null);
      Arrays.fill(texts, null);
      Arrays.fill(hasMillis, false);
      keys.reset();
      eventIdForm = NOT_UUID;
    }
  }

  Outcome parse(RawEvent raw) {
    try {
      return new Outcome(parseOrReject(raw), null);
    } catch (Rejection r) {
      return new Outcome(null, DeadLetter.of(raw, r.reason, r.getMessage(), STEP));
    }
  }

  private Scratch scratch() {
    Scratch s = scratch;
    if (s == null) {
      s = new Scratch();
      scratch = s;
    }
    s.reset();
    return s;
  }

  private Event parseOrReject(RawEvent raw) throws Rejection {
    byte[] payload = raw.getPayload();
    if (payload.length > maxPayloadBytes) {
      throw new Rejection(
          DeadLetterReason.PAYLOAD_TOO_LARGE,
          "payload is " + payload.length + " bytes; the limit is " + maxPayloadBytes);
    }
    int malformed = Utf8Validator.firstMalformedLength(payload);
    if (malformed != 0) {
      // The decoder's exception, as the message always showed it ("...: Input length = 1").
      throw new Rejection(
          DeadLetterReason.INVALID_UTF8,
          "payload is not valid UTF-8: " + new MalformedInputException(malformed));
    }
    Scratch s = scratch();
    readObject(payload, s);

    // Presence and type of every field, before any value is interpreted.
    String eventId = requiredString(s, EVENT_ID);
    String eventType = requiredString(s, EVENT_TYPE);
    String userId = requiredString(s, USER_ID);
    String sessionId = requiredString(s, SESSION_ID);
    String platform = requiredString(s, PLATFORM);
    checkTimestamp(s, CLIENT_TIMESTAMP, true);
    boolean hasServerTimestamp = checkTimestamp(s, SERVER_TIMESTAMP, false);
    String appVersion = optionalString(s, APP_VERSION);
    String clientIp = optionalString(s, CLIENT_IP);
    String userAgent = optionalString(s, USER_AGENT);

    if (s.eventIdForm == NOT_UUID) {
      throw new Rejection(
          DeadLetterReason.INVALID_EVENT_ID,
          "event_id '" + abbreviate(eventId) + "' is not a UUID");
    }

    Instant clientTimestamp = timestamp(s, CLIENT_TIMESTAMP);
    Instant serverTimestamp = hasServerTimestamp ? timestamp(s, SERVER_TIMESTAMP) : null;

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

    String properties = properties(s);

    return Event.builder()
        .setEventId(
            s.eventIdForm == UUID_WITH_UPPER_CASE ? eventId.toLowerCase(Locale.ROOT) : eventId)
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

  /**
   * Reads the whole payload, keeping the known top-level fields in {@code s}; rejects it as {@code
   * MALFORMED_JSON} if it is not exactly one JSON object (syntax, duplicate keys, trailing data,
   * another root value or none).
   */
  private static void readObject(byte[] payload, Scratch s) throws Rejection {
    JsonParser p = null;
    try {
      p = FACTORY.createParser(payload);
      if (p.nextToken() != JsonToken.START_OBJECT) {
        // Another root value or none: the tree parser words the message (or finds an error first).
        throw malformed(payload, "not a JSON object");
      }
      DuplicateKeys keys = s.keys;
      keys.enterObject();
      int seen = 0; // a bit per known field: known keys need no comparison with the others
      int expected = 0; // the position in ORDER of the key most likely next
      while (true) {
        int field;
        String name;
        if (expected < ORDER.length) {
          if (p.nextFieldName(EXPECTED_NAMES[expected])) {
            field = ORDER[expected];
            name = NAMES[field];
          } else {
            // Another key (read and decoded by now), or the end of the object.
            name = p.currentToken() == JsonToken.FIELD_NAME ? p.currentName() : null;
            field = -1;
          }
        } else {
          name = p.nextFieldName();
          field = -1;
        }
        if (name == null) {
          break; // the end of the object (anything else is an exception from the parser)
        }
        if (field < 0) {
          field = fieldIndex(name);
        }
        if (field >= 0) {
          expected = POSITION[field] + 1;
        }
        JsonToken value = p.nextToken();
        if (field < 0) {
          if (!keys.add(name)) {
            throw CompactJsonCopier.duplicate(p, name);
          }
          skipValue(p, keys);
          continue;
        }
        if ((seen & (1 << field)) != 0) {
          throw CompactJsonCopier.duplicate(p, name);
        }
        seen |= 1 << field;
        if (value == JsonToken.VALUE_NULL) {
          continue;
        }
        s.tokens[field] = value;
        if (field == PROPERTIES) {
          if (value == JsonToken.START_OBJECT) {
            s.properties.copyObject(p, keys);
          } else {
            skipValue(p, keys);
          }
        } else if (field == CLIENT_TIMESTAMP || field == SERVER_TIMESTAMP) {
          readTimestamp(p, value, field, s);
        } else if (value == JsonToken.VALUE_STRING) {
          if (field == EVENT_ID) {
            s.eventIdForm = uuidForm(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
          }
          s.texts[field] = p.getText();
        } else {
          skipValue(p, keys);
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        throw malformed(payload, "expected the end of the object, got " + p.currentToken());
      }
      if (p.nextToken() != null) {
        throw malformed(payload, "trailing data after the object");
      }
    } catch (IOException e) {
      throw malformed(payload, e.getMessage());
    } finally {
      if (p != null) {
        try {
          p.close();
        } catch (IOException ignored) {
          // Closing a parser over a byte array only returns its buffers.
        }
      }
    }
  }

  /**
   * A timestamp's value: an ISO string the fast path reads now (its millis kept), another string
   * kept for the JDK (judged later, in the rules' order), or a whole number that fits a long.
   */
  private static void readTimestamp(JsonParser p, JsonToken value, int field, Scratch s)
      throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      long millis =
          IsoTimestamps.fastEpochMillis(
              p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
      if (millis != IsoTimestamps.NOT_FAST) {
        s.millis[field] = millis;
        s.hasMillis[field] = true;
      } else {
        s.texts[field] = p.getText();
      }
    } else if (value == JsonToken.VALUE_NUMBER_INT) {
      // A BigInteger (beyond the long range) keeps no millis: INVALID_TIMESTAMP later.
      if (p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
        s.millis[field] = p.getLongValue();
        s.hasMillis[field] = true;
      }
    } else {
      skipValue(p, s.keys);
    }
  }

  /**
   * Skips the value whose first token is the parser's current one, refusing a key repeated within
   * any object inside it ({@code skipChildren} would not look at the keys).
   */
  private static void skipValue(JsonParser p, DuplicateKeys keys) throws IOException {
    JsonToken t = p.currentToken();
    if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
      return; // a scalar: nothing more to read
    }
    int depth = 0;
    while (true) {
      switch (t) {
        case START_OBJECT:
          keys.enterObject();
          depth++;
          break;
        case START_ARRAY:
          depth++;
          break;
        case END_OBJECT:
          keys.exitObject();
          depth--;
          break;
        case END_ARRAY:
          depth--;
          break;
        case FIELD_NAME:
          String name = p.currentName();
          if (!keys.add(name)) {
            throw CompactJsonCopier.duplicate(p, name);
          }
          break;
        default:
          break;
      }
      if (depth == 0) {
        return;
      }
      t = p.nextToken();
      if (t == null) {
        throw new JsonParseException(p, "Unexpected end-of-input in a value being skipped");
      }
    }
  }

  /**
   * The rejection of a payload that is not valid JSON, with the message the tree parser gives for
   * it (the streaming parser words some errors differently, e.g. it names the input a byte array).
   * Rare: the second read costs nothing that matters. {@code streamingMessage} is only a fallback
   * should the tree parser accept what the streaming one refused, which the tests rule out.
   */
  private static Rejection malformed(byte[] payload, @Nullable String streamingMessage) {
    // Valid UTF-8 by now: this is the String the decoder gave the tree parser.
    String text = new String(payload, StandardCharsets.UTF_8);
    try {
      JsonNode root = JSON.readTree(text);
      if (root == null || !root.isObject()) {
        return new Rejection(
            DeadLetterReason.MALFORMED_JSON,
            "expected a JSON object, got " + (root == null ? "nothing" : nodeType(root)));
      }
    } catch (JsonProcessingException e) {
      return new Rejection(
          DeadLetterReason.MALFORMED_JSON, "not valid JSON: " + e.getOriginalMessage());
    }
    return new Rejection(DeadLetterReason.MALFORMED_JSON, "not valid JSON: " + streamingMessage);
  }

  private static int fieldIndex(String name) {
    switch (name) {
      case "event_id":
        return EVENT_ID;
      case "event_type":
        return EVENT_TYPE;
      case "user_id":
        return USER_ID;
      case "session_id":
        return SESSION_ID;
      case "platform":
        return PLATFORM;
      case "app_version":
        return APP_VERSION;
      case "client_ip":
        return CLIENT_IP;
      case "user_agent":
        return USER_AGENT;
      case "client_timestamp":
        return CLIENT_TIMESTAMP;
      case "server_timestamp":
        return SERVER_TIMESTAMP;
      case "properties":
        return PROPERTIES;
      default:
        return -1;
    }
  }

  private static String requiredString(Scratch s, int field) throws Rejection {
    JsonToken token = s.tokens[field];
    if (token == null) {
      throw new Rejection(
          DeadLetterReason.MISSING_FIELD, "required field '" + NAMES[field] + "' is missing");
    }
    if (token != JsonToken.VALUE_STRING) {
      throw new Rejection(
          DeadLetterReason.WRONG_TYPE,
          "field '" + NAMES[field] + "' must be a string, got " + typeName(token));
    }
    String value = s.texts[field];
    if (value.isBlank()) {
      throw new Rejection(
          DeadLetterReason.MISSING_FIELD, "required field '" + NAMES[field] + "' is empty");
    }
    return value;
  }

  private static @Nullable String optionalString(Scratch s, int field) throws Rejection {
    JsonToken token = s.tokens[field];
    if (token == null) {
      return null;
    }
    if (token != JsonToken.VALUE_STRING) {
      throw new Rejection(
          DeadLetterReason.WRONG_TYPE,
          "field '" + NAMES[field] + "' must be a string, got " + typeName(token));
    }
    String value = s.texts[field];
    return value.isEmpty() ? null : value;
  }

  /**
   * A timestamp is an ISO-8601 string with an offset, or a whole number of epoch milliseconds;
   * false when an optional one is absent, null or blank.
   */
  private static boolean checkTimestamp(Scratch s, int field, boolean required) throws Rejection {
    JsonToken token = s.tokens[field];
    boolean blank =
        token == JsonToken.VALUE_STRING && !s.hasMillis[field] && s.texts[field].isBlank();
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

  /** The instant of a timestamp that passed {@link #checkTimestamp}. */
  private static Instant timestamp(Scratch s, int field) throws Rejection {
    if (s.hasMillis[field]) {
      return new Instant(s.millis[field]);
    }
    if (s.tokens[field] == JsonToken.VALUE_NUMBER_INT) {
      throw new Rejection(
          DeadLetterReason.INVALID_TIMESTAMP,
          "field '" + NAMES[field] + "' is out of the long range");
    }
    String text = s.texts[field];
    try {
      return new Instant(IsoTimestamps.jdkEpochMillis(text));
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new Rejection(
          DeadLetterReason.INVALID_TIMESTAMP,
          "field '"
              + NAMES[field]
              + "' is '"
              + abbreviate(text)
              + "', not an ISO-8601 timestamp with an offset such as 2026-11-27T10:15:30.123Z");
    }
  }

  private String properties(Scratch s) throws Rejection {
    JsonToken token = s.tokens[PROPERTIES];
    if (token == null) {
      return "{}";
    }
    if (token != JsonToken.START_OBJECT) {
      throw new Rejection(
          DeadLetterReason.INVALID_PROPERTIES,
          "field 'properties' must be a JSON object, got " + typeName(token));
    }
    CompactJsonCopier copy = s.properties;
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

  private static String nodeType(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  /**
   * Whether {@code chars[offset, offset + length)} is a UUID, 8-4-4-4-12 hex digits in either case
   * (as the former regular expression), and if so whether it needs lower-casing: checked on
   * Jackson's buffer while the value is read.
   */
  private static int uuidForm(char[] chars, int offset, int length) {
    if (length != 36) {
      return NOT_UUID;
    }
    int form = UUID_IN_LOWER_CASE;
    for (int i = 0; i < 36; i++) {
      char c = chars[offset + i];
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return NOT_UUID;
        }
      } else if (c >= 'A' && c <= 'F') {
        form = UUID_WITH_UPPER_CASE;
      } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return NOT_UUID;
      }
    }
    return form;
  }

  private static String abbreviate(String text) {
    return text.length() <= 64 ? text : text.substring(0, 61) + "...";
  }
}
