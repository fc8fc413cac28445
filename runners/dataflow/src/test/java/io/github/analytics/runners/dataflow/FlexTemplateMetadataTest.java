package io.github.analytics.runners.dataflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.analytics.pipelines.BatchPipelineOptions;
import io.github.analytics.pipelines.StreamingPipelineOptions;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.api.Test;

/**
 * The Flex Template metadata in deploy/dataflow/ against the pipelines' options interfaces: every
 * parameter is an option the pipeline declares, and every regex accepts that option's default, so a
 * renamed option or a tightened default fails here instead of at a user's launch.
 */
class FlexTemplateMetadataTest {
  private static final Path DEPLOY = Path.of("../../deploy/dataflow");

  @Test
  void everyStreamingParameterIsAStreamingPipelineOption() throws IOException {
    assertEquals(List.of(), problems("metadata-stream.json", StreamingPipelineOptions.class, Set.of()));
  }

  @Test
  void everyBatchParameterIsABatchPipelineOption() throws IOException {
    assertEquals(List.of(), problems("metadata-batch.json", BatchPipelineOptions.class, Set.of()));
  }

  @Test
  void aParameterThePipelineDoesNotDeclareIsReported() throws IOException {
    Path drifted = Files.createTempFile("metadata", ".json");
    try {
      Files.writeString(
          drifted,
          Files.readString(DEPLOY.resolve("metadata-stream.json"))
              .replace("\"name\": \"redisUri\"", "\"name\": \"redisUrl\""));
      List<String> problems = problems(drifted, StreamingPipelineOptions.class, Set.of());
      assertEquals(1, problems.size(), problems.toString());
      assertTrue(problems.get(0).contains("redisUrl"), problems.toString());
    } finally {
      Files.delete(drifted);
    }
  }

  private static List<String> problems(
      String file, Class<? extends PipelineOptions> optionsInterface, Set<String> pending)
      throws IOException {
    return problems(DEPLOY.resolve(file), optionsInterface, pending);
  }

  private static List<String> problems(
      Path file, Class<? extends PipelineOptions> optionsInterface, Set<String> pending)
      throws IOException {
    JsonNode metadata = new ObjectMapper().readTree(file.toFile());
    Map<String, Method> declared = options(optionsInterface);
    List<String> problems = new ArrayList<>();
    for (String field : List.of("name", "description")) {
      if (metadata.path(field).asText().isBlank()) {
        problems.add(file + ": no " + field);
      }
    }
    for (JsonNode parameter : metadata.path("parameters")) {
      String name = parameter.path("name").asText();
      for (String field : List.of("label", "helpText")) {
        if (parameter.path(field).asText().isBlank()) {
          problems.add(name + ": no " + field);
        }
      }
      List<Pattern> regexes = new ArrayList<>();
      parameter.path("regexes").forEach(r -> regexes.add(Pattern.compile(r.asText())));
      if (pending.contains(name)) {
        continue;
      }
      Method getter = declared.get(name);
      if (getter == null) {
        problems.add(
            name + " is not an option of " + optionsInterface.getSimpleName()
                + ": rename or remove the parameter in " + file.getFileName());
        continue;
      }
      String defaultValue = defaultValue(getter);
      if (parameter.path("isOptional").asBoolean(false) && defaultValue != null) {
        for (Pattern regex : regexes) {
          if (!regex.matcher(defaultValue).matches()) {
            problems.add(name + ": regex " + regex + " refuses the default " + defaultValue);
          }
        }
      }
    }
    return problems;
  }

  /** Every option the interface declares or inherits, by name, with its getter. */
  private static Map<String, Method> options(Class<?> optionsInterface) {
    Map<String, Method> options = new LinkedHashMap<>();
    for (Method method : optionsInterface.getMethods()) {
      String name = method.getName();
      if (method.getParameterCount() != 0) {
        continue;
      }
      String property =
          name.startsWith("get") ? name.substring(3) : name.startsWith("is") ? name.substring(2) : null;
      if (property != null && !property.isEmpty()) {
        options.put(Character.toLowerCase(property.charAt(0)) + property.substring(1), method);
      }
    }
    return options;
  }

  private static String defaultValue(Method getter) {
    if (getter.getAnnotation(Default.String.class) != null) {
      return getter.getAnnotation(Default.String.class).value();
    }
    if (getter.getAnnotation(Default.Integer.class) != null) {
      return String.valueOf(getter.getAnnotation(Default.Integer.class).value());
    }
    if (getter.getAnnotation(Default.Boolean.class) != null) {
      return String.valueOf(getter.getAnnotation(Default.Boolean.class).value());
    }
    if (getter.getAnnotation(Default.Double.class) != null) {
      return String.valueOf(getter.getAnnotation(Default.Double.class).value());
    }
    if (getter.getAnnotation(Default.Enum.class) != null) {
      return getter.getAnnotation(Default.Enum.class).value();
    }
    return null;
  }
}
