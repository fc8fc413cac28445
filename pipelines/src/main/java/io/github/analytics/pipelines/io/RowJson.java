package io.github.analytics.pipelines.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.ReadableInstant;

/**
 * How metric rows look outside Beam, in Redis and on Kafka topics: one flat JSON object per row, column
 * names as in the warehouse, timestamps as ISO-8601 UTC ({@code 2026-11-28T14:05:00Z}, milliseconds only
 * when there are some), and {@code <column>_ms} epoch milliseconds beside each timestamp for consumers
 * that parse numbers more easily than dates. BYTES columns (HLL sketches) are left out: Redis keeps its
 * own HyperLogLogs, and the warehouse keeps the sketches.
 */
public final class RowJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private RowJson() {}

  /** The row as a JSON object, without the columns in {@code skip} and without BYTES columns. */
  public static ObjectNode toJson(Row row, Collection<String> skip) {
    ObjectNode node = MAPPER.createObjectNode();
    for (Schema.Field field : row.getSchema().getFields()) {
      String name = field.getName();
      if (skip.contains(name)) {
        continue;
      }
      Object value = row.getValue(name);
      switch (field.getType().getTypeName()) {
        case BYTES:
          break;
        case DATETIME:
          if (value == null) {
            node.putNull(name);
          } else {
            long millis = ((ReadableInstant) value).getMillis();
            node.put(name, instant(millis));
            node.put(name + "_ms", millis);
          }
          break;
        case STRING:
          node.put(name, (String) value);
          break;
        case INT16:
        case INT32:
          node.put(name, value == null ? null : ((Number) value).intValue());
          break;
        case INT64:
          node.put(name, value == null ? null : ((Number) value).longValue());
          break;
        case FLOAT:
        case DOUBLE:
          if (value == null || !Double.isFinite(((Number) value).doubleValue())) {
            node.putNull(name);
          } else {
            node.put(name, ((Number) value).doubleValue());
          }
          break;
        case BOOLEAN:
          node.put(name, (Boolean) value);
          break;
        default:
          node.put(name, value == null ? null : value.toString());
      }
    }
    return node;
  }

  /**
   * The row's values of {@code columns}, formatted as in JSON, each with {@code %} and {@code |}
   * written as {@code %25} and {@code %7C}, joined by {@code |}: two different rows never get the
   * same key, whatever their values hold (an event type {@code a|b} on platform {@code c} and the
   * type {@code a} on platform {@code b|c} stay two fields). Values without those characters (nearly
   * all, timestamps included) are unchanged.
   */
  public static String key(Row row, List<String> columns) {
    return columns.stream().map(c -> escape(text(row, c), false)).collect(Collectors.joining("|"));
  }

  /**
   * A value as one segment of a Redis key, whose segments are separated by {@code :}: {@code %},
   * {@code :} and {@code |} written as {@code %25}, {@code %3A} and {@code %7C}, so that an event
   * type holding a colon cannot name another key. Values without them are unchanged.
   */
  public static String keyPart(String value) {
    return escape(value, true);
  }

  private static String escape(String value, boolean colon) {
    int i = 0;
    while (i < value.length() && !special(value.charAt(i), colon)) {
      i++;
    }
    if (i == value.length()) {
      return value;
    }
    StringBuilder escaped = new StringBuilder(value.length() + 8).append(value, 0, i);
    for (; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%') {
        escaped.append("%25");
      } else if (c == '|') {
        escaped.append("%7C");
      } else if (c == ':' && colon) {
        escaped.append("%3A");
      } else {
        escaped.append(c);
      }
    }
    return escaped.toString();
  }

  private static boolean special(char c, boolean colon) {
    return c == '%' || c == '|' || (colon && c == ':');
  }

  /** One value formatted as in JSON, without quotes; null as the empty string. */
  public static String text(Row row, String column) {
    @Nullable Object value = row.getValue(column);
    if (value == null) {
      return "";
    }
    if (value instanceof ReadableInstant) {
      return instant(((ReadableInstant) value).getMillis());
    }
    return value.toString();
  }

  /**
   * The row as JSON text, as {@code write(toJson(row, skip))} gives it, written straight from the
   * row's values: the sinks format one per row, per pane.
   */
  public static String toJsonString(Row row, Collection<String> skip) {
    StringWriter text = new StringWriter(256);
    try (JsonGenerator json = MAPPER.getFactory().createGenerator(text)) {
      json.writeStartObject();
      for (Schema.Field field : row.getSchema().getFields()) {
        String name = field.getName();
        if (skip.contains(name)) {
          continue;
        }
        Object value = row.getValue(name);
        switch (field.getType().getTypeName()) {
          case BYTES:
            break;
          case DATETIME:
            if (value == null) {
              json.writeNullField(name);
            } else {
              long millis = ((ReadableInstant) value).getMillis();
              json.writeStringField(name, instant(millis));
              json.writeNumberField(name + "_ms", millis);
            }
            break;
          case STRING:
            json.writeStringField(name, (String) value);
            break;
          case INT16:
          case INT32:
            if (value == null) {
              json.writeNullField(name);
            } else {
              json.writeNumberField(name, ((Number) value).intValue());
            }
            break;
          case INT64:
            if (value == null) {
              json.writeNullField(name);
            } else {
              json.writeNumberField(name, ((Number) value).longValue());
            }
            break;
          case FLOAT:
          case DOUBLE:
            if (value == null || !Double.isFinite(((Number) value).doubleValue())) {
              json.writeNullField(name);
            } else {
              json.writeNumberField(name, ((Number) value).doubleValue());
            }
            break;
          case BOOLEAN:
            if (value == null) {
              json.writeNullField(name);
            } else {
              json.writeBooleanField(name, (Boolean) value);
            }
            break;
          default:
            if (value == null) {
              json.writeNullField(name);
            } else {
              json.writeStringField(name, value.toString());
            }
        }
      }
      json.writeEndObject();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Cannot write JSON", e);
    }
    return text.toString();
  }

  /**
   * ISO-8601 UTC, with milliseconds only when they are not zero: what {@code
   * DateTimeFormatter.ISO_INSTANT} prints, written by hand for years 0 to 9999 (the formatter was
   * the largest cost of the Redis sinks), by the formatter otherwise.
   */
  public static String instant(long epochMillis) {
    long days = Math.floorDiv(epochMillis, 86_400_000L);
    int millisOfDay = (int) Math.floorMod(epochMillis, 86_400_000L);
    if (days < MIN_FAST_DAY || days > MAX_FAST_DAY) {
      java.time.Instant instant = java.time.Instant.ofEpochMilli(epochMillis);
      return instant.getNano() == 0
          ? DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS))
          : DateTimeFormatter.ISO_INSTANT.format(instant);
    }
    java.time.LocalDate date = java.time.LocalDate.ofEpochDay(days);
    int millis = millisOfDay % 1000;
    int seconds = millisOfDay / 1000;
    char[] out = new char[millis == 0 ? 20 : 24];
    digits(out, 0, date.getYear(), 4);
    out[4] = '-';
    digits(out, 5, date.getMonthValue(), 2);
    out[7] = '-';
    digits(out, 8, date.getDayOfMonth(), 2);
    out[10] = 'T';
    digits(out, 11, seconds / 3600, 2);
    out[13] = ':';
    digits(out, 14, seconds / 60 % 60, 2);
    out[16] = ':';
    digits(out, 17, seconds % 60, 2);
    if (millis != 0) {
      out[19] = '.';
      digits(out, 20, millis, 3);
    }
    out[out.length - 1] = 'Z';
    return new String(out);
  }

  private static final long MIN_FAST_DAY = java.time.LocalDate.of(0, 1, 1).toEpochDay();
  private static final long MAX_FAST_DAY = java.time.LocalDate.of(9999, 12, 31).toEpochDay();

  private static void digits(char[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /** Serializes a node. */
  public static String write(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write JSON", e);
    }
  }
}
