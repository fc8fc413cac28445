package io.github.analytics.transforms.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The streaming read of top-level properties must match a funnel step exactly when the tree-based
 * rule ({@link FunnelStep#matchesProperties(JsonNode)}, ObjectMapper.readTree) does: the oracle.
 */
class TopLevelPropertiesTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final List<FunnelStep> STEPS = List.of(
      FunnelStep.of("page_view", Map.of("page", "/checkout")),
      FunnelStep.of("page_view", Map.of("n", "1")),
      FunnelStep.of("page_view", Map.of("x", "100000.0")),
      FunnelStep.of("page_view", Map.of("flag", "true")),
      FunnelStep.of("page_view", Map.of("page", "/checkout", "n", "1")),
      FunnelStep.of("page_view"));
  private static final Set<String> NAMES = Set.of("page", "n", "x", "flag");

  private static JsonNode tree(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (Exception e) {
      return null;
    }
  }

  private static void agree(String json) {
    JsonNode tree = tree(json);
    Map<String, String> values = TopLevelProperties.read(json, NAMES);
    for (FunnelStep step : STEPS) {
      boolean expected = step.matchesProperties(tree != null && tree.isObject() ? tree : null);
      assertEquals(expected, step.matchesProperties(values), step + " on " + json);
    }
    // Strings only (the touchpoints' rule): a name has a value where the tree's node is textual.
    Map<String, String> strings = TopLevelProperties.readStrings(json, NAMES);
    if (tree == null || !tree.isObject()) {
      assertEquals(null, strings, json);
      return;
    }
    for (String name : NAMES) {
      JsonNode node = tree.get(name);
      assertEquals(node != null && node.isTextual() ? node.asText() : null, strings.get(name),
          name + " of " + json);
    }
  }

  @Test
  void namedCases() {
    for (String json : List.of(
        "{}", "{\"page\":\"/checkout\"}", "{\"page\":\"/checkout\",\"n\":1}", "{\"n\":1.0}",
        "{\"n\":\"1\"}", "{\"x\":1e5}", "{\"x\":100000}", "{\"flag\":true}", "{\"flag\":\"true\"}",
        "{\"page\":null}", "{\"page\":{\"a\":1}}", "{\"page\":[\"/checkout\"]}",
        "{\"page\":\"/home\",\"page\":\"/checkout\"}", "{\"page\":\"/checkout\",\"page\":{}}",
        "{\"nested\":{\"page\":\"/checkout\"}}", "[1]", "\"s\"", "", "{\"page\":", "{} trailing",
        "{\"page\":\"/check\\u006fut\"}", "{\"n\":99999999999999999999}", "{\"n\":-0}",
        "{\"n\":1,\"page\":\"/checkout\",\"deep\":[[{\"page\":1}]]}")) {
      agree(json);
    }
  }

  @Test
  void randomObjects() {
    Random random = new Random(3);
    String[] keys = {"page", "n", "x", "flag", "other"};
    String[] values = {"\"/checkout\"", "\"/home\"", "1", "1.0", "1e5", "100000", "true", "false",
        "null", "{}", "[\"/checkout\"]", "{\"page\":\"/checkout\"}", "\"true\"", "-1", "2.5e-3"};
    for (int i = 0; i < 5_000; i++) {
      StringBuilder json = new StringBuilder("{");
      int n = random.nextInt(5);
      List<String> parts = new ArrayList<>();
      for (int f = 0; f < n; f++) {
        parts.add("\"" + keys[random.nextInt(keys.length)] + "\":" + values[random.nextInt(values.length)]);
      }
      json.append(String.join(",", parts)).append('}');
      agree(json.toString());
    }
  }
}
