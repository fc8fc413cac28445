package io.github.analytics.transforms.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One step of a {@link FunnelDefinition}: an event type and, optionally, property matches. An event
 * matches the step when its {@code event_type} equals {@link #eventType()} and, for every match,
 * the top-level field of its {@code properties} JSON object, compared as text, equals the value: a
 * JSON string by its value, a number or boolean by its JSON text (2, 2.5, true). A missing field, a
 * JSON null, an object or an array never matches. Immutable.
 *
 * <pre>{@code
 * FunnelStep checkout = FunnelStep.of("page_view", Map.of("page", "/checkout"));
 * checkout.name(); // "page_view[page=/checkout]"
 * }</pre>
 */
public final class FunnelStep implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String eventType;
  private final SortedMap<String, String> properties;

  private FunnelStep(String eventType, SortedMap<String, String> properties) {
    this.eventType = eventType;
    this.properties = properties;
  }

  /** A step matched by every event of {@code eventType}. */
  public static FunnelStep of(String eventType) {
    return of(eventType, Map.of());
  }

  /** A step matched by events of {@code eventType} whose properties have the given values. */
  public static FunnelStep of(String eventType, Map<String, String> properties) {
    if (eventType == null || eventType.isBlank()) {
      throw new IllegalArgumentException("a step needs a non-empty event_type, got '" + eventType + "'");
    }
    if (properties == null) {
      throw new IllegalArgumentException("the properties of a step cannot be null; use an empty map");
    }
    SortedMap<String, String> copy = new TreeMap<>();
    for (Map.Entry<String, String> match : properties.entrySet()) {
      if (match.getKey() == null || match.getKey().isBlank()) {
        throw new IllegalArgumentException("a property name cannot be empty");
      }
      if (match.getValue() == null) {
        throw new IllegalArgumentException(
            "property '" + match.getKey() + "' needs a value to compare with, got null");
      }
      copy.put(match.getKey(), match.getValue());
    }
    return new FunnelStep(eventType, Collections.unmodifiableSortedMap(copy));
  }

  public String eventType() {
    return eventType;
  }

  /** The property matches, sorted by property name; empty when the event type alone decides. */
  public SortedMap<String, String> properties() {
    return properties;
  }

  /** The label of the step in the output: {@code page_view} or {@code page_view[page=/checkout]}. */
  public String name() {
    if (properties.isEmpty()) {
      return eventType;
    }
    return properties.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(",", eventType + "[", "]"));
  }

  /**
   * Whether an event of this step's type with the given properties matches; {@code eventProperties}
   * is the parsed properties object, or null when it could not be read (then only a step without
   * property matches matches).
   */
  boolean matchesProperties(@Nullable JsonNode eventProperties) {
    if (properties.isEmpty()) {
      return true;
    }
    if (eventProperties == null || !eventProperties.isObject()) {
      return false;
    }
    for (Map.Entry<String, String> match : properties.entrySet()) {
      JsonNode value = eventProperties.get(match.getKey());
      if (value == null
          || !(value.isTextual() || value.isNumber() || value.isBoolean())
          || !value.asText().equals(match.getValue())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The same rule over the text values of the event's top-level properties ({@link
   * TopLevelProperties}); {@code values} is null when the properties could not be read.
   */
  boolean matchesProperties(@Nullable Map<String, String> values) {
    if (properties.isEmpty()) {
      return true;
    }
    if (values == null) {
      return false;
    }
    for (Map.Entry<String, String> match : properties.entrySet()) {
      if (!match.getValue().equals(values.get(match.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof FunnelStep other
        && eventType.equals(other.eventType)
        && properties.equals(other.properties);
  }

  @Override
  public int hashCode() {
    return 31 * eventType.hashCode() + properties.hashCode();
  }

  @Override
  public String toString() {
    return name();
  }
}
