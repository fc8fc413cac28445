package io.github.analytics.runners.dataflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exit codes and messages of {@code DataflowCheck} on options it refuses before a job exists;
 * a job it accepts is {@link StreamingJobOnDataflowTest}'s, built the same way.
 */
class DataflowCheckTest {
  private static final List<String> BASE =
      List.of(
          "stream",
          "--project=analytics-offline-check",
          "--region=europe-west1",
          "--tempLocation=gs://analytics-offline-check/tmp",
          "--experiments=use_runner_v2");

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int check(List<String> args) {
    return DataflowCheck.run(
        args.toArray(String[]::new),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private static List<String> base(String... replacements) {
    List<String> args = new ArrayList<>(BASE);
    for (String replacement : replacements) {
      String option = replacement.substring(0, replacement.indexOf('=') + 1);
      args.removeIf(a -> a.startsWith(option));
      args.add(replacement);
    }
    return args;
  }

  private String errors() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void withoutAPipelineItPrintsUsage() {
    assertEquals(2, check(List.of()));
    assertEquals(2, check(List.of("serve")));
    assertTrue(errors().contains("Usage: DataflowCheck stream"), errors());
  }

  @Test
  void aTempLocationOutsideCloudStorageExitsWithOne() {
    assertEquals(1, check(base("--tempLocation=/tmp/not-cloud-storage")));
    assertTrue(errors().contains("Dataflow needs a Cloud Storage path"), errors());
  }

  @Test
  void withoutRunnerV2ItSaysWhatToAdd() {
    List<String> args = new ArrayList<>(BASE);
    args.remove("--experiments=use_runner_v2");
    assertEquals(1, check(args));
    assertTrue(errors().contains("Add --experiments=use_runner_v2"), errors());
  }

  @Test
  void optionsThePipelineRefusesExitWithOne() {
    assertEquals(1, check(base("--archiveWindowMinutes=7")));
    assertTrue(errors().contains("--archiveWindowMinutes must divide an hour"), errors());
  }
}
