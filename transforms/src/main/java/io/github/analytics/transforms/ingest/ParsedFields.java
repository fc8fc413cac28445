package io.github.analytics.transforms.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonToken;
import java.util.Arrays;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What a read of one payload kept of its known top-level fields, for {@link EventParser}'s rules to
 * judge: filled by {@link FastEventReader} or {@link StreamingEventReader}, which must leave the
 * same state for the same document. A field that is absent or JSON {@code null} has no token: the
 * rules treat both alike. One instance is reused for every record of a parser, so its arrays and
 * buffers are allocated once.
 */
final class ParsedFields {
  // The known fields, by index into the arrays below.
  static final int EVENT_ID = 0;
  static final int EVENT_TYPE = 1;
  static final int USER_ID = 2;
  static final int SESSION_ID = 3;
  static final int PLATFORM = 4;
  static final int APP_VERSION = 5;
  static final int CLIENT_IP = 6;
  static final int USER_AGENT = 7;
  static final int CLIENT_TIMESTAMP = 8;
  static final int SERVER_TIMESTAMP = 9;
  static final int PROPERTIES = 10;
  static final int FIELD_COUNT = 11;

  static final String[] NAMES = {
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
   * The order in which collectors (and the generator) write the fields: the readers try the next
   * name in this order first, which saves looking a key up. Any other order works, a little slower.
   */
  static final int[] ORDER = {
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

  /** Where each field is in {@link #ORDER}. */
  static final int[] POSITION = new int[FIELD_COUNT];

  static {
    for (int i = 0; i < ORDER.length; i++) {
      POSITION[ORDER[i]] = i;
    }
  }

  // What uuidForm finds in an event_id.
  static final int NOT_UUID = 0;
  static final int UUID_IN_LOWER_CASE = 1;
  static final int UUID_WITH_UPPER_CASE = 2;

  /** The value's first token per field, or null. */
  final @Nullable JsonToken[] tokens = new JsonToken[FIELD_COUNT];

  /** The text of a string value; for a timestamp only when the fast ISO path did not read it. */
  final @Nullable String[] texts = new String[FIELD_COUNT];

  /** For a timestamp: whether {@link #millis} holds its value (fast ISO path or a long). */
  final boolean[] hasMillis = new boolean[FIELD_COUNT];

  final long[] millis = new long[FIELD_COUNT];

  /** For an {@code event_id} string: {@link #NOT_UUID} or the UUID's case. */
  int eventIdForm;

  /** Holds the compact text of {@code properties} when its token is {@code START_OBJECT}. */
  final CompactJsonCopier properties;

  /** The keys of the objects being read, to refuse a duplicate. */
  final DuplicateKeys keys = new DuplicateKeys();

  ParsedFields(JsonFactory factory) {
    properties = new CompactJsonCopier(factory);
  }

  /** Forgets the last record. */
  void reset() {
    Arrays.fill(tokens, null);
    Arrays.fill(texts, null);
    Arrays.fill(hasMillis, false);
    keys.reset();
    eventIdForm = NOT_UUID;
  }

  /** The index of a known field's name, or -1. */
  static int fieldIndex(String name) {
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

  /**
   * Per ASCII character: 0 if not a hex digit, {@link #UUID_IN_LOWER_CASE} (a bit) for a digit or
   * a-f, {@link #UUID_WITH_UPPER_CASE} (another bit) for A-F.
   */
  private static final byte[] HEX_FORM = new byte[128];

  static {
    for (char c = '0'; c <= '9'; c++) {
      HEX_FORM[c] = UUID_IN_LOWER_CASE;
    }
    for (char c = 'a'; c <= 'f'; c++) {
      HEX_FORM[c] = UUID_IN_LOWER_CASE;
    }
    for (char c = 'A'; c <= 'F'; c++) {
      HEX_FORM[c] = UUID_WITH_UPPER_CASE;
    }
  }

  /** Where a UUID's hex digits are: the five groups of 8-4-4-4-12, between its four hyphens. */
  private static final int[] GROUP_STARTS = {0, 9, 14, 19, 24};

  private static final int[] GROUP_ENDS = {8, 13, 18, 23, 36};

  /**
   * Whether {@code chars[offset, offset + length)} is a UUID, 8-4-4-4-12 hex digits in either case
   * (as the former regular expression), and if so whether it needs lower-casing.
   */
  static int uuidForm(char[] chars, int offset, int length) {
    if (length != 36
        || chars[offset + 8] != '-'
        || chars[offset + 13] != '-'
        || chars[offset + 18] != '-'
        || chars[offset + 23] != '-') {
      return NOT_UUID;
    }
    int form = 0;
    for (int group = 0; group < 5; group++) {
      for (int i = offset + GROUP_STARTS[group]; i < offset + GROUP_ENDS[group]; i++) {
        char c = chars[i];
        int digit = c < 128 ? HEX_FORM[c] : 0;
        if (digit == 0) {
          return NOT_UUID;
        }
        form |= digit;
      }
    }
    return (form & UUID_WITH_UPPER_CASE) != 0 ? UUID_WITH_UPPER_CASE : UUID_IN_LOWER_CASE;
  }

  /** {@link #uuidForm(char[], int, int)} of ASCII bytes (any other byte is not a hex digit). */
  static int uuidForm(byte[] bytes, int offset, int length) {
    if (length != 36
        || bytes[offset + 8] != '-'
        || bytes[offset + 13] != '-'
        || bytes[offset + 18] != '-'
        || bytes[offset + 23] != '-') {
      return NOT_UUID;
    }
    int form = 0;
    for (int group = 0; group < 5; group++) {
      for (int i = offset + GROUP_STARTS[group]; i < offset + GROUP_ENDS[group]; i++) {
        byte c = bytes[i];
        int digit = c >= 0 ? HEX_FORM[c] : 0;
        if (digit == 0) {
          return NOT_UUID;
        }
        form |= digit;
      }
    }
    return (form & UUID_WITH_UPPER_CASE) != 0 ? UUID_WITH_UPPER_CASE : UUID_IN_LOWER_CASE;
  }
}
