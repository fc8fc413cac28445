package io.github.analytics.pipelines.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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

  /** The row's values of {@code columns}, formatted as in JSON and joined by {@code |}. */
  public static String key(Row row, List<String> columns) {
    return columns.stream().map(c -> text(row, c)).collect(Collectors.joining("|"));
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

  /** ISO-8601 UTC, with milliseconds only when they are not zero. */
  public static String instant(long epochMillis) {
    java.time.Instant instant = java.time.Instant.ofEpochMilli(epochMillis);
    return instant.getNano() == 0
        ? DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS))
        : DateTimeFormatter.ISO_INSTANT.format(instant);
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
