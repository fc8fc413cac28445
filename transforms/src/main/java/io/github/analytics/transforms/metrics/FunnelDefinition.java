package io.github.analytics.transforms.metrics;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * A conversion funnel: a name, two or more {@link FunnelStep steps}, a conversion window and a
 * {@link FunnelOrder}. A user converts through step k when they do steps 1 to k as the order says,
 * all within the window measured from the time of the attempt's first event; the window is
 * inclusive (a step exactly one window after the first counts, one millisecond later does not).
 * Immutable and validated on construction.
 *
 * <p>Funnels are configured in a JSON file (the example is {@code testdata/funnels.json}):
 *
 * <pre>{@code
 * {"funnels": [
 *   {"name": "checkout", "window_minutes": 60, "order": "ordered",
 *    "steps": [{"event_type": "page_view"},
 *              {"event_type": "add_to_cart"},
 *              {"event_type": "page_view", "properties": {"page": "/checkout"}},
 *              {"event_type": "purchase"}]}]}
 * }</pre>
 *
 * <p>{@code name} is lower_snake_case and unique in the file; {@code window_minutes} a positive whole
 * number of minutes, at most {@link #MAX_WINDOW}; {@code order} one of {@code ordered} (the default),
 * {@code strict}, {@code any_order}; {@code steps} lists 2 to {@link #MAX_STEPS} steps, each with an
 * {@code event_type} and optional {@code properties} (property name to the value it must have, see
 * {@link FunnelStep}). Unknown fields are errors, so a typo cannot silently change a funnel.
 */
public final class FunnelDefinition implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The most steps a funnel may have. */
  public static final int MAX_STEPS = 30;

  /** The longest conversion window, as in Amplitude: state per user is kept this long. */
  public static final Duration MAX_WINDOW = Duration.standardDays(366);

  private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9_]*$");
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final String name;
  private final List<FunnelStep> steps;
  private final Duration window;
  private final FunnelOrder order;

  private FunnelDefinition(String name, List<FunnelStep> steps, Duration window, FunnelOrder order) {
    this.name = name;
    this.steps = steps;
    this.window = window;
    this.order = order;
  }

  /** A funnel; throws {@link IllegalArgumentException} saying what is wrong. */
  public static FunnelDefinition of(
      String name, FunnelOrder order, Duration window, List<FunnelStep> steps) {
    String problem = problem(name, order, window, steps);
    if (problem != null) {
      throw new IllegalArgumentException(
          (name != null && NAME.matcher(name).matches() ? "funnel " + name + ": " : "") + problem);
    }
    return new FunnelDefinition(name, List.copyOf(steps), window, order);
  }

  /** What is wrong with these parts of a funnel, or null when they make one. */
  private static @Nullable String problem(
      @Nullable String name,
      @Nullable FunnelOrder order,
      @Nullable Duration window,
      @Nullable List<FunnelStep> steps) {
    if (name == null || !NAME.matcher(name).matches()) {
      return "a funnel name is lower_snake_case (like checkout or sign_up), got '" + name + "'";
    }
    if (order == null) {
      return "the order cannot be null";
    }
    if (window == null || !window.isLongerThan(Duration.ZERO) || window.isLongerThan(MAX_WINDOW)) {
      return "the conversion window must be positive and at most " + MAX_WINDOW.getStandardDays()
          + " days, got " + window;
    }
    if (steps == null || steps.size() < 2 || steps.size() > MAX_STEPS) {
      return "a funnel has 2 to " + MAX_STEPS + " steps, got " + (steps == null ? "none" : steps.size());
    }
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i) == null) {
        return "step " + (i + 1) + " is null";
      }
    }
    return null;
  }

  /**
   * The funnels used when no file is given: the shop's checkout, as the generator emits it
   * (page_view, add_to_cart, page_view of /checkout, purchase), ordered, within 60 minutes. The same
   * funnel as {@code testdata/funnels.json}.
   */
  public static List<FunnelDefinition> defaults() {
    return List.of(
        of(
            "checkout",
            FunnelOrder.ORDERED,
            Duration.standardMinutes(60),
            List.of(
                FunnelStep.of("page_view"),
                FunnelStep.of("add_to_cart"),
                FunnelStep.of("page_view", Map.of("page", "/checkout")),
                FunnelStep.of("purchase"))));
  }

  /** The funnels of a funnel file's content; the message of an error names the funnel, step and field. */
  public static List<FunnelDefinition> parse(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json == null ? "" : json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "the funnels are not valid JSON: " + e.getOriginalMessage()
              + (e.getLocation() == null
                  ? ""
                  : " (line " + e.getLocation().getLineNr() + ", column "
                      + e.getLocation().getColumnNr() + ")"),
          e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(
          "the funnels must be a JSON object like {\"funnels\": [...]}, got " + describe(root));
    }
    checkFields(root, "the top level", Set.of("funnels"));
    JsonNode funnels = root.get("funnels");
    if (funnels == null || !funnels.isArray() || funnels.isEmpty()) {
      throw new IllegalArgumentException(
          "'funnels' must be a non-empty array of funnels, got " + describe(funnels));
    }
    List<FunnelDefinition> out = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < funnels.size(); i++) {
      FunnelDefinition funnel = parseFunnel(funnels.get(i), "funnels[" + i + "]");
      Integer previous = seen.putIfAbsent(funnel.name(), i);
      if (previous != null) {
        throw new IllegalArgumentException(
            "funnels[" + i + "] (" + funnel.name() + "): the name is already used by funnels["
                + previous + "]; funnel names are unique");
      }
      out.add(funnel);
    }
    return List.copyOf(out);
  }

  /** The funnels of the funnel file at {@code path}; errors name the file. */
  public static List<FunnelDefinition> load(Path path) {
    String json;
    try {
      json = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the funnel file " + path + ": " + e, e);
    }
    try {
      return parse(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("funnel file " + path + ": " + e.getMessage(), e);
    }
  }

  private static FunnelDefinition parseFunnel(JsonNode node, String where) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(where + ": must be an object, got " + describe(node));
    }
    JsonNode nameNode = node.get("name");
    if (nameNode == null || !nameNode.isTextual()) {
      throw new IllegalArgumentException(
          where + ".name: required, a lower_snake_case string; got " + describe(nameNode));
    }
    String name = nameNode.asText();
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          where + ".name: a funnel name is lower_snake_case (like checkout or sign_up), got '"
              + name + "'");
    }
    String at = where + " (" + name + ")";
    checkFields(node, at, Set.of("name", "window_minutes", "order", "steps"));

    JsonNode windowNode = node.get("window_minutes");
    if (windowNode == null
        || !windowNode.isIntegralNumber()
        || !windowNode.canConvertToLong()
        || windowNode.asLong() <= 0
        || windowNode.asLong() > MAX_WINDOW.getStandardMinutes()) {
      throw new IllegalArgumentException(
          at + ".window_minutes: required, a whole number of minutes from 1 to "
              + MAX_WINDOW.getStandardMinutes() + "; got " + describe(windowNode));
    }
    Duration window = Duration.standardMinutes(windowNode.asLong());

    FunnelOrder order = FunnelOrder.ORDERED;
    JsonNode orderNode = node.get("order");
    if (orderNode != null) {
      if (!orderNode.isTextual()) {
        throw new IllegalArgumentException(
            at + ".order: must be a string, got " + describe(orderNode));
      }
      try {
        order = FunnelOrder.fromConfigName(orderNode.asText());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + ".order: " + e.getMessage(), e);
      }
    }

    JsonNode stepsNode = node.get("steps");
    if (stepsNode == null || !stepsNode.isArray()) {
      throw new IllegalArgumentException(
          at + ".steps: required, an array of 2 to " + MAX_STEPS + " steps; got "
              + describe(stepsNode));
    }
    List<FunnelStep> steps = new ArrayList<>();
    for (int s = 0; s < stepsNode.size(); s++) {
      steps.add(parseStep(stepsNode.get(s), at + ".steps[" + s + "]"));
    }
    String problem = problem(name, order, window, steps);
    if (problem != null) {
      throw new IllegalArgumentException(at + ": " + problem);
    }
    return of(name, order, window, steps);
  }

  private static FunnelStep parseStep(JsonNode node, String where) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(
          where + ": must be an object like {\"event_type\": \"page_view\"}, got " + describe(node));
    }
    checkFields(node, where, Set.of("event_type", "properties"));
    JsonNode type = node.get("event_type");
    if (type == null || !type.isTextual() || type.asText().isBlank()) {
      throw new IllegalArgumentException(
          where + ".event_type: required, a non-empty string; got " + describe(type));
    }
    Map<String, String> properties = new LinkedHashMap<>();
    JsonNode props = node.get("properties");
    if (props != null) {
      if (!props.isObject()) {
        throw new IllegalArgumentException(
            where + ".properties: must be an object of property name to value, got "
                + describe(props));
      }
      Iterator<Map.Entry<String, JsonNode>> fields = props.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        JsonNode value = field.getValue();
        if (!(value.isTextual() || value.isNumber() || value.isBoolean())) {
          throw new IllegalArgumentException(
              where + ".properties." + field.getKey()
                  + ": must be a string, number or boolean to compare the event's property with, got "
                  + describe(value));
        }
        properties.put(field.getKey(), value.asText());
      }
    }
    try {
      return FunnelStep.of(type.asText(), properties);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static void checkFields(JsonNode node, String where, Set<String> allowed) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String field = names.next();
      if (!allowed.contains(field)) {
        throw new IllegalArgumentException(
            where + ": unknown field '" + field + "'; the fields are "
                + allowed.stream().sorted().toList());
      }
    }
  }

  private static String describe(@Nullable JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    String text = node.toString();
    String kind = node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    return kind + " " + (text.length() > 60 ? text.substring(0, 57) + "..." : text);
  }

  public String name() {
    return name;
  }

  /** The steps, in funnel order (step 1 first). */
  public List<FunnelStep> steps() {
    return steps;
  }

  /** How long after its first event an attempt may reach its last step (inclusive). */
  public Duration window() {
    return window;
  }

  public FunnelOrder order() {
    return order;
  }

  public FunnelDefinition withOrder(FunnelOrder value) {
    return of(name, value, window, steps);
  }

  public FunnelDefinition withWindow(Duration value) {
    return of(name, order, value, steps);
  }

  public FunnelDefinition withSteps(List<FunnelStep> value) {
    return of(name, order, window, value);
  }

  public FunnelDefinition withName(String value) {
    return of(value, order, window, steps);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof FunnelDefinition other
        && name.equals(other.name)
        && steps.equals(other.steps)
        && window.equals(other.window)
        && order == other.order;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, steps, window, order);
  }

  @Override
  public String toString() {
    return name + " (" + order.configName() + ", within " + window.getStandardMinutes() + " min): "
        + steps.stream().map(FunnelStep::name).collect(Collectors.joining(" > "));
  }
}
