package io.github.analytics.transforms.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonTokenId;
import java.io.IOException;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Copies the JSON object under a parser into its compact text, character for character what {@code
 * JsonMapper.writeValueAsString} gives for the {@code JsonNode} tree of the same object: the stored
 * {@code properties} column. Reused for every record of one {@link EventParser}, so one generator
 * and one growing buffer serve them all.
 *
 * <p>Why not {@code JsonGenerator.copyCurrentStructure}: the copy must write each value as the
 * tree's node would (a float through {@code double}, so {@code 1e5} becomes {@code 100000.0} and
 * {@code 1e400} the string {@code "Infinity"}; {@code -0} becomes {@code 0}), and spelling that out
 * here keeps it independent of how a Jackson version copies numbers. The generator writes
 * characters, not bytes, because Jackson's byte generator escapes characters outside the BMP while
 * the String one (the mapper's) writes them as they are.
 */
final class CompactJsonCopier {
  private final JsonFactory factory;
  private final GrowingCharWriter out = new GrowingCharWriter();
  private @Nullable JsonGenerator generator;

  CompactJsonCopier(JsonFactory factory) {
    this.factory = factory;
  }

  /**
   * Copies the object whose {@code START_OBJECT} is the parser's current token, leaving the parser
   * on its {@code END_OBJECT}; the text is then in {@link #text} and {@link #utf8Length}. A key
   * repeated within an object of the copy is an error, found with {@code keys}.
   *
   * @throws IOException when the parser fails (malformed JSON) or a key repeats: the copy is then
   *     abandoned
   */
  void copyObject(JsonParser p, DuplicateKeys keys) throws IOException {
    out.reset();
    JsonGenerator g = generator;
    if (g == null) {
      g = factory.createGenerator(out);
      // Each copy is a root value of its own: no separator between them.
      g.setRootValueSeparator(null);
      generator = g;
    }
    boolean done = false;
    try {
      copy(p, g, keys);
      g.flush();
      done = true;
    } finally {
      if (!done) {
        // A generator left inside an unfinished object cannot start the next copy.
        generator = null;
      }
    }
  }

  private static void copy(JsonParser p, JsonGenerator g, DuplicateKeys keys) throws IOException {
    g.writeStartObject();
    keys.enterObject();
    int depth = 1;
    while (depth > 0) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new JsonParseException(p, "Unexpected end-of-input in an object being copied");
      }
      switch (t.id()) {
        case JsonTokenId.ID_START_OBJECT:
          g.writeStartObject();
          keys.enterObject();
          depth++;
          break;
        case JsonTokenId.ID_START_ARRAY:
          g.writeStartArray();
          depth++;
          break;
        case JsonTokenId.ID_END_OBJECT:
          g.writeEndObject();
          keys.exitObject();
          depth--;
          break;
        case JsonTokenId.ID_END_ARRAY:
          g.writeEndArray();
          depth--;
          break;
        case JsonTokenId.ID_FIELD_NAME:
          String name = p.currentName();
          if (!keys.add(name)) {
            throw duplicate(p, name);
          }
          g.writeFieldName(name);
          break;
        case JsonTokenId.ID_STRING:
          g.writeString(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
          break;
        case JsonTokenId.ID_NUMBER_INT:
          // IntNode, LongNode or BigIntegerNode, as the tree's deserializer picks them.
          switch (p.getNumberType()) {
            case INT:
              g.writeNumber(p.getIntValue());
              break;
            case LONG:
              g.writeNumber(p.getLongValue());
              break;
            default:
              g.writeNumber(p.getBigIntegerValue());
              break;
          }
          break;
        case JsonTokenId.ID_NUMBER_FLOAT:
          // DoubleNode: a text parser reports every float as a double.
          g.writeNumber(p.getDoubleValue());
          break;
        case JsonTokenId.ID_TRUE:
          g.writeBoolean(true);
          break;
        case JsonTokenId.ID_FALSE:
          g.writeBoolean(false);
          break;
        case JsonTokenId.ID_NULL:
          g.writeNull();
          break;
        default:
          throw new JsonParseException(p, "Unexpected token " + t + " in an object being copied");
      }
    }
  }

  /**
   * Empties the buffer for a copy written by hand ({@link FastEventReader}), which must write what
   * {@link #copyObject} would; {@link #text}, {@link #length} and {@link #utf8Length} then describe
   * it.
   */
  GrowingCharWriter startWrittenCopy() {
    out.reset();
    return out;
  }

  /**
   * The error for a key repeated within an object, as Jackson's duplicate detection words it (a
   * dead letter's message comes from the tree parser, not from this).
   */
  static JsonParseException duplicate(JsonParser p, String name) {
    return new JsonParseException(p, "Duplicate field '" + name + "'");
  }

  /** The last copy's text. */
  String text() {
    return new String(out.chars, 0, out.length);
  }

  /** The last copy's length in chars. */
  int length() {
    return out.length;
  }

  /**
   * The last copy's size in UTF-8 as {@code text().getBytes(UTF_8).length} counts it: a surrogate
   * pair is 4 bytes, and an unpaired surrogate (possible through a {@code \ud800} escape) is
   * replaced by {@code '?'}, 1 byte.
   */
  int utf8Length() {
    char[] chars = out.chars;
    int n = out.length;
    int bytes = n;
    for (int i = 0; i < n; i++) {
      char c = chars[i];
      if (c < 0x80) {
        continue;
      }
      if (c < 0x800) {
        bytes += 1;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(chars[i + 1])) {
        bytes += 2; // 4 bytes for the 2 chars of the pair
        i++;
      } else if (Character.isSurrogate(c)) {
        // '?': 1 byte, already counted.
      } else {
        bytes += 2;
      }
    }
    return bytes;
  }
}
