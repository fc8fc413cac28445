package io.github.analytics.transforms.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.util.SerializableUtils;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FunnelDefinitionTest {
  private static final Path EXAMPLE = Path.of("..", "testdata", "funnels.json");

  /** A valid funnel object with {@code replace} spliced in place of its window and steps. */
  private static String funnel(String fields) {
    return "{\"funnels\":[{\"name\":\"checkout\"," + fields + "}]}";
  }

  private static final String STEPS =
      "\"steps\":[{\"event_type\":\"page_view\"},{\"event_type\":\"purchase\"}]";

  @Test
  void defaultsAreTheDocumentedExampleFile() {
    List<FunnelDefinition> defaults = FunnelDefinition.defaults();
    assertEquals(defaults, FunnelDefinition.load(EXAMPLE));
    FunnelDefinition checkout = defaults.get(0);
    assertEquals(1, defaults.size());
    assertEquals("checkout", checkout.name());
    assertEquals(FunnelOrder.ORDERED, checkout.order());
    assertEquals(Duration.standardMinutes(60), checkout.window());
    assertEquals(
        List.of("page_view", "add_to_cart", "page_view[page=/checkout]", "purchase"),
        checkout.steps().stream().map(FunnelStep::name).toList());
    assertEquals(checkout, SerializableUtils.clone(checkout));
  }

  @Test
  void parsesEveryField() {
    List<FunnelDefinition> funnels =
        FunnelDefinition.parse(
            "{\"funnels\":["
                + "{\"name\":\"signup\",\"window_minutes\":1440,\"order\":\"STRICT\","
                + " \"steps\":[{\"event_type\":\"page_view\",\"properties\":{\"page\":\"/signup\"}},"
                + "            {\"event_type\":\"signup\",\"properties\":{\"step\":2,\"ok\":true}}]},"
                + "{\"name\":\"browse\",\"window_minutes\":5,"
                + " \"steps\":[{\"event_type\":\"page_view\"},{\"event_type\":\"click\"}]},"
                + "{\"name\":\"any\",\"window_minutes\":5,\"order\":\"any_order\","
                + " \"steps\":[{\"event_type\":\"a\"},{\"event_type\":\"b\"}]}]}");
    assertEquals(
        FunnelDefinition.of(
            "signup",
            FunnelOrder.STRICT,
            Duration.standardDays(1),
            List.of(
                FunnelStep.of("page_view", Map.of("page", "/signup")),
                FunnelStep.of("signup", Map.of("step", "2", "ok", "true")))),
        funnels.get(0));
    // The order defaults to ordered.
    assertEquals(FunnelOrder.ORDERED, funnels.get(1).order());
    assertEquals(FunnelOrder.ANY_ORDER, funnels.get(2).order());
    // Property matches are listed by name.
    assertEquals("signup[ok=true,step=2]", funnels.get(0).steps().get(1).name());
  }

  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of("{\"funnels\": [", "not valid JSON"),
        Arguments.of("[]", "must be a JSON object like {\"funnels\": [...]}"),
        Arguments.of("{\"funnel\": []}", "the top level: unknown field 'funnel'"),
        Arguments.of("{\"funnels\": []}", "'funnels' must be a non-empty array"),
        Arguments.of(
            "{\"funnels\":[{\"window_minutes\":60," + STEPS + "}]}",
            "funnels[0].name: required"),
        Arguments.of(
            "{\"funnels\":[{\"name\":\"Check-out\",\"window_minutes\":60," + STEPS + "}]}",
            "funnels[0].name: a funnel name is lower_snake_case"),
        Arguments.of(funnel(STEPS), "funnels[0] (checkout).window_minutes: required"),
        Arguments.of(
            funnel("\"window_minutes\":0," + STEPS),
            "funnels[0] (checkout).window_minutes: required, a whole number of minutes"),
        Arguments.of(
            funnel("\"window_minutes\":\"60\"," + STEPS),
            "funnels[0] (checkout).window_minutes: required, a whole number of minutes"),
        Arguments.of(
            funnel("\"window_minutes\":1.5," + STEPS),
            "funnels[0] (checkout).window_minutes: required, a whole number of minutes"),
        Arguments.of(
            funnel("\"window\":60," + STEPS), "funnels[0] (checkout): unknown field 'window'"),
        Arguments.of(
            funnel("\"window_minutes\":60,\"order\":\"loose\"," + STEPS),
            "funnels[0] (checkout).order: unknown order 'loose'; use one of"
                + " [strict, ordered, any_order]"),
        Arguments.of(
            funnel("\"window_minutes\":60"), "funnels[0] (checkout).steps: required, an array"),
        Arguments.of(
            funnel("\"window_minutes\":60,\"steps\":[{\"event_type\":\"page_view\"}]"),
            "funnels[0] (checkout): a funnel has 2 to 30 steps, got 1"),
        Arguments.of(
            funnel("\"window_minutes\":60,\"steps\":[{\"event_type\":\"a\"},{\"type\":\"b\"}]"),
            "funnels[0] (checkout).steps[1]: unknown field 'type'"),
        Arguments.of(
            funnel("\"window_minutes\":60,\"steps\":[{\"event_type\":\"a\"},{}]"),
            "funnels[0] (checkout).steps[1].event_type: required"),
        Arguments.of(
            funnel("\"window_minutes\":60,\"steps\":[{\"event_type\":\"a\"},\"b\"]"),
            "funnels[0] (checkout).steps[1]: must be an object"),
        Arguments.of(
            funnel(
                "\"window_minutes\":60,\"steps\":[{\"event_type\":\"a\"},{\"event_type\":\"b\"},"
                    + "{\"event_type\":\"c\",\"properties\":{\"page\":{\"path\":\"/\"}}}]"),
            "funnels[0] (checkout).steps[2].properties.page: must be a string, number or boolean"),
        Arguments.of(
            "{\"funnels\":[{\"name\":\"checkout\",\"window_minutes\":60," + STEPS + "},"
                + "{\"name\":\"checkout\",\"window_minutes\":5," + STEPS + "}]}",
            "funnels[1] (checkout): the name is already used by funnels[0]"),
        Arguments.of(
            funnel("\"window_minutes\":60,\"window_minutes\":5," + STEPS),
            "Duplicate field 'window_minutes'"));
  }

  @ParameterizedTest
  @MethodSource("badFiles")
  void parseErrorsSayWhichFunnelStepAndField(String json, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FunnelDefinition.parse(json));
    assertTrue(e.getMessage().contains(expected), () -> "message was: " + e.getMessage());
  }

  @Test
  void loadNamesTheFile(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("funnels.json");
    Files.writeString(bad, funnel("\"window_minutes\":-5," + STEPS), StandardCharsets.UTF_8);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FunnelDefinition.load(bad));
    assertTrue(
        e.getMessage().startsWith("funnel file " + bad + ": funnels[0] (checkout).window_minutes"),
        e.getMessage());
    Path missing = dir.resolve("missing.json");
    IllegalArgumentException notFound =
        assertThrows(IllegalArgumentException.class, () -> FunnelDefinition.load(missing));
    assertTrue(notFound.getMessage().contains(missing.toString()), notFound.getMessage());
  }

  @Test
  void constructionValidatesAndCopies() {
    List<FunnelStep> two = List.of(FunnelStep.of("a"), FunnelStep.of("b"));
    assertThrows(
        IllegalArgumentException.class,
        () -> FunnelDefinition.of("f", FunnelOrder.ORDERED, Duration.ZERO, two));
    assertThrows(
        IllegalArgumentException.class,
        () -> FunnelDefinition.of("f", FunnelOrder.ORDERED, Duration.standardDays(367), two));
    assertThrows(
        IllegalArgumentException.class,
        () -> FunnelDefinition.of("f", null, Duration.standardMinutes(1), two));
    IllegalArgumentException oneStep =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                FunnelDefinition.of(
                    "f", FunnelOrder.ORDERED, Duration.standardMinutes(1), two.subList(0, 1)));
    assertEquals("funnel f: a funnel has 2 to 30 steps, got 1", oneStep.getMessage());
    assertThrows(IllegalArgumentException.class, () -> FunnelStep.of(" "));
    assertThrows(
        IllegalArgumentException.class, () -> FunnelStep.of("a", Map.of("", "x")));

    Map<String, String> properties = new HashMap<>(Map.of("page", "/checkout"));
    FunnelStep step = FunnelStep.of("page_view", properties);
    properties.put("page", "/changed");
    assertEquals("page_view[page=/checkout]", step.name());
    assertThrows(UnsupportedOperationException.class, () -> step.properties().put("x", "y"));
    FunnelDefinition checkout = FunnelDefinition.defaults().get(0);
    assertThrows(UnsupportedOperationException.class, () -> checkout.steps().clear());
    assertEquals(
        FunnelOrder.STRICT, checkout.withOrder(FunnelOrder.STRICT).order());
    assertEquals(FunnelOrder.ORDERED, checkout.order());
  }
}
