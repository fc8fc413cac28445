package io.github.analytics.transforms.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads the values of a few top-level fields of a {@code properties} object, as text, with Jackson's
 * streaming parser: nested values are skipped, nothing else is built. The text is what {@code
 * JsonNode.asText()} gives after {@code ObjectMapper.readTree}, the funnels' rule: strings as they
 * are, integers in decimal, other numbers through {@code double} ({@code 1e5} is {@code 100000.0}),
 * {@code true}/{@code false}; objects, arrays and null give no value. A repeated field keeps its last
 * value, as the tree does.
 *
 * <p>Why: a funnel step that matches a property (the checkout's {@code page_view[page=/checkout]})
 * looks at every page view, the most common event; a tree per page view was a visible share of the
 * per-user stage.
 */
public final class TopLevelProperties {
  private static final JsonFactory JSON = new JsonFactory();

  private TopLevelProperties() {}

  /** The wanted fields present with a scalar value, or null when {@code json} is no JSON object. */
  static @Nullable Map<String, String> read(@Nullable String json, Set<String> wanted) {
    return read(json, wanted, false);
  }

  /**
   * The wanted fields present with a string value, or null when {@code json} is no JSON object: what
   * {@code readTree(json).get(name)} gives where it {@code isTextual()}.
   */
  public static @Nullable Map<String, String> readStrings(@Nullable String json, Set<String> wanted) {
    return read(json, wanted, true);
  }

  /**
   * The top-level field {@code name} of the JSON object {@code json} if it is a finite number (the
   * last one if repeated); empty for any other value, a missing field, or no JSON object: what {@code
   * readTree(json).get(name)} gives where it {@code isNumber()} and its double is finite.
   */
  public static java.util.OptionalDouble readNumber(@Nullable String json, String name) {
    if (json == null) {
      return java.util.OptionalDouble.empty();
    }
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return java.util.OptionalDouble.empty();
      }
      java.util.OptionalDouble found = java.util.OptionalDouble.empty();
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        boolean wanted = name.equals(parser.currentName());
        JsonToken value = parser.nextToken();
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          parser.skipChildren();
        }
        if (wanted) {
          double number = value != null && value.isNumeric() ? parser.getDoubleValue() : Double.NaN;
          found = Double.isFinite(number) ? java.util.OptionalDouble.of(number) : java.util.OptionalDouble.empty();
        }
      }
      return token == JsonToken.END_OBJECT ? found : java.util.OptionalDouble.empty();
    } catch (IOException e) {
      return java.util.OptionalDouble.empty();
    }
  }

  private static @Nullable Map<String, String> read(
      @Nullable String json, Set<String> wanted, boolean stringsOnly) {
    if (json == null) {
      return null;
    }
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      Map<String, String> values = new HashMap<>(4);
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          parser.skipChildren();
          values.remove(name);
          continue;
        }
        if (!wanted.contains(name)) {
          continue;
        }
        String text =
            stringsOnly && value != JsonToken.VALUE_STRING ? null : text(parser, value);
        if (text == null) {
          values.remove(name);
        } else {
          values.put(name, text);
        }
      }
      return token == JsonToken.END_OBJECT ? values : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static @Nullable String text(JsonParser parser, JsonToken value) throws IOException {
    switch (value) {
      case VALUE_STRING:
        return parser.getText();
      case VALUE_NUMBER_INT:
        return parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? parser.getBigIntegerValue().toString()
            : Long.toString(parser.getLongValue());
      case VALUE_NUMBER_FLOAT:
        return Double.toString(parser.getDoubleValue());
      case VALUE_TRUE:
        return "true";
      case VALUE_FALSE:
        return "false";
      default:
        return null;
    }
  }
}
