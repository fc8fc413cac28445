package io.github.analytics.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.analytics.pipelines.BackfillOptions;
import java.beans.Introspector;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * Every option the schedules in deploy/schedules pass to the pipeline is an option it has (with the
 * runners and file systems on this classpath), so a renamed option cannot leave a schedule behind.
 */
class SchedulesTest {
  private static final Path SCHEDULES = Path.of("..", "deploy", "schedules");
  private static final Pattern OPTION = Pattern.compile("(?<![\\w:-])--([a-zA-Z][a-zA-Z0-9]*)\\b");
  /** The backfill command's own names for --fromDate and --toDate. */
  private static final Set<String> COMMAND_OPTIONS = Set.of("from", "to");

  @Test
  void everyOptionInTheSchedulesExists() throws IOException {
    PipelineOptionsFactory.register(BackfillOptions.class);
    Set<String> known = new TreeSet<>(COMMAND_OPTIONS);
    for (Class<? extends PipelineOptions> options : PipelineOptionsFactory.getRegisteredOptions()) {
      for (Method method : options.getMethods()) {
        String name = method.getName();
        if (method.getParameterCount() == 0 && name.startsWith("get") && name.length() > 3) {
          known.add(Introspector.decapitalize(name.substring(3)));
        } else if (method.getParameterCount() == 0 && name.startsWith("is") && name.length() > 2) {
          known.add(Introspector.decapitalize(name.substring(2)));
        }
      }
    }
    assertTrue(known.contains("flinkMaster"), "the Flink runner's options are registered");
    TreeMap<String, List<String>> unknown = new TreeMap<>();
    int checked = 0;
    List<Path> files;
    try (Stream<Path> walk = Files.walk(SCHEDULES)) {
      files = walk.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".md")).sorted().toList();
    }
    for (Path file : files) {
      for (String line : Files.readAllLines(file)) {
        if (line.strip().startsWith("#")) {
          continue; // comments show other tools' commands (kubectl)
        }
        Matcher m = OPTION.matcher(line);
        while (m.find()) {
          checked++;
          if (!known.contains(m.group(1))) {
            unknown.computeIfAbsent(file.toString(), f -> new java.util.ArrayList<>()).add(m.group(1));
          }
        }
      }
    }
    assertTrue(files.size() >= 4, "schedules: " + files);
    assertTrue(checked > 20, "options found: " + checked);
    assertEquals(new TreeMap<>(), unknown, "options the pipeline does not have");
  }
}
