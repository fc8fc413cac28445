package io.github.analytics.transforms.ingest;

import static io.github.analytics.transforms.ingest.ParsedFields.CLIENT_TIMESTAMP;
import static io.github.analytics.transforms.ingest.ParsedFields.EVENT_ID;
import static io.github.analytics.transforms.ingest.ParsedFields.NAMES;
import static io.github.analytics.transforms.ingest.ParsedFields.ORDER;
import static io.github.analytics.transforms.ingest.ParsedFields.POSITION;
import static io.github.analytics.transforms.ingest.ParsedFields.PROPERTIES;
import static io.github.analytics.transforms.ingest.ParsedFields.SERVER_TIMESTAMP;

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
import io.github.analytics.common.IsoTimestamps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads any payload that is valid UTF-8 into {@link ParsedFields} with Jackson's streaming parser,
 * or finds that it is not exactly one JSON object: the reader that decides what is valid JSON, as
 * the tree parser did before it (the same Jackson grammar and options).
 *
 * <p>It reads the payload bytes once, keeping the known top-level fields and skipping the others,
 * instead of decoding them into a String and building a tree; the whole document is read before
 * {@link EventParser} judges any field, so a syntax error anywhere wins over a field error. Keys
 * are checked for repeats by {@link DuplicateKeys} (cheaper than Jackson's detection), {@code
 * properties} is copied by {@link CompactJsonCopier}. A payload that is not valid JSON is read a
 * second time, into a tree, only so that its message is the one the tree parser gives.
 */
final class StreamingEventReader {
  /**
   * The streaming parser's settings: non-numeric numbers refused, as for the mapper below. Charset
   * detection is off: the payload must be UTF-8 (it has been validated as such), and detection
   * would otherwise read a payload starting with zero bytes as UTF-16 or UTF-32 and skip a
   * byte-order mark, which the String-based tree parser never did.
   */
  static final JsonFactory FACTORY =
      new JsonFactoryBuilder()
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .disable(JsonFactory.Feature.CHARSET_DETECTION)
          .build();

  /**
   * Only for the message of a payload that is not valid JSON: the tree parser's words, as before
   * the streaming parser. Thread-safe once configured; duplicate keys and trailing data are errors.
   */
  private static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /**
   * The names in {@link ParsedFields#ORDER}, pre-encoded: given the expected name, Jackson compares
   * a key's bytes with it instead of decoding the key and looking it up.
   */
  private static final SerializedString[] EXPECTED_NAMES = new SerializedString[ORDER.length];

  static {
    for (int i = 0; i < ORDER.length; i++) {
      EXPECTED_NAMES[i] = new SerializedString(NAMES[ORDER[i]]);
    }
  }

  private StreamingEventReader() {}

  /**
   * Reads {@code payload}, valid UTF-8, into {@code f} (reset); null when it is exactly one JSON
   * object, else the {@code MALFORMED_JSON} message (syntax, duplicate keys, trailing data, another
   * root value or none).
   */
  static @Nullable String read(byte[] payload, ParsedFields f) {
    String problem;
    JsonParser p = null;
    try {
      p = FACTORY.createParser(payload);
      problem = readObject(p, f);
    } catch (IOException e) {
      problem = e.getMessage();
    } finally {
      if (p != null) {
        try {
          p.close();
        } catch (IOException ignored) {
          // Closing a parser over a byte array only returns its buffers.
        }
      }
    }
    return problem == null ? null : malformedMessage(payload, problem);
  }

  /** Null when the document is one object, else what the streaming parser found wrong. */
  private static @Nullable String readObject(JsonParser p, ParsedFields f) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return "not a JSON object"; // another root value or none
    }
    DuplicateKeys keys = f.keys;
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
        field = ParsedFields.fieldIndex(name);
      }
      JsonToken value = p.nextToken();
      if (field < 0) {
        if (!keys.add(name)) {
          throw CompactJsonCopier.duplicate(p, name);
        }
        skipValue(p, keys);
        continue;
      }
      expected = POSITION[field] + 1;
      if ((seen & (1 << field)) != 0) {
        throw CompactJsonCopier.duplicate(p, name);
      }
      seen |= 1 << field;
      if (value == JsonToken.VALUE_NULL) {
        continue;
      }
      f.tokens[field] = value;
      if (field == PROPERTIES) {
        if (value == JsonToken.START_OBJECT) {
          f.properties.copyObject(p, keys);
        } else {
          skipValue(p, keys);
        }
      } else if (field == CLIENT_TIMESTAMP || field == SERVER_TIMESTAMP) {
        readTimestamp(p, value, field, f);
      } else if (value == JsonToken.VALUE_STRING) {
        if (field == EVENT_ID) {
          f.eventIdForm =
              ParsedFields.uuidForm(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        }
        f.texts[field] = p.getText();
      } else {
        skipValue(p, keys);
      }
    }
    if (p.currentToken() != JsonToken.END_OBJECT) {
      return "expected the end of the object, got " + p.currentToken();
    }
    if (p.nextToken() != null) {
      return "trailing data after the object";
    }
    return null;
  }

  /**
   * A timestamp's value: an ISO string the fast path reads now (its millis kept), another string
   * kept for the JDK (judged later, in the rules' order), or a whole number that fits a long.
   */
  private static void readTimestamp(JsonParser p, JsonToken value, int field, ParsedFields f)
      throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      long millis =
          IsoTimestamps.fastEpochMillis(
              p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
      if (millis != IsoTimestamps.NOT_FAST) {
        f.millis[field] = millis;
        f.hasMillis[field] = true;
      } else {
        f.texts[field] = p.getText();
      }
    } else if (value == JsonToken.VALUE_NUMBER_INT) {
      // A BigInteger (beyond the long range) keeps no millis: INVALID_TIMESTAMP later.
      if (p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
        f.millis[field] = p.getLongValue();
        f.hasMillis[field] = true;
      }
    } else {
      skipValue(p, f.keys);
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
   * The message for a payload that is not valid JSON, in the tree parser's words (the streaming
   * parser words some errors differently, e.g. it names the input a byte array). Rare: the second
   * read costs nothing that matters. {@code streamingProblem} is only a fallback should the tree
   * parser accept what the streaming one refused, which the tests rule out.
   */
  private static String malformedMessage(byte[] payload, String streamingProblem) {
    // Valid UTF-8 by now: this is the String the decoder gave the tree parser.
    String text = new String(payload, StandardCharsets.UTF_8);
    try {
      JsonNode root = JSON.readTree(text);
      if (root == null || !root.isObject()) {
        return "expected a JSON object, got "
            + (root == null ? "nothing" : root.getNodeType().name().toLowerCase(Locale.ROOT));
      }
    } catch (JsonProcessingException e) {
      return "not valid JSON: " + e.getOriginalMessage();
    }
    return "not valid JSON: " + streamingProblem;
  }
}
